"""Use cases of CMAM care: admit, record a visit, close an episode, caseload, monthly report.

Each public function is one transaction. The protocol decisions (band, ration, next visit,
alerts, exit) come from ``alima.nutrition.rules`` and the z-scores from ``alima.growth``; the
service only gathers the facts, applies the rules, writes the rows with their audit events and
returns what the page shows. A child outside the actor's scope is reported as absent (404) and
the attempt is audited, as for patients.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import SERVICE_POINTS, AuditAction, PlaceKind
from alima.core.errors import (
    AlimaError,
    BadRequest,
    Conflict,
    CoreError,
    NotFound,
    RuleViolation,
)
from alima.core.models import Patient, Place
from alima.core.policy import ensure_period_open
from alima.core.time import today as utc_today
from alima.growth import child_zscores
from alima.nutrition import repository
from alima.nutrition.enums import (
    AdmissionCriterion,
    AdmissionDecision,
    AdmissionReason,
    Band,
    Oedema,
    Outcome,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode, ProtocolOverride, Visit
from alima.nutrition.protocol import ProtocolDefinition, apply_overrides, load_protocol
from alima.nutrition.rules import (
    AdmissionFacts,
    Measurement,
    Ration,
    VisitAssessment,
    VisitFacts,
    assess_admission,
    assess_visit,
    is_relapse,
    missed_visits,
    plausibility,
    ration,
    require_plausible,
)
from alima.nutrition.rules.report import (
    days_in_next_month,
    discharges,
    month_bounds,
    outcome_rates,
)
from alima.nutrition.schemas import (
    AdmissionCreate,
    AlertRead,
    CaseloadEntry,
    CaseloadRead,
    EpisodeRead,
    ExitCreate,
    MeasurementIn,
    MonthlyReport,
    RateRead,
    RationRead,
    RationStepRead,
    VisitCreate,
    VisitRead,
    VisitResult,
)

#: The criterion an admission is reported under when several are met (CMAM reporting order).
CRITERION_PRIORITY = (AdmissionCriterion.OEDEMA, AdmissionCriterion.MUAC, AdmissionCriterion.WHZ)
DAYS_PER_MONTH = 30.4375


# --- protocol ----------------------------------------------------------------------------------


def _country_id(place: Place) -> uuid.UUID:
    return uuid.UUID(hex=place.path.strip("/").split("/")[0])


def _protocol_for_admission(
    session: Session, code: str, place: Place, on: date
) -> tuple[ProtocolDefinition, dict[str, object] | None]:
    base = load_protocol(code)
    override = repository.active_override(
        session, country_id=_country_id(place), code=base.code, version=base.version, on=on
    )
    if override is None:
        return base, None
    return apply_overrides(base, override.overrides), dict(override.overrides)


def _protocol_of(episode: Episode) -> ProtocolDefinition:
    base = load_protocol(episode.protocol_code, episode.protocol_version)
    if episode.protocol_overrides:
        return apply_overrides(base, episode.protocol_overrides)
    return base


# --- facts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Anthropometry:
    measurement: Measurement
    age_days: int
    zwfl: float | None
    zwei: float | None
    zlen: float | None
    zac: float | None
    flags: list[str]


def _anthropometry(
    patient: Patient,
    data: MeasurementIn,
    on: date,
    *,
    last_height: tuple[float, str | None] | None = None,
) -> _Anthropometry:
    """Z-scores of a measurement; without a new height, the last one measured is used for WHZ.

    Height is measured less often than weight in CMAM follow-up; weight-for-height with the
    latest height is what the nurse would compute by hand. The visit still records no height.
    """
    age_days = (on - patient.birth_date).days
    height: float | None = data.height_cm
    measure: str | None = data.measure
    if height is None and last_height is not None:
        height, measure = last_height
    z = child_zscores(
        sex=1 if patient.sex == "M" else 2,
        age_days=age_days if age_days >= 0 else None,
        weight=data.weight_kg,
        lenhei=height,
        measure=measure,
        muac=data.muac_mm / 10 if data.muac_mm is not None else None,
        oedema="y" if data.oedema.present else "n",
    )
    flags = [
        name
        for name, value in (("fwei", z.fwei), ("fwfl", z.fwfl), ("flen", z.flen), ("fac", z.fac))
        if value == 1
    ]
    measurement = Measurement(
        muac_mm=data.muac_mm,
        weight_kg=data.weight_kg,
        height_cm=data.height_cm,
        oedema=data.oedema,
        whz=z.zwfl,
    )
    return _Anthropometry(measurement, age_days, z.zwfl, z.zwei, z.zlen, z.zac, flags)


def _check_plausible(a: _Anthropometry, p: ProtocolDefinition, *, confirmed: bool) -> None:
    issues = plausibility(
        a.measurement, age_days=a.age_days, p=p, who_flags=dict.fromkeys(a.flags, True)
    )
    require_plausible(issues, confirmed=confirmed)


def _visit_facts(visit: Visit) -> VisitFacts:
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


def _admission_facts(episode: Episode) -> AdmissionFacts:
    first = next(v for v in episode.visits if v.is_admission)
    facts = _visit_facts(first)
    return AdmissionFacts(
        admitted_on=episode.admitted_on,
        criteria=frozenset(AdmissionCriterion(c) for c in episode.admission_criteria),
        measurement=facts.measurement,
        temperature_c=facts.temperature_c,
    )


def _not_future(on: date) -> None:
    if on > utc_today():
        raise RuleViolation(NutritionError.NUT_025, on=on.isoformat())


# --- DTOs --------------------------------------------------------------------------------------


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
    return VisitRead(
        id=v.id,
        visit_on=v.visit_on,
        is_admission=v.is_admission,
        weight_kg=v.weight_kg,
        height_cm=v.height_cm,
        muac_mm=v.muac_mm,
        oedema=Oedema(v.oedema),
        temperature_c=v.temperature_c,
        zwfl=v.zwfl,
        zwei=v.zwei,
        zac=v.zac,
        who_flags=list(v.who_flags or []),
        band=v.band,
        product=v.product,
        sachets_per_day=v.sachets_per_day,
        sachets_given=v.sachets_given,
        next_visit_on=v.next_visit_on,
        alerts=list(v.alerts or []),
    )


def _current_ration(e: Episode, p: ProtocolDefinition) -> RationRead | None:
    """The ration decided at the latest visit of an open episode, with its arithmetic."""
    visits = [v for v in e.visits if v.deleted_at is None]
    if e.status != "open" or not visits or not visits[-1].ration_days:
        return None
    last = visits[-1]
    return ration_read(
        ration(band=Band(last.band), weight_kg=last.weight_kg, days=last.ration_days, p=p)
    )


def episode_read(e: Episode) -> EpisodeRead:
    """DTO of an episode with its visits (patient, place and visits loaded)."""
    p = _protocol_of(e)
    return EpisodeRead(
        id=e.id,
        patient_id=e.patient_id,
        patient_name=f"{e.patient.given_name} {e.patient.family_name}",
        patient_identifier=e.patient.identifier,
        place_code=e.place.code,
        place_name=e.place.name,
        protocol_code=e.protocol_code,
        protocol_version=e.protocol_version,
        protocol_title=p.title,
        admitted_on=e.admitted_on,
        admission_type=e.admission_type,
        admission_criteria=list(e.admission_criteria),
        severity=e.severity,
        age_months_at_admission=e.age_months_at_admission,
        amoxicillin_given=e.amoxicillin_given,
        status=e.status,
        band=e.band,
        next_visit_on=e.next_visit_on,
        sachets_total=e.sachets_total,
        sachets_per_week=e.sachets_per_week,
        outcome=e.outcome,
        closed_on=e.closed_on,
        visits=[visit_read(v) for v in e.visits if v.deleted_at is None],
        current_ration=_current_ration(e, p),
    )


def _result(episode: Episode, visit: Visit, a: VisitAssessment) -> VisitResult:
    return VisitResult(
        episode_id=episode.id,
        visit=visit_read(visit),
        band=a.band.value,
        previous_band=a.previous_band.value if a.previous_band else None,
        band_changed=a.band_changed,
        rutf_sachets_per_week=a.ration.sachets_per_week if a.ration else 0,
        ration=ration_read(a.ration) if a.ration else None,
        next_visit_on=a.next_visit_on,
        alerts=[
            AlertRead(kind=al.kind.value, action=al.action.value, params=dict(al.params))
            for al in a.alerts
        ],
        status=episode.status,
        outcome=episode.outcome,
        cure_streak=a.exit.cure_streak,
        cure_visits_needed=a.exit.cure_visits_needed,
        days_in_treatment=a.exit.days_in_treatment,
    )


# --- access ------------------------------------------------------------------------------------


def _deny(
    session: Session,
    actor: Actor,
    action: AuditAction,
    *,
    entity: str,
    entity_id: uuid.UUID,
    patient_id: uuid.UUID | None,
) -> None:
    record(session, actor, action, entity_type=entity, entity_id=entity_id, patient_id=patient_id)


def _writable_episode(session: Session, episode_id: uuid.UUID, actor: Actor) -> Episode | None:
    """The episode if the actor may write to it; otherwise ``None``, with the refusal audited."""
    episode = _visible_episode(session, episode_id, actor, Permission.PATIENT_WRITE)
    if episode is None:
        _deny(
            session,
            actor,
            AuditAction.WRITE_DENIED,
            entity="nutrition_episode",
            entity_id=episode_id,
            patient_id=None,
        )
    return episode


def _visible_episode(
    session: Session, episode_id: uuid.UUID, actor: Actor, permission: Permission
) -> Episode | None:
    episode = repository.find_episode(session, episode_id)
    if episode is None or episode.deleted_at is not None:
        return None
    if not actor.can_at(permission, episode.place.path):
        return None
    return episode


# --- use cases ---------------------------------------------------------------------------------


def _visit_row(
    episode: Episode,
    data: MeasurementIn,
    a: _Anthropometry,
    on: date,
    assessment: VisitAssessment,
    *,
    is_admission: bool,
    actor: Actor,
) -> Visit:
    given = assessment.ration
    return Visit(
        episode_id=episode.id,
        place_id=episode.place_id,
        is_admission=is_admission,
        visit_on=on,
        weight_kg=data.weight_kg,
        height_cm=data.height_cm,
        measure=data.measure,
        muac_mm=data.muac_mm,
        oedema=data.oedema.value,
        temperature_c=data.temperature_c,
        appetite_test_passed=data.appetite_test_passed,
        danger_signs=data.danger_signs,
        complications=data.complications,
        age_days=a.age_days,
        zwfl=a.zwfl,
        zwei=a.zwei,
        zlen=a.zlen,
        zac=a.zac,
        who_flags=a.flags,
        confirmed_unusual=data.confirm_unusual,
        band=assessment.band.value,
        product=given.product.value if given else None,
        kcal_per_kg_day=float(given.kcal_per_kg_day) if given and given.kcal_per_kg_day else None,
        sachets_per_day=float(given.sachets_per_day) if given else None,
        ration_days=given.days if given else 0,
        sachets_given=given.sachets_for_period if given else 0,
        next_visit_on=assessment.next_visit_on,
        alerts=[al.kind.value for al in assessment.alerts],
        note=data.note,
        created_by_id=actor.id,
    )


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


def admit_child(session: Session, data: AdmissionCreate, *, actor: Actor) -> VisitResult:
    """Admit a child to outpatient care: criteria, first ration, next visit (PROTOCOLS.md §1-§3).

    The access check and its audit commit first, so a refused attempt is on record; the
    admission itself is one transaction (nothing is half-written when a rule refuses it).
    """
    on = data.admitted_on or utc_today()
    _not_future(on)
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
            _deny(
                session,
                actor,
                AuditAction.WRITE_DENIED,
                entity="nutrition_episode",
                entity_id=data.patient_id,
                patient_id=data.patient_id,
            )
            denied = True
        else:
            denied = False
    if denied or patient is None or place is None:
        raise NotFound(CoreError.CORE_001)
    with session.begin():
        open_episode = repository.find_open_episode(session, patient.id)
        if open_episode is not None:
            raise Conflict(NutritionError.NUT_001, admitted_on=open_episode.admitted_on.isoformat())
        p, overrides = _protocol_for_admission(session, data.protocol_code, place, on)
        a = _anthropometry(patient, data, on)
        if a.measurement.muac_mm is None and not a.measurement.oedema.present:
            raise RuleViolation(NutritionError.NUT_004)
        _check_plausible(a, p, confirmed=data.confirm_unusual)
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
            visits_count=1,
            sachets_total=decided.ration.sachets_for_period if decided.ration else 0,
            sachets_per_week=decided.ration.sachets_per_week if decided.ration else 0,
            created_by_id=actor.id,
        )
        session.add(episode)
        session.flush()
        visit = _visit_row(episode, data, a, on, decided, is_admission=True, actor=actor)
        session.add(visit)
        session.flush()
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="nutrition_episode",
            entity_id=episode.id,
            patient_id=patient.id,
            place_id=place.id,
            after={
                "protocol": f"{p.code} {p.version}",
                "band": episode.band,
                "criteria": episode.admission_criteria,
                "type": admission_type,
            },
        )
        return _result(episode, visit, decided)


def record_visit(
    session: Session, episode_id: uuid.UUID, data: VisitCreate, *, actor: Actor
) -> VisitResult:
    """Record a visit: z-scores, band, ration, next visit, alerts, discharge when cured.

    A visit that meets the protocol's cure rule (or its non-response delay) closes the
    episode; a suggested medical transfer is shown as an alert for the clinician to decide.
    One transaction: a refused visit writes nothing; a refused access writes only its audit.
    """
    on = data.visit_on or utc_today()
    _not_future(on)
    with session.begin():
        episode = _writable_episode(session, episode_id, actor)
        result = _record_visit(session, episode, data, on, actor) if episode else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def _record_visit(
    session: Session, episode: Episode, data: VisitCreate, on: date, actor: Actor
) -> VisitResult:
    if episode.status != "open":
        raise Conflict(
            NutritionError.NUT_020,
            closed_on=episode.closed_on.isoformat() if episode.closed_on else "",
            outcome=episode.outcome or "",
        )
    if data.muac_mm is None and data.weight_kg is None and not data.oedema.present:
        raise RuleViolation(NutritionError.NUT_026)
    p = _protocol_of(episode)
    measured = [v for v in episode.visits if v.height_cm is not None and v.deleted_at is None]
    last_height = (float(measured[-1].height_cm or 0), measured[-1].measure) if measured else None
    a = _anthropometry(episode.patient, data, on, last_height=last_height)
    _check_plausible(a, p, confirmed=data.confirm_unusual)
    previous = [
        _visit_facts(v) for v in episode.visits if not v.is_admission and v.deleted_at is None
    ]
    current = VisitFacts(
        visit_on=on,
        measurement=a.measurement,
        temperature_c=data.temperature_c,
        appetite_test_passed=data.appetite_test_passed,
        danger_signs=data.danger_signs,
        complications=data.complications,
    )
    decided = assess_visit(admission=_admission_facts(episode), visits=[*previous, current], p=p)
    before = {"band": episode.band, "status": episode.status}
    visit = _visit_row(episode, data, a, on, decided, is_admission=False, actor=actor)
    session.add(visit)
    episode.band = decided.band.value
    episode.last_visit_on = on
    episode.visits_count += 1
    episode.sachets_total += visit.sachets_given
    outcome = decided.exit.outcome
    if outcome is Outcome.CURED or outcome is Outcome.NON_RESPONDER:
        episode.status = "closed"
        episode.outcome = outcome.value
        episode.closed_on = on
        episode.next_visit_on = None
        episode.sachets_per_week = 0
    else:
        episode.next_visit_on = decided.next_visit_on
        episode.visit_interval_days = (
            (decided.next_visit_on - on).days
            if decided.next_visit_on
            else episode.visit_interval_days
        )
        episode.sachets_per_week = decided.ration.sachets_per_week if decided.ration else 0
    session.flush()
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
            "muac_mm": data.muac_mm,
            "weight_kg": data.weight_kg,
        },
    )
    return _result(episode, visit, decided)


def exit_episode(
    session: Session, episode_id: uuid.UUID, data: ExitCreate, *, actor: Actor
) -> EpisodeRead:
    """Close an episode with an outcome decided by a person (died, transferred, defaulted...)."""
    on = data.closed_on or utc_today()
    _not_future(on)
    with session.begin():
        episode = _writable_episode(session, episode_id, actor)
        result = _exit_episode(session, episode, data, on, actor) if episode else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def _exit_episode(
    session: Session, episode: Episode, data: ExitCreate, on: date, actor: Actor
) -> EpisodeRead:
    if episode.status != "open":
        raise Conflict(
            NutritionError.NUT_020,
            closed_on=episode.closed_on.isoformat() if episode.closed_on else "",
            outcome=episode.outcome or "",
        )
    if on < episode.last_visit_on:
        raise RuleViolation(
            NutritionError.NUT_028,
            closed_on=on.isoformat(),
            last_on=episode.last_visit_on.isoformat(),
        )
    if data.outcome is Outcome.TRANSFER_OUT:
        target = (
            core_repository.find_place_by_code(session, data.transfer_place_code)
            if data.transfer_place_code
            else None
        )
        if target is None or PlaceKind(target.kind) not in SERVICE_POINTS:
            raise RuleViolation(NutritionError.NUT_027)
        episode.transfer_place_id = target.id
    episode.status = "closed"
    episode.outcome = data.outcome.value
    episode.closed_on = on
    episode.next_visit_on = None
    episode.sachets_per_week = 0
    episode.exit_note = data.note
    session.flush()
    record(
        session,
        actor,
        AuditAction.UPDATE,
        entity_type="nutrition_episode",
        entity_id=episode.id,
        patient_id=episode.patient_id,
        place_id=episode.place_id,
        before={"status": "open"},
        after={"status": "closed", "outcome": episode.outcome, "closed_on": on.isoformat()},
        detail=data.note,
    )
    return episode_read(episode)


def get_episode(session: Session, episode_id: uuid.UUID, *, actor: Actor) -> EpisodeRead:
    """An episode with its visits (the read is audited)."""
    with session.begin():
        episode = _visible_episode(session, episode_id, actor, Permission.PATIENT_READ)
        record(
            session,
            actor,
            AuditAction.READ if episode else AuditAction.READ_DENIED,
            entity_type="nutrition_episode",
            entity_id=episode_id,
            patient_id=episode.patient_id if episode else None,
            place_id=episode.place_id if episode else None,
        )
        result = episode_read(episode) if episode else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def patient_episodes(session: Session, patient_id: uuid.UUID, *, actor: Actor) -> list[EpisodeRead]:
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
                result.append(episode_read(loaded))
        return result


def _default_close_date(episode: Episode, p: ProtocolDefinition) -> date:
    due = episode.next_visit_on or episode.last_visit_on
    return due + timedelta(
        days=(p.exit.default_after_missed_visits - 1) * episode.visit_interval_days + 1
    )


def close_defaulters(session: Session, paths: Sequence[str], on: date, actor: Actor | None) -> int:
    """Close as defaulted every open episode that missed the protocol's number of visits.

    Runs inside the caller's transaction; the exit date is the day the last counted visit was
    missed (PROTOCOLS.md §4: absent for N consecutive visits).
    """
    closed = 0
    for episode in repository.open_episodes_at(session, paths):
        if episode.next_visit_on is None:
            continue
        p = _protocol_of(episode)
        missed = missed_visits(
            next_visit_due_on=episode.next_visit_on,
            today=on,
            interval_days=episode.visit_interval_days,
        )
        if missed >= p.exit.default_after_missed_visits:
            closed_on = _default_close_date(episode, p)
            try:
                ensure_period_open(session, place_id=episode.place_id, on=closed_on)
            except AlimaError:
                # The month the default happened in is approved and locked: record the exit
                # on the day it is detected rather than change approved figures.
                closed_on = on
            episode.status = "closed"
            episode.outcome = Outcome.DEFAULTED.value
            episode.closed_on = closed_on
            episode.next_visit_on = None
            episode.sachets_per_week = 0
            record(
                session,
                actor,
                AuditAction.UPDATE,
                entity_type="nutrition_episode",
                entity_id=episode.id,
                patient_id=episode.patient_id,
                place_id=episode.place_id,
                after={
                    "status": "closed",
                    "outcome": "defaulted",
                    "closed_on": closed_on.isoformat(),
                },
                detail="default detected",
            )
            closed += 1
    return closed


def caseload(
    session: Session, place_code: str, *, actor: Actor, on: date | None = None
) -> CaseloadRead:
    """Today's caseload at a site: due, missed, upcoming; defaulters are closed first."""
    on = on or utc_today()
    with session.begin():
        place = core_repository.find_place_by_code(session, place_code)
        if place is None or not actor.can_at(Permission.PATIENT_READ, place.path):
            raise NotFound(CoreError.CORE_011, code=place_code)
        defaulted = (
            close_defaulters(session, [place.path], on, actor)
            if actor.can_at(Permission.PATIENT_WRITE, place.path)
            else 0
        )
        due: list[CaseloadEntry] = []
        missed: list[CaseloadEntry] = []
        overdue: list[CaseloadEntry] = []
        upcoming: list[CaseloadEntry] = []
        episodes = repository.open_episodes_at(session, [place.path])
        for e in episodes:
            late = (on - e.next_visit_on).days if e.next_visit_on else 0
            entry = CaseloadEntry(
                episode_id=e.id,
                patient_id=e.patient_id,
                patient_name=f"{e.patient.given_name} {e.patient.family_name}",
                patient_identifier=e.patient.identifier,
                band=e.band,
                admitted_on=e.admitted_on,
                last_visit_on=e.last_visit_on,
                next_visit_on=e.next_visit_on,
                days_late=max(late, 0),
                missed_visits=missed_visits(
                    next_visit_due_on=e.next_visit_on, today=on, interval_days=e.visit_interval_days
                )
                if e.next_visit_on
                else 0,
            )
            if late == 0:
                due.append(entry)
            elif late > 0 and entry.missed_visits >= 2:  # noqa: PLR2004 - one missed is "missed"
                overdue.append(entry)
            elif late > 0:
                missed.append(entry)
            else:
                upcoming.append(entry)
        record(
            session, actor, AuditAction.READ, entity_type="nutrition_caseload", place_id=place.id
        )
        return CaseloadRead(
            place_code=place.code,
            place_name=place.name,
            on=on,
            open_total=len(episodes),
            due=due,
            missed=sorted(missed, key=lambda x: -x.days_late),
            overdue=sorted(overdue, key=lambda x: -x.days_late),
            upcoming=upcoming,
            defaulted_now=defaulted,
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


def monthly_report(
    session: Session,
    *,
    month: str,
    place_code: str | None = None,
    project_code: str | None = None,
    actor: Actor,
    include_medical_transfers: bool = True,
) -> MonthlyReport:
    """The monthly report of a site (with its subtree) or a project's places (aggregates only)."""
    start, end = month_bounds(month)
    if (place_code is None) == (project_code is None):
        raise BadRequest(CoreError.CORE_004, fields="place, project")
    with session.begin():
        allowed = actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(
            Permission.PATIENT_READ
        )
        if place_code is not None:
            place = core_repository.find_place_by_code(session, place_code)
            if place is None or not any(place.path.startswith(a) for a in allowed):
                raise NotFound(CoreError.CORE_011, code=place_code)
            paths = [place.path]
            scope_kind, scope_code, scope_name = "place", place.code, place.name
        else:
            assert project_code is not None  # noqa: S101 - checked above
            project = core_repository.find_project_by_code(session, project_code)
            project_paths = (
                core_repository.project_place_paths(session, [project.id]).get(project.id, [])
                if project
                else []
            )
            if (
                project is None
                or not project_paths
                or not all(any(p.startswith(a) for a in allowed) for p in project_paths)
            ):
                raise NotFound(CoreError.CORE_001)
            paths = project_paths
            scope_kind, scope_code, scope_name = "project", project.code, project.name
        at_start = repository.count_open_on(session, paths, before=start)
        by_criterion: dict[str, int] = {c.value: 0 for c in CRITERION_PRIORITY}
        by_type = {"new": 0, "relapse": 0, "transfer_in": 0}
        for admission_type, criterion, count in repository.admissions_by_type_and_criterion(
            session, paths, start=start, end=end
        ):
            by_type[admission_type] = by_type.get(admission_type, 0) + count
            if admission_type == "new":
                by_criterion[criterion] = by_criterion.get(criterion, 0) + count
        exits = repository.exits_by_outcome(session, paths, start=start, end=end)
        exits_all = {o.value: exits.get(o.value, 0) for o in Outcome}
        at_end = repository.count_open_on(session, paths, before=end + timedelta(days=1))
        cured = repository.cured_stays(session, paths, start=start, end=end)
        given = repository.sachets_given(session, paths, start=start, end=end)
        daily = repository.daily_sachets_of_caseload(session, paths, on=end)
    rates = outcome_rates(exits_all, include_medical_transfers=include_medical_transfers)
    return MonthlyReport(
        scope_kind=scope_kind,  # type: ignore[arg-type]  # one of the two literals above
        scope_code=scope_code,
        scope_name=scope_name,
        month=f"{start:%Y-%m}",
        start=start,
        end=end,
        at_start=at_start,
        admissions_by_criterion=by_criterion,
        new_admissions=by_type.get("new", 0),
        relapses=by_type.get("relapse", 0),
        transfers_in=by_type.get("transfer_in", 0),
        total_admissions=sum(by_type.values()),
        exits_by_outcome=exits_all,
        total_exits=sum(exits_all.values()),
        at_end=at_end,
        rate_denominator=discharges(exits_all, include_medical_transfers=include_medical_transfers),
        rates=[
            RateRead(
                outcome=r.outcome.value,
                count=r.count,
                rate=r.percent,
                standard=r.standard.text if r.standard else "",
                meets_standard=r.meets_standard,
            )
            for r in rates
        ],
        average_length_of_stay_days=(
            round(sum((c - a).days for a, c, _ in cured) / len(cured), 1) if cured else None
        ),
        rutf_sachets_per_child_cured=(
            round(sum(s for _, _, s in cured) / len(cured), 1) if cured else None
        ),
        rutf_sachets_given=given,
        next_month_rutf_sachets=math.ceil(round(daily * days_in_next_month(end), 6)),
        medical_transfers_in_denominator=include_medical_transfers,
    )


def set_protocol_override(
    session: Session,
    *,
    country_code: str,
    protocol_code: str,
    overrides: dict[str, object],
    effective_from: date,
    reason: str,
    actor: Actor | None,
) -> str:
    """Adapt a packaged protocol for a country from a date (validated; audited).

    Admissions from ``effective_from`` record the adapted protocol, its fingerprint and the
    overrides; episodes already open keep the protocol they were admitted under. ``actor``
    ``None`` is the server's console (``alima nutrition override``), else an administrator.

    Returns:
        The fingerprint of the adapted protocol.
    """
    base = load_protocol(protocol_code)
    adapted = apply_overrides(base, overrides)
    with session.begin():
        country = core_repository.find_place_by_code(session, country_code)
        if country is None or country.kind != PlaceKind.COUNTRY.value:
            raise NotFound(CoreError.CORE_011, code=country_code)
        if actor is not None and not actor.can_at(Permission.ADMINISTER, country.path):
            raise NotFound(CoreError.CORE_011, code=country_code)
        row = ProtocolOverride(
            country_id=country.id,
            protocol_code=base.code,
            protocol_version=base.version,
            overrides=dict(overrides),
            effective_from=effective_from,
            reason=reason,
            created_by_id=actor.id if actor else None,
        )
        session.add(row)
        session.flush()
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="nutrition_protocol_override",
            entity_id=row.id,
            place_id=country.id,
            after={
                "protocol": f"{base.code} {base.version}",
                "overrides": dict(overrides),
                "effective_from": effective_from.isoformat(),
                "fingerprint": adapted.fingerprint(),
            },
            detail=reason,
        )
    return adapted.fingerprint()


def close_defaulters_at(session: Session, *, place_code: str, on: date | None = None) -> int:
    """Close the defaulters of a place's subtree (console job; audited as the system)."""
    with session.begin():
        place = core_repository.find_place_by_code(session, place_code)
        if place is None:
            raise NotFound(CoreError.CORE_011, code=place_code)
        return close_defaulters(session, [place.path], on or utc_today(), None)


def report_scopes(
    session: Session, *, actor: Actor
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Places (any level) and projects whose monthly report the actor may read."""
    allowed = actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(Permission.PATIENT_READ)
    with session.begin():
        places = core_repository.list_places(session, allowed)
        projects = []
        for project in core_repository.list_projects(session):
            paths = core_repository.project_place_paths(session, [project.id]).get(project.id, [])
            if paths and all(any(p.startswith(a) for a in allowed) for p in paths):
                projects.append((project.code, project.name))
        return [(p.code, p.name) for p in places], projects
