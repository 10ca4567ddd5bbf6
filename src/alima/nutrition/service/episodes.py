"""An episode as every use case reads it: protocol, state as of a day, DTOs, access."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.errors import (
    Conflict,
    RuleViolation,
)
from alima.core.period_lock import records_derived_state
from alima.core.service.common import audit_changed, audit_denied, dto
from alima.core.time import today as utc_today
from alima.nutrition import repository
from alima.nutrition.enums import (
    AdmissionCriterion,
    Band,
    Oedema,
    Outcome,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode, Visit
from alima.nutrition.protocol import (
    ProtocolDefinition,
    apply_overrides,
    load_protocol,
)
from alima.nutrition.rules import (
    AdmissionFacts,
    Awaited,
    Measurement,
    Ration,
    VisitFacts,
    awaited_in_episode,
    ration,
)
from alima.nutrition.rules.follow_up import (
    EpisodeState,
    default_on,
    episode_state,
)
from alima.nutrition.schemas import (
    AwaitedRead,
    EpisodeRead,
    RationRead,
    RationStepRead,
    VisitRead,
)

#: The criterion an admission is reported under when several are met (CMAM reporting order).
CRITERION_PRIORITY = (AdmissionCriterion.OEDEMA, AdmissionCriterion.MUAC, AdmissionCriterion.WHZ)


def protocol_of(episode: Episode) -> ProtocolDefinition:
    """The protocol an episode was admitted under, with its country's overrides."""
    base = load_protocol(episode.protocol_code, episode.protocol_version)
    if episode.protocol_overrides:
        return apply_overrides(base, episode.protocol_overrides)
    return base


def defaults_on(
    next_visit_on: date | None, interval_days: int, p: ProtocolDefinition
) -> date | None:
    """The day the child defaults if not seen again (None without a next visit)."""
    if next_visit_on is None:
        return None
    return default_on(next_visit_due_on=next_visit_on, interval_days=interval_days, p=p)


def state_on(e: Episode, today: date) -> EpisodeState:
    """The episode as of ``today`` (the one rule every reader and writer asks)."""
    return episode_state(
        status=e.status,
        outcome=e.outcome,
        closed_on=e.closed_on,
        defaults_on=e.defaults_on,
        today=today,
    )


def refuse_if_closed(e: Episode, on: date) -> None:
    """A write dated ``on`` on an episode closed by then (recorded exit, or default) conflicts."""
    state = state_on(e, on)
    if not state.is_open:
        raise Conflict(
            NutritionError.NUT_020,
            closed_on=state.closed_on.isoformat() if state.closed_on else "",
            outcome=state.outcome.value if state.outcome else "",
        )


def not_future(on: date) -> None:
    """Refuse a date after today (NUT_025)."""
    if on > utc_today():
        raise RuleViolation(NutritionError.NUT_025, on=on)


def _num(value: Decimal) -> float:
    return float(value)


def ration_read(r: Ration) -> RationRead:
    """DTO of a ration with its arithmetic."""
    return RationRead(
        product=r.product.value,
        band=r.band.value,
        days=r.days,
        kcal_per_kg_day=r.kcal_per_kg_day,
        kcal_per_day=_num(r.kcal_per_day),
        sachets_per_day_exact=_num(r.sachets_per_day_exact),
        sachets_per_day=_num(r.sachets_per_day),
        sachets_per_week=r.sachets_per_week,
        sachets_for_period=r.sachets_for_period,
        steps=[
            RationStepRead(
                operation=s.operation.value,
                operands=[(_num(q.value), q.unit.value) for q in s.operands],
                result=(_num(s.result.value), s.result.unit.value),
                rounding=s.rounding.value if s.rounding else None,
            )
            for s in r.steps
        ],
    )


def visit_read(v: Visit) -> VisitRead:
    """DTO of a visit."""
    return dto(VisitRead, v, who_flags=list(v.who_flags or []), alerts=list(v.alerts or []))


def _current_ration(e: Episode, p: ProtocolDefinition, *, shown: bool) -> RationRead | None:
    """The ration decided at the latest visit of an episode still shown open, with its arithmetic."""
    visits = [v for v in e.visits if v.deleted_at is None]
    if not shown or not visits or not visits[-1].ration_days:
        return None
    last = visits[-1]
    return ration_read(
        ration(band=Band(last.band), weight_kg=last.weight_kg, days=last.ration_days, p=p)
    )


def awaited_read(awaited: Sequence[Awaited]) -> list[AwaitedRead]:
    """DTOs of what an episode waits for."""
    return [
        AwaitedRead(
            kind=a.kind.value,
            measurements=a.measurements,
            muac_min_mm=a.muac_min_mm,
            whz_min=a.whz_min,
        )
        for a in awaited
    ]


def _awaited(e: Episode, p: ProtocolDefinition) -> list[AwaitedRead]:
    """What an open episode waits for (docs/clinical-rules.md §3.4 rule 3), for the card."""
    if e.status != "open" or not any(v.is_admission for v in e.visits):
        return []
    visits = [visit_facts(v) for v in e.visits if v.deleted_at is None and not v.is_admission]
    return awaited_read(awaited_in_episode(admission=admission_facts(e), visits=visits, p=p))


def episode_read(e: Episode, today: date | None = None) -> EpisodeRead:
    """DTO of an episode with its visits (patient, place and visits loaded), as of ``today``.

    A child not seen for the protocol's number of visits reads as defaulted on the day it
    happened, whoever reads first: nothing is written.
    """
    p = protocol_of(e)
    state = state_on(e, today or utc_today())
    # Recorded open but read as defaulted: visits dated before the default day can still be
    # entered from paper (late entry), so the card keeps the last decision and the form.
    late_entry_before = state.closed_on if e.status == "open" and not state.is_open else None
    shown = state.is_open or late_entry_before is not None
    return dto(
        EpisodeRead,
        e,
        patient_name=f"{e.patient.given_name} {e.patient.family_name}",
        patient_identifier=e.patient.identifier,
        place_code=e.place.code,
        place_name=e.place.name,
        protocol_title=p.title,
        admission_criteria=list(e.admission_criteria),
        status=state.status.value,
        next_visit_on=e.next_visit_on if shown else None,
        sachets_per_week=e.sachets_per_week if shown else 0,
        outcome=state.outcome.value if state.outcome else None,
        closed_on=state.closed_on,
        visits=[visit_read(v) for v in e.visits if v.deleted_at is None],
        current_ration=_current_ration(e, p, shown=shown),
        awaited=_awaited(e, p) if shown else [],
        late_entry_before=late_entry_before,
    )


def writable_episode(
    session: Session, episode_id: uuid.UUID, actor: Actor, *, with_visits: bool = True
) -> Episode | None:
    """The episode if the actor may write to it; otherwise ``None``, with the refusal audited.

    A soft-deleted child's episode can still be read (as the child's record can) but takes no
    visit or exit.
    """
    episode = visible_episode(
        session, episode_id, actor, Permission.PATIENT_WRITE, with_visits=with_visits
    )
    if episode is not None and episode.patient.deleted_at is not None:
        episode = None
    if episode is None:
        audit_denied(
            session, actor, entity_type="nutrition_episode", entity_id=episode_id, patient_id=None
        )
    return episode


def visible_episode(
    session: Session,
    episode_id: uuid.UUID,
    actor: Actor,
    permission: Permission,
    *,
    with_visits: bool = True,
) -> Episode | None:
    """The live episode if ``permission`` holds at its place, else ``None`` (nothing audited)."""
    episode = repository.find_episode(session, episode_id, with_visits=with_visits)
    if episode is None or episode.deleted_at is not None:
        return None
    if not actor.can_at(permission, episode.place.path):
        return None
    return episode


def materialise_default(session: Session, episode: Episode, actor: Actor | None) -> None:
    """Record the default the rule already reads: closed as defaulted on ``defaults_on``.

    Every reader sees the same outcome and date before and after, so no approved figure moves
    and the month's lock does not apply (nothing it guards changes).
    """
    on = episode.defaults_on
    assert on is not None  # noqa: S101 - only called for an episode defaulted by the rule
    records_derived_state(session, episode)
    close_episode(session, actor, episode, Outcome.DEFAULTED, on, detail="default recorded as read")


def close(episode: Episode, outcome: Outcome, on: date) -> None:
    """Close an episode with ``outcome`` on ``on``: no next visit, no default day, no ration."""
    episode.status = "closed"
    episode.outcome = outcome.value
    episode.closed_on = on
    episode.next_visit_on = None
    episode.defaults_on = None
    episode.sachets_per_week = 0


def close_episode(
    session: Session,
    actor: Actor | None,
    episode: Episode,
    outcome: Outcome,
    on: date,
    *,
    detail: str | None,
) -> None:
    """:func:`close` an open episode, audited as its exit (inside the caller's transaction)."""
    close(episode, outcome, on)
    after = {"status": "closed", "outcome": outcome.value, "closed_on": on.isoformat()}
    audit_change(session, actor, episode, {"status": "open"}, after, detail=detail)


def audit_change(
    session: Session,
    actor: Actor | None,
    episode: Episode,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    detail: str | None,
) -> None:
    """Flush a change of an episode and audit it (inside the caller's transaction)."""
    audit_changed(
        session, actor, "nutrition_episode", episode, before=before, after=after, detail=detail
    )


def not_before_last_visit(episode: Episode, on: date) -> None:
    """A decision dated ``on`` cannot precede the episode's last visit (NUT_028)."""
    if on < episode.last_visit_on:
        raise RuleViolation(
            NutritionError.NUT_028,
            closed_on=on,
            last_on=episode.last_visit_on,
        )


def close_defaulters(session: Session, paths: Sequence[str], on: date, actor: Actor | None) -> int:
    """Record as closed the open episodes defaulted by ``on`` (inside the caller's transaction).

    Housekeeping only: readers already derive the default from ``defaults_on`` with their own
    today, so the figures read the same before and after (docs/clinical-rules.md §4).
    """
    closed = 0
    for episode in repository.open_episodes_at(session, paths):
        if not state_on(episode, on).is_open:
            materialise_default(session, episode, actor)
            closed += 1
    return closed


def visit_facts(visit: Visit | repository.VisitHistory) -> VisitFacts:
    """The facts the rules need of a recorded visit."""
    return VisitFacts(
        visit_on=visit.visit_on,
        measurement=Measurement(
            muac_mm=visit.muac_mm,
            weight_kg=visit.weight_kg,
            height_cm=visit.height_cm,
            oedema=Oedema(visit.oedema),
            whz=visit.zwfl,
        ),
        temperature_c=visit.temperature_c,
        appetite_test_passed=visit.appetite_test_passed,
        danger_signs=visit.danger_signs,
        complications=visit.complications,
    )


def admission_facts(
    episode: Episode, history: Sequence[repository.VisitHistory] | None = None
) -> AdmissionFacts:
    """The facts the rules need of an episode's admission."""
    rows = episode.visits if history is None else history
    first = next(v for v in rows if v.is_admission)
    facts = visit_facts(first)
    return AdmissionFacts(
        admitted_on=episode.admitted_on,
        criteria=frozenset(AdmissionCriterion(c) for c in episode.admission_criteria),
        measurement=facts.measurement,
        temperature_c=facts.temperature_c,
    )
