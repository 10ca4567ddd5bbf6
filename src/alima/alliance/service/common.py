"""Helpers shared by the co-management use cases: scope tests and the training summary."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from alima.alliance import repository, rules
from alima.alliance.schemas import TrainingSummary
from alima.core.access import Actor, Permission, minimal_prefixes
from alima.core.errors import AlimaError, CoreError, ErrorCode, Forbidden, NotFound
from alima.core.models import Place


def touches(paths: Sequence[str], others: Sequence[str]) -> bool:
    """Whether two sets of place subtrees overlap (one contains the other)."""
    return any(a.startswith(b) or b.startswith(a) for a in paths for b in others)


def overlap(paths: Sequence[str], within: str) -> tuple[str, ...]:
    """The part of the subtrees ``paths`` lying inside the subtree ``within``."""
    result = [within if within.startswith(p) else p for p in paths if touches([p], [within])]
    return minimal_prefixes(result)


def project_visible(
    actor: Actor, permission: Permission, project_id: uuid.UUID, project_paths: Sequence[str]
) -> bool:
    """Whether ``permission`` holds for the project (a grant on it, or over places it serves)."""
    if any(g.project_id == project_id and permission in g.permissions for g in actor.grants):
        return True
    return touches(actor.paths_for(permission), project_paths)


def refusal(
    actor: Actor, place_path: str, not_found: ErrorCode = CoreError.CORE_001, **context: object
) -> AlimaError:
    """What to raise when an action is refused at a place.

    403 if the actor can see the place, 404 otherwise (a record elsewhere does not reveal its
    existence).
    """
    if actor.can_at(Permission.PLACE_READ, place_path):
        return Forbidden(CoreError.CORE_002)
    return NotFound(not_found, **context)


#: The first day the platform can hold data for (all-time counts start here).
EPOCH = date(2000, 1, 1)
#: Months in the dashboards' monthly series (the last one is the current month).
SERIES_MONTHS = 12


def country_fields(country: Place | None) -> dict[str, str]:
    """A project's country as its summary shows it (empty where it is not known)."""
    return {
        "country_code": country.code if country else "",
        "country_name": country.name if country else "",
    }


def training_summary(
    session: Session,
    *,
    paths: Sequence[str],
    start: date,
    end: date,
    project_id: uuid.UUID | None = None,
) -> TrainingSummary:
    """Sessions and distinct health workers trained over [start, end], by topic, by month.

    The monthly series covers the last ``SERIES_MONTHS`` months up to ``end``.
    """
    by_topic = repository.trainings_by_topic(
        session, paths=paths, start=start, end=end, project_id=project_id
    )
    return TrainingSummary(
        start=start,
        end=end,
        sessions=sum(by_topic.values()),
        health_workers=repository.count_health_workers_trained(
            session, paths=paths, start=start, end=end, project_id=project_id
        ),
        by_topic=by_topic,
        by_month=repository.health_workers_trained_by_month(
            session,
            paths=paths,
            start=rules.months_before(end, SERIES_MONTHS - 1),
            end=end,
            project_id=project_id,
        ),
    )
