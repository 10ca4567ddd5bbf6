"""How co-management plugs into the core's access decisions (``alima.core.policy``).

- ``narrow_by_agreements``: a user of a partner organisation, in a project that has
  agreements, gets at the project's places only what the agreement in force today gives their
  role; without one, the least-privilege default (aggregates only). Grants whose scope touches
  the project's places lose the withheld permissions (deny wins; a grant is never widened).
  Users of no organisation, or of organisations outside the project, keep their role.
- ``add_emergency_access``: the patients the user opened by break-the-glass, while it lasts.
- ``ensure_period_open``: the period guard refusing writes in approved months.

Registered when ``alima.alliance`` is imported, and by the core itself before the first actor
is built (``alima.core.policy.PLUGINS``), whichever comes first.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from alima.alliance import repository, rules
from alima.alliance.enums import DataAccess, ExportLevel
from alima.alliance.models import Agreement
from alima.core import policy
from alima.core import repository as core_repository
from alima.core.access import Actor, Grant, Permission
from alima.core.models import User
from alima.core.time import today, utcnow


def terms_of(agreement: Agreement) -> rules.Terms:
    """The rights an agreement row gives."""
    return rules.Terms(
        data_access=DataAccess(agreement.data_access),
        may_capture=agreement.may_capture,
        may_approve=agreement.may_approve,
        export_level=ExportLevel(agreement.export_level),
    )


def _touches(grant: Grant, project_id: uuid.UUID, project_paths: list[str]) -> bool:
    if grant.project_id == project_id:
        return True
    return any(g.startswith(p) or p.startswith(g) for g in grant.paths for p in project_paths)


def narrow_by_agreements(session: Session, user: User, actor: Actor) -> Actor:
    """Withhold from each grant what the partner agreements in force do not give."""
    if user.organisation_id is None or not actor.grants:
        return actor
    governing = repository.agreements_governing(session, user.organisation_id)
    if not governing:
        return actor
    on = today()
    paths = core_repository.project_place_paths(session, list(governing))
    grants: list[Grant] = []
    for grant in actor.grants:
        withheld: set[Permission] = set(grant.withheld)
        for project_id, agreements in governing.items():
            if not _touches(grant, project_id, paths.get(project_id, [])):
                continue
            candidates = [
                (a.role, terms_of(a))
                for a in agreements
                if rules.in_force(a.effective_from, a.effective_to, on)
            ]
            terms = rules.pick_terms(candidates, grant.role.value) or rules.NO_AGREEMENT
            withheld |= rules.withheld_permissions(terms)
        grants.append(replace(grant, withheld=frozenset(withheld)))
    return replace(actor, grants=tuple(grants))


def add_emergency_access(session: Session, user: User, actor: Actor) -> Actor:
    """Add the patients opened by break-the-glass whose access has not yet ended."""
    if not actor.can(Permission.BREAK_GLASS):
        return actor
    patients = repository.live_emergency_patient_ids(session, user.id, utcnow())
    return replace(actor, emergency_patient_ids=patients) if patients else actor


def ensure_period_open(session: Session, place_id: uuid.UUID, on: date) -> None:
    """Period guard for the core's patient writes."""
    repository.ensure_period_open(session, place_id=place_id, on=on)


def register() -> None:
    """Plug co-management into the core (idempotent)."""
    policy.register_actor_policy(narrow_by_agreements)
    policy.register_actor_policy(add_emergency_access)
    policy.register_period_guard(ensure_period_open)
