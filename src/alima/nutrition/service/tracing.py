"""Tracing: the children who missed a visit or defaulted this month, and what a home visit found.

Who is listed is computed on the day the page is read from each child's schedule with the
rules' default detection (``rules.detect_default``, docs/clinical-rules.md §4): nothing is
written by a read. The outcome of a tracing visit feeds the episode's exit (§4.2).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import SERVICE_POINTS, PlaceKind
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.service.common import add_audited, audit_listed, dto, or_404
from alima.core.time import today as utc_today
from alima.nutrition import repository
from alima.nutrition.enums import Outcome, TracingOutcome
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode, Tracing
from alima.nutrition.rules import detect_default, missed_visits
from alima.nutrition.rules.follow_up import default_on
from alima.nutrition.schemas import TracingCreate, TracingRead, TracingRow
from alima.nutrition.service.episodes import (
    close_episode,
    not_before_last_visit,
    not_future,
    protocol_of,
    state_on,
    writable_episode,
)

TRACING_FIELDS = ("episode_id", "visited_on", "outcome", "note")


def tracing_read(t: Tracing) -> TracingRead:
    """DTO of a tracing visit."""
    return dto(TracingRead, t, outcome=TracingOutcome(t.outcome))


def _absence(e: Episode, on: date) -> tuple[str, int, date | None] | None:
    """(state, visits missed, default day) of an open episode as of ``on``, or ``None``."""
    if e.next_visit_on is None:
        return None
    p = protocol_of(e)
    interval = e.visit_interval_days
    missed = missed_visits(next_visit_due_on=e.next_visit_on, today=on, interval_days=interval)
    if detect_default(next_visit_due_on=e.next_visit_on, today=on, interval_days=interval, p=p):
        return (
            "defaulted",
            missed,
            default_on(next_visit_due_on=e.next_visit_on, interval_days=interval, p=p),
        )
    if missed >= 1:
        return "missed", missed, None
    return None


def children_to_trace(session: Session, *, actor: Actor) -> list[TracingRow]:
    """Children who missed a visit, or defaulted this month, at the actor's sites (audited)."""
    on = utc_today()
    month_start = on.replace(day=1)
    paths = actor.paths_for(Permission.PATIENT_READ)
    if not paths:
        raise NotFound(CoreError.CORE_001)
    with session.begin():
        found: list[tuple[Episode, str, int, date | None]] = []
        for e in repository.open_episodes_at(session, paths):
            absence = _absence(e, on)
            if absence is None:
                continue
            state, missed, defaulted = absence
            if defaulted is None or defaulted >= month_start:
                found.append((e, state, missed, defaulted))
        for e in repository.defaulted_since(session, paths, month_start):
            found.append((e, "defaulted", 0, e.closed_on))
        latest = repository.latest_tracings(session, [e.id for e, *_ in found])
        audit_listed(session, actor, "nutrition_episode", [e for e, *_ in found], "tracing")
        return [
            TracingRow(
                episode_id=e.id,
                patient_id=e.patient_id,
                patient_name=f"{e.patient.given_name} {e.patient.family_name}",
                patient_identifier=e.patient.identifier,
                caregiver_name=e.patient.caregiver_name,
                village=e.patient.village,
                phone=e.patient.phone,
                place_name=e.place.name,
                state=state,
                missed_visits=missed,
                last_visit_on=e.last_visit_on,
                defaulted_on=defaulted,
                last_tracing=tracing_read(latest[e.id]) if e.id in latest else None,
            )
            for e, state, missed, defaulted in sorted(
                found, key=lambda f: (f[0].place.name, f[0].last_visit_on)
            )
        ]


def _exit_of(session: Session, data: TracingCreate, episode: Episode) -> Outcome | None:
    """The exit a tracing outcome calls for (§4.2), ``None`` to leave the child in care."""
    outcome = data.outcome
    if outcome is TracingOutcome.DIED:
        if not data.confirm_death:
            raise RuleViolation(NutritionError.NUT_030, field="confirm_death")
        return Outcome.DIED
    if outcome is TracingOutcome.MOVED:
        if not data.transfer_place_code:
            return Outcome.DEFAULTED  # treatment elsewhere unknown (§4.2, UNCERTAIN)
        target = core_repository.find_place_by_code(session, data.transfer_place_code)
        if target is None or PlaceKind(target.kind) not in SERVICE_POINTS:
            raise RuleViolation(NutritionError.NUT_027, field="transfer_place_code")
        episode.transfer_place_id = target.id
        return Outcome.TRANSFER_OUT
    if outcome is TracingOutcome.REFUSED:
        return Outcome.DEFAULTED
    return None


def _record(
    session: Session, episode: Episode, data: TracingCreate, on: date, actor: Actor
) -> TracingRead:
    not_before_last_visit(episode, on)
    exit_outcome = _exit_of(session, data, episode)
    state = state_on(episode, on)
    if exit_outcome is not None and episode.status == "open":
        # Still in care: the exit is the tracing day. Defaulted by the rule already: the
        # child left on the default day, and the tracing says how (died, moved).
        closed_on = on if state.is_open else state.closed_on
        if state.is_open or exit_outcome is not Outcome.DEFAULTED:
            assert closed_on is not None  # noqa: S101 - a closed state has its date
            episode.exit_note = data.note
            close_episode(session, actor, episode, exit_outcome, closed_on, detail="tracing")
    tracing = Tracing(
        episode_id=episode.id,
        patient_id=episode.patient_id,
        place_id=episode.place_id,
        visited_on=on,
        outcome=data.outcome.value,
        note=data.note,
        created_by_id=actor.id,
    )
    add_audited(session, actor, tracing, "nutrition_tracing", TRACING_FIELDS)
    return tracing_read(tracing)


def record_tracing(
    session: Session, episode_id: uuid.UUID, data: TracingCreate, *, actor: Actor
) -> TracingRead:
    """Record what the tracing visit found; died, moved and refused close the episode (§4.2).

    A child found and coming back stays in care; an exit recorded before is never changed.
    """
    on = data.visited_on or utc_today()
    not_future(on)
    with session.begin():
        episode = writable_episode(session, episode_id, actor, with_visits=False)
        result = _record(session, episode, data, on, actor) if episode else None
    return or_404(result)
