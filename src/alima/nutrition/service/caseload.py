"""Reading episodes: one episode, a child's episodes, a site's caseload; defaulters' housekeeping."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record, record_list
from alima.core.enums import SERVICE_POINTS, AuditAction
from alima.core.errors import (
    CoreError,
    NotFound,
)
from alima.core.service.common import (
    get_or_404,
    place_in_scope,
)
from alima.core.time import today as utc_today
from alima.nutrition import repository
from alima.nutrition.rules.follow_up import (
    FollowUpState,
    follow_up,
)
from alima.nutrition.schemas import (
    CaseloadEntry,
    CaseloadRead,
    EpisodeRead,
)
from alima.nutrition.service.episodes import (
    close_defaulters,
    episode_read,
    protocol_of,
    state_on,
    visible_episode,
)


def get_episode(
    session: Session, episode_id: uuid.UUID, *, actor: Actor, today: date | None = None
) -> EpisodeRead:
    """An episode with its visits as of ``today`` (the read is audited)."""
    return get_or_404(
        session,
        actor,
        episode_id,
        # A refused attempt names no child: the episode is loaded only when it may be read.
        find=lambda s, i: visible_episode(s, i, actor, Permission.PATIENT_READ),
        read=lambda episode: episode_read(episode, today),
        entity_type="nutrition_episode",
    )


def patient_episodes(
    session: Session, patient_id: uuid.UUID, *, actor: Actor, today: date | None = None
) -> list[EpisodeRead]:
    """The child's episodes if the child is in scope (empty otherwise; the patient page audits)."""
    with session.begin():
        patient = core_repository.find_patient(session, patient_id)
        if patient is None or not actor.can_at(Permission.PATIENT_READ, patient.place.path):
            return []
        episodes = repository.episodes_of_patient(session, patient_id)
        result = []
        for e in episodes:
            loaded = repository.find_episode(session, e.id)
            if loaded is not None:
                result.append(episode_read(loaded, today))
        return result


def caseload(
    session: Session, place_code: str, *, actor: Actor, on: date | None = None
) -> CaseloadRead:
    """The caseload at a site on ``on``: due, missed, overdue, upcoming (a read: writes nothing).

    The children defaulted by ``on`` (``rules.follow_up``) are out of treatment and not listed;
    ``defaulted_now`` counts those whose default falls on ``on``.
    """
    on = on or utc_today()
    with session.begin():
        place = place_in_scope(session, actor, place_code, Permission.PATIENT_READ)
        due: list[CaseloadEntry] = []
        missed: list[CaseloadEntry] = []
        overdue: list[CaseloadEntry] = []
        upcoming: list[CaseloadEntry] = []
        defaulted = 0
        referred: list[CaseloadEntry] = []
        in_treatment = 0
        for e in repository.open_episodes_at(session, [place.path]):
            where = follow_up(
                next_visit_due_on=e.next_visit_on,
                today=on,
                interval_days=e.visit_interval_days,
                p=protocol_of(e),
            )
            if not state_on(e, on).is_open:
                defaulted += e.defaults_on == on
                continue
            in_treatment += 1
            entry = CaseloadEntry(
                episode_id=e.id,
                patient_id=e.patient_id,
                patient_name=f"{e.patient.given_name} {e.patient.family_name}",
                patient_identifier=e.patient.identifier,
                band=e.band,
                admitted_on=e.admitted_on,
                last_visit_on=e.last_visit_on,
                next_visit_on=e.next_visit_on,
                days_late=max(where.days_late, 0),
                missed_visits=where.missed_visits,
            )
            if e.referred_on is not None:
                referred.append(entry)
                continue
            {
                FollowUpState.UNSCHEDULED: due,
                FollowUpState.DUE: due,
                FollowUpState.MISSED: missed,
                FollowUpState.OVERDUE: overdue,
                FollowUpState.DEFAULTED: overdue,
            }.get(where.state, upcoming).append(entry)
        record(
            session, actor, AuditAction.READ, entity_type="nutrition_caseload", place_id=place.id
        )
        record_list(
            session,
            actor,
            entity_type="nutrition_episode",
            rows=(
                (c.episode_id, c.patient_id, place.id)
                for c in (*referred, *due, *missed, *overdue, *upcoming)
            ),
            detail="caseload",
        )
        return CaseloadRead(
            place_code=place.code,
            place_name=place.name,
            on=on,
            open_total=in_treatment,
            due=due,
            missed=sorted(missed, key=lambda x: -x.days_late),
            overdue=sorted(overdue, key=lambda x: -x.days_late),
            upcoming=upcoming,
            defaulted_now=defaulted,
            referred=referred,
        )


def nutrition_sites(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the service points whose caseload the actor may see."""
    with session.begin():
        places = core_repository.list_places(
            session,
            actor.paths_for(Permission.PATIENT_READ),
            kinds=[k.value for k in SERVICE_POINTS],
        )
        return [(p.code, p.name) for p in places]


def close_defaulters_at(session: Session, *, place_code: str, on: date | None = None) -> int:
    """Close the defaulters of a place's subtree (console job; audited as the system)."""
    with session.begin():
        place = core_repository.find_place_by_code(session, place_code)
        if place is None:
            raise NotFound(CoreError.CORE_011, code=place_code)
        return close_defaulters(session, [place.path], on or utc_today(), None)
