"""Recording a follow-up visit: band, ration, next visit, alerts, discharge when cured."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.errors import RuleViolation
from alima.core.service.common import or_404
from alima.core.time import today as utc_today
from alima.nutrition import repository
from alima.nutrition.enums import Outcome
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode
from alima.nutrition.rules import (
    VisitFacts,
    assess_visit,
)
from alima.nutrition.schemas import (
    VisitCreate,
    VisitResult,
)
from alima.nutrition.service.episodes import (
    admission_facts,
    close,
    defaults_on,
    not_future,
    protocol_of,
    refuse_if_closed,
    visit_facts,
    writable_episode,
)
from alima.nutrition.service.measures import (
    anthropometry,
    check_plausible,
    visit_result,
    visit_row,
)


def record_visit(
    session: Session, episode_id: uuid.UUID, data: VisitCreate, *, actor: Actor
) -> VisitResult:
    """Record a visit: z-scores, band, ration, next visit, alerts, discharge when cured.

    A visit that meets the protocol's cure rule (or its non-response delay) closes the
    episode; a suggested medical transfer is shown as an alert for the clinician to decide.
    One transaction: a refused visit writes nothing; a refused access writes only its audit.
    """
    on = data.visit_on or utc_today()
    not_future(on)
    with session.begin():
        episode = writable_episode(session, episode_id, actor, with_visits=False)
        result = _record_visit(session, episode, data, on, actor) if episode else None
    return or_404(result)


def _record_visit(
    session: Session, episode: Episode, data: VisitCreate, on: date, actor: Actor
) -> VisitResult:
    refuse_if_closed(episode, on)
    if data.muac_mm is None and data.weight_kg is None and not data.oedema.present:
        raise RuleViolation(NutritionError.NUT_026)
    p = protocol_of(episode)
    # The earlier visits as plain rows: the rules need their facts, not ORM objects.
    history = repository.visit_history(session, episode.id)
    measured = [v for v in history if v.height_cm is not None]
    last_height = (float(measured[-1].height_cm or 0), measured[-1].measure) if measured else None
    a = anthropometry(episode.patient, data, on, last_height=last_height)
    check_plausible(a, p, confirmed=data.confirm_unusual)
    previous = [visit_facts(v) for v in history if not v.is_admission]
    current = VisitFacts(
        visit_on=on,
        measurement=a.measurement,
        temperature_c=data.temperature_c,
        appetite_test_passed=data.appetite_test_passed,
        danger_signs=data.danger_signs,
        complications=data.complications,
    )
    decided = assess_visit(
        admission=admission_facts(episode, history), visits=[*previous, current], p=p
    )
    before = {"band": episode.band, "status": episode.status}
    visit = visit_row(episode, data, a, on, decided, is_admission=False, actor=actor)
    session.add(visit)
    episode.band = decided.band.value
    episode.last_visit_on = on
    episode.visits_count += 1
    episode.sachets_total += visit.sachets_given
    outcome = decided.exit.outcome
    if outcome is Outcome.CURED or outcome is Outcome.NON_RESPONDER:
        close(episode, outcome, on)
    else:
        # A referral the rules suggest waits for the clinician's decision (resolve_referral).
        referral = outcome is Outcome.MEDICAL_TRANSFER
        episode.referred_on = (episode.referred_on or on) if referral else None
        episode.next_visit_on = decided.next_visit_on
        episode.visit_interval_days = (
            (decided.next_visit_on - on).days
            if decided.next_visit_on
            else episode.visit_interval_days
        )
        episode.defaults_on = defaults_on(episode.next_visit_on, episode.visit_interval_days, p)
        episode.sachets_per_week = decided.ration.sachets_per_week if decided.ration else 0
    record(
        session,
        actor,
        AuditAction.CREATE,
        entity_type="nutrition_visit",
        entity_id=visit.id,
        patient_id=episode.patient_id,
        place_id=episode.place_id,
        before=before,
        after={
            "band": episode.band,
            "status": episode.status,
            "outcome": episode.outcome,
            "referred_on": episode.referred_on.isoformat() if episode.referred_on else None,
            "muac_mm": data.muac_mm,
            "weight_kg": data.weight_kg,
        },
    )
    return visit_result(episode, visit, decided)
