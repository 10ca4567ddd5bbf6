"""Admitting a child to outpatient care (docs/clinical-rules.md §1-§3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import SERVICE_POINTS, AuditAction, PlaceKind
from alima.core.errors import (
    Conflict,
    RuleViolation,
)
from alima.core.policy import run_record_hooks
from alima.core.service.common import (
    audit_denied,
    audit_event,
    not_found,
)
from alima.core.time import today as utc_today
from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition import repository
from alima.nutrition.enums import (
    AdmissionDecision,
    AdmissionReason,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules import (
    AdmissionFacts,
    assess_admission,
    assess_visit,
    is_relapse,
)
from alima.nutrition.schemas import (
    AdmissionCreate,
    VisitResult,
)
from alima.nutrition.service.episodes import (
    CRITERION_PRIORITY,
    audit_change,
    defaults_on,
    materialise_default,
    not_future,
    state_on,
    visit_facts,
)
from alima.nutrition.service.measures import (
    anthropometry,
    check_plausible,
    visit_result,
    visit_row,
)
from alima.nutrition.service.protocols import protocol_for_admission


def _refusal(
    decision: AdmissionDecision,
    reasons: Sequence[AdmissionReason],
    age: float,
    p: ProtocolDefinition,
) -> RuleViolation:
    if decision is AdmissionDecision.REFER_INPATIENT:
        from alima.core.i18n import gettext

        labels = ", ".join(gettext(r.label) for r in reasons)
        return RuleViolation(NutritionError.NUT_023, reasons=labels)
    if decision is AdmissionDecision.APPETITE_TEST_NEEDED:
        return RuleViolation(NutritionError.NUT_024)
    if AdmissionReason.AGE_BELOW_MIN in reasons or AdmissionReason.AGE_ABOVE_MAX in reasons:
        return RuleViolation(
            NutritionError.NUT_002,
            age_months=round(age, 1),
            min_months=p.eligibility.age_min_months,
            max_months=p.eligibility.age_max_months,
        )
    return RuleViolation(NutritionError.NUT_003)


def _admitted(
    session: Session, episode: Episode, actor: Actor, then: Callable[[Episode], None]
) -> None:
    """What follows a written admission, in its transaction.

    The caller's ``then``, then the other domains' record hooks (a study screens the child,
    ``alima.core.policy``).
    """
    then(episode)
    run_record_hooks(session, "nutrition.admission", episode, actor)


def admit_child(
    session: Session,
    data: AdmissionCreate,
    *,
    actor: Actor,
    then: Callable[[Episode], None] = lambda _episode: None,
) -> VisitResult:
    """Admit a child to outpatient care: criteria, first ration, next visit (docs/clinical-rules.md §1-§3).

    The access check and its audit commit first, so a refused attempt is on record; the
    admission itself is one transaction (nothing is half-written when a rule refuses it).
    ``then`` runs inside it on the new episode (a community referral keeping the link).
    """
    on = data.admitted_on or utc_today()
    not_future(on)
    with session.begin():
        patient = core_repository.find_patient(session, data.patient_id)
        readable = (
            patient is not None
            and patient.deleted_at is None
            and actor.can_at(Permission.PATIENT_READ, patient.place.path)
        )
        place = patient.place if patient is not None else None
        if readable and data.place_code:
            place = core_repository.find_place_by_code(session, data.place_code)
        allowed = (
            readable
            and place is not None
            and PlaceKind(place.kind) in SERVICE_POINTS
            and actor.can_at(Permission.PATIENT_WRITE, place.path)
        )
        if not allowed or patient is None or place is None:
            audit_denied(
                session,
                actor,
                entity_type="nutrition_episode",
                entity_id=data.patient_id,
                patient_id=data.patient_id,
            )
            denied = True
        else:
            denied = False
    if denied or patient is None or place is None:
        raise not_found()
    with session.begin():
        open_episode = repository.find_open_episode(session, patient.id)
        if open_episode is not None:
            if state_on(open_episode, on).is_open:
                raise Conflict(NutritionError.NUT_001, admitted_on=open_episode.admitted_on)
            # The child defaulted from the previous episode before this admission: record
            # that exit as the rule already reads it (same outcome and date for every reader).
            materialise_default(session, open_episode, actor)
        p, overrides = protocol_for_admission(session, data.protocol_code, place, on)
        a = anthropometry(patient, data, on)
        if a.measurement.muac_mm is None and not a.measurement.oedema.present:
            raise RuleViolation(NutritionError.NUT_004)
        check_plausible(a, p, confirmed=data.confirm_unusual)
        age_months = a.age_days / DAYS_PER_MONTH
        assessment = assess_admission(
            age_months=age_months,
            m=a.measurement,
            appetite_test_passed=data.appetite_test_passed,
            complications=data.complications,
            danger_signs=data.danger_signs,
            p=p,
        )
        if (
            assessment.decision is not AdmissionDecision.ADMIT_OUTPATIENT
            or assessment.severity is None
        ):
            raise _refusal(assessment.decision, assessment.reasons, age_months, p)
        cured = repository.last_cured_on(session, patient.id)
        if data.transfer_in:
            admission_type = "transfer_in"
        elif cured and is_relapse(last_cured_on=cured[1], admitted_on=on, p=p):
            admission_type = "relapse"
        else:
            admission_type = "new"
        facts = AdmissionFacts(
            admitted_on=on,
            criteria=assessment.criteria,
            measurement=a.measurement,
            temperature_c=data.temperature_c,
        )
        decided = assess_visit(admission=facts, visits=[], p=p)
        main = next(c for c in CRITERION_PRIORITY if c in assessment.criteria)
        episode = Episode(
            patient_id=patient.id,
            place_id=place.id,
            protocol_code=p.code,
            protocol_version=p.version,
            protocol_fingerprint=p.fingerprint(),
            protocol_overrides=overrides,
            admitted_on=on,
            admission_type=admission_type,
            admission_criteria=sorted(c.value for c in assessment.criteria),
            main_criterion=main.value,
            severity=assessment.severity.value,
            age_months_at_admission=round(age_months, 2),
            appetite_test_passed=data.appetite_test_passed,
            amoxicillin_given=assessment.amoxicillin,
            previous_episode_id=cured[0] if cured and admission_type == "relapse" else None,
            status="open",
            band=decided.band.value,
            last_visit_on=on,
            next_visit_on=decided.next_visit_on,
            visit_interval_days=(decided.next_visit_on - on).days if decided.next_visit_on else 7,
            defaults_on=defaults_on(
                decided.next_visit_on,
                (decided.next_visit_on - on).days if decided.next_visit_on else 7,
                p,
            ),
            visits_count=1,
            sachets_total=decided.ration.sachets_for_period if decided.ration else 0,
            sachets_per_week=decided.ration.sachets_per_week if decided.ration else 0,
            created_by_id=actor.id,
        )
        session.add(episode)
        session.flush()
        visit = visit_row(episode, data, a, on, decided, is_admission=True, actor=actor)
        session.add(visit)
        session.flush()
        audit_event(
            session,
            actor,
            AuditAction.CREATE,
            "nutrition_episode",
            episode,
            after={
                "protocol": f"{p.code} {p.version}",
                "band": episode.band,
                "criteria": episode.admission_criteria,
                "type": admission_type,
            },
        )
        _admitted(session, episode, actor, then)
        return visit_result(episode, visit, decided)


def govern_by_protocol(
    session: Session, episode: Episode, protocol_code: str, *, actor: Actor, why: str
) -> None:
    """Put a just-admitted episode under another protocol (a study arm's), inside the caller's transaction.

    Only before the first follow-up visit: the admission is decided again under the new
    protocol (criteria, band, first ration, next visit), so the child is treated from the start
    as that protocol says. A protocol that would not admit the child refuses the change.
    """
    if episode.status != "open" or episode.visits_count != 1:
        msg = "only an open episode without follow-up visit changes protocol"
        raise ValueError(msg)
    if episode.protocol_code == protocol_code:
        return
    first = next(v for v in episode.visits if v.is_admission)
    facts = visit_facts(first)
    before = f"{episode.protocol_code} {episode.protocol_version}"
    p, overrides = protocol_for_admission(
        session, protocol_code, episode.place, episode.admitted_on
    )
    age_months = first.age_days / DAYS_PER_MONTH
    assessment = assess_admission(
        age_months=age_months,
        m=facts.measurement,
        appetite_test_passed=facts.appetite_test_passed,
        complications=facts.complications,
        danger_signs=facts.danger_signs,
        p=p,
    )
    if assessment.decision is not AdmissionDecision.ADMIT_OUTPATIENT or assessment.severity is None:
        raise _refusal(assessment.decision, assessment.reasons, age_months, p)
    on = episode.admitted_on
    decided = assess_visit(
        admission=AdmissionFacts(
            admitted_on=on,
            criteria=assessment.criteria,
            measurement=facts.measurement,
            temperature_c=facts.temperature_c,
        ),
        visits=[],
        p=p,
    )
    interval = (decided.next_visit_on - on).days if decided.next_visit_on else 7
    main = next(c for c in CRITERION_PRIORITY if c in assessment.criteria)
    episode.protocol_code = p.code
    episode.protocol_version = p.version
    episode.protocol_fingerprint = p.fingerprint()
    episode.protocol_overrides = overrides
    episode.admission_criteria = sorted(c.value for c in assessment.criteria)
    episode.main_criterion = main.value
    episode.severity = assessment.severity.value
    episode.amoxicillin_given = assessment.amoxicillin
    episode.band = decided.band.value
    episode.next_visit_on = decided.next_visit_on
    episode.visit_interval_days = interval
    episode.defaults_on = defaults_on(decided.next_visit_on, interval, p)
    episode.sachets_total = decided.ration.sachets_for_period if decided.ration else 0
    episode.sachets_per_week = decided.ration.sachets_per_week if decided.ration else 0
    given = decided.ration
    first.band = decided.band.value
    first.product = given.product.value if given else None
    first.kcal_per_kg_day = (
        float(given.kcal_per_kg_day) if given and given.kcal_per_kg_day else None
    )
    first.sachets_per_day = float(given.sachets_per_day) if given else None
    first.ration_days = given.days if given else 0
    first.sachets_given = given.sachets_for_period if given else 0
    first.next_visit_on = decided.next_visit_on
    first.alerts = [al.kind.value for al in decided.alerts]
    after = {"protocol": f"{p.code} {p.version}", "band": episode.band, "why": why}
    audit_change(session, actor, episode, {"protocol": before}, after, detail=None)
