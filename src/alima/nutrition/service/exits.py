"""Closing an episode by a person's decision, and deciding on a suggested referral."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor
from alima.core.enums import SERVICE_POINTS, PlaceKind
from alima.core.errors import (
    Conflict,
    RuleViolation,
)
from alima.core.service.common import or_404
from alima.core.time import today as utc_today
from alima.nutrition.enums import (
    Band,
    Outcome,
    ReferralDecision,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode
from alima.nutrition.rules import (
    next_visit_on,
    ration,
    visit_interval_days,
)
from alima.nutrition.schemas import (
    EpisodeRead,
    ExitCreate,
    ReferralResolve,
)
from alima.nutrition.service.episodes import (
    audit_change,
    close_episode,
    defaults_on,
    episode_read,
    not_before_last_visit,
    not_future,
    protocol_of,
    refuse_if_closed,
    writable_episode,
)

D = TypeVar("D", ExitCreate, ReferralResolve)


def _write_episode(
    session: Session,
    episode_id: uuid.UUID,
    actor: Actor,
    data: D,
    *,
    day: date | None,
    write: Callable[[Session, Episode, D, date, Actor], EpisodeRead],
) -> EpisodeRead:
    """Run ``write`` on a writable episode in one transaction, dated ``day`` (today by default).

    A day in the future is refused; an episode outside the actor's scope is a 404, its refusal
    audited by ``writable_episode``.
    """
    on = day or utc_today()
    not_future(on)
    with session.begin():
        episode = writable_episode(session, episode_id, actor)
        result = write(session, episode, data, on, actor) if episode else None
    return or_404(result)


def exit_episode(
    session: Session, episode_id: uuid.UUID, data: ExitCreate, *, actor: Actor
) -> EpisodeRead:
    """Close an episode with an outcome decided by a person (died, transferred, defaulted...).

    A death is recorded only when ``confirm_death`` says it was checked (NUT_030): one wrong
    click must not close a living child's treatment.
    """
    return _write_episode(session, episode_id, actor, data, day=data.closed_on, write=_exit_episode)


def _exit_episode(
    session: Session, episode: Episode, data: ExitCreate, on: date, actor: Actor
) -> EpisodeRead:
    refuse_if_closed(episode, on)
    not_before_last_visit(episode, on)
    if data.outcome is Outcome.DIED and not data.confirm_death:
        raise RuleViolation(NutritionError.NUT_030, field="confirm_death")
    if data.outcome is Outcome.TRANSFER_OUT:
        target = (
            core_repository.find_place_by_code(session, data.transfer_place_code)
            if data.transfer_place_code
            else None
        )
        if target is None or PlaceKind(target.kind) not in SERVICE_POINTS:
            raise RuleViolation(NutritionError.NUT_027)
        episode.transfer_place_id = target.id
    episode.exit_note = data.note
    close_episode(session, actor, episode, data.outcome, on, detail=data.note)
    return episode_read(episode, on)


def resolve_referral(
    session: Session, episode_id: uuid.UUID, data: ReferralResolve, *, actor: Actor
) -> EpisodeRead:
    """Record the decision on a referral to inpatient care suggested at a visit.

    ``transfer``: the episode exits with the outcome ``medical_transfer`` on the decision day
    (docs/clinical-rules.md §4: a medical transfer is an exit; ``note`` may name the hospital).
    ``keep``: the clinician keeps the child in outpatient care for a stated reason (``note``,
    NUT_032); the ration the rules give for the current band covers the visit interval from the
    decision day, is recorded on the referral visit, and the next visit is scheduled.

    Raises:
        NotFound: the episode is outside the actor's scope (the attempt is audited).
        Conflict: NUT_020 (episode closed), NUT_031 (no referral awaits a decision).
        RuleViolation: NUT_032 (no reason to keep), NUT_025 / NUT_028 (date).
    """
    return _write_episode(
        session, episode_id, actor, data, day=data.decided_on, write=_resolve_referral
    )


def _resolve_referral(
    session: Session, episode: Episode, data: ReferralResolve, on: date, actor: Actor
) -> EpisodeRead:
    refuse_if_closed(episode, on)
    if episode.referred_on is None:
        raise Conflict(NutritionError.NUT_031)
    if data.decision is ReferralDecision.TRANSFER:
        transfer = ExitCreate(outcome=Outcome.MEDICAL_TRANSFER, closed_on=on, note=data.note)
        return _exit_episode(session, episode, transfer, on, actor)
    reason = (data.note or "").strip()
    if not reason:
        raise RuleViolation(NutritionError.NUT_032, field="referral_note")
    not_before_last_visit(episode, on)
    p = protocol_of(episode)
    band = Band(episode.band)
    visits = [v for v in episode.visits if v.deleted_at is None]
    last = visits[-1]
    weight = next((v.weight_kg for v in reversed(visits) if v.weight_kg is not None), None)
    given = ration(band=band, weight_kg=weight, days=visit_interval_days(band, p), p=p)
    next_on = next_visit_on(on, band, p)
    last.product = given.product.value
    last.kcal_per_kg_day = float(given.kcal_per_kg_day) if given.kcal_per_kg_day else None
    last.sachets_per_day = float(given.sachets_per_day)
    last.ration_days = given.days
    last.sachets_given = given.sachets_for_period
    last.next_visit_on = next_on
    referred_on = episode.referred_on
    episode.referred_on = None
    episode.referral_kept_reason = reason
    episode.next_visit_on = next_on
    episode.visit_interval_days = (next_on - on).days
    episode.defaults_on = defaults_on(next_on, episode.visit_interval_days, p)
    episode.sachets_total += given.sachets_for_period
    episode.sachets_per_week = given.sachets_per_week
    after = {
        "referral": ReferralDecision.KEEP.value,
        "next_visit_on": next_on.isoformat(),
        "sachets_given": given.sachets_for_period,
    }
    audit_change(
        session, actor, episode, {"referred_on": referred_on.isoformat()}, after, detail=reason
    )
    return episode_read(episode)
