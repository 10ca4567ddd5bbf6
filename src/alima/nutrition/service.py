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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record, record_list
from alima.core.db import new_id
from alima.core.enums import SERVICE_POINTS, AuditAction, PlaceKind
from alima.core.errors import (
    BadRequest,
    Conflict,
    CoreError,
    NotFound,
    RuleViolation,
)
from alima.core.models import Patient, Place
from alima.core.period_lock import records_derived_state
from alima.core.time import today as utc_today
from alima.growth import child_zscores
from alima.growth.muac import MuacCutoffs
from alima.nutrition import repository
from alima.nutrition.enums import (
    AdmissionCriterion,
    AdmissionDecision,
    AdmissionReason,
    Band,
    Oedema,
    Outcome,
    ReferralDecision,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.models import Episode, ProtocolOverride, Visit
from alima.nutrition.protocol import (
    CaseDefinition,
    ProtocolDefinition,
    apply_overrides,
    available_protocols,
    load_protocol,
)
from alima.nutrition.rules import (
    AdmissionFacts,
    Awaited,
    Measurement,
    Ration,
    VisitAssessment,
    VisitFacts,
    assess_admission,
    assess_visit,
    awaited_in_episode,
    is_relapse,
    next_visit_on,
    plausibility,
    ration,
    require_plausible,
    visit_interval_days,
)
from alima.nutrition.rules.follow_up import (
    EpisodeState,
    FollowUpState,
    default_on,
    episode_state,
    follow_up,
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
    AwaitedRead,
    CaseloadEntry,
    CaseloadRead,
    EpisodeRead,
    ExitCreate,
    MeasurementIn,
    MonthlyReport,
    RateRead,
    RationRead,
    RationStepRead,
    ReferralResolve,
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


def country_case_definition(session: Session, place: Place, on: date) -> CaseDefinition:
    """The SAM/MAM cut-offs in force at ``place`` on ``on``: one source for every domain.

    The case definition is shared by all protocols (docs/clinical-rules.md §1): it is the
    country's protocol as overridden (its most recent override in force, whichever protocol it
    adapts), or the packaged one. Community screening and IMCI triage read their MUAC colour
    bands from it (:func:`muac_cutoffs`), so a country override reaches them too. Call it
    inside the caller's transaction.
    """
    override = repository.latest_override(session, country_id=_country_id(place), on=on)
    if override is None:
        return available_protocols()[0].case_definition
    base = load_protocol(override.protocol_code, override.protocol_version)
    return apply_overrides(base, override.overrides).case_definition


def muac_cutoffs(session: Session, place: Place, on: date) -> MuacCutoffs:
    """MUAC tape colours from :func:`country_case_definition`.

    Red below the SAM cut-off, green from the MAM cut-off (docs/clinical-rules.md §1, §6).
    """
    cases = country_case_definition(session, place, on)
    return MuacCutoffs(red_below_mm=cases.sam_muac_below_mm, green_from_mm=cases.mam_muac_below_mm)


def _protocol_of(episode: Episode) -> ProtocolDefinition:
    base = load_protocol(episode.protocol_code, episode.protocol_version)
    if episode.protocol_overrides:
        return apply_overrides(base, episode.protocol_overrides)
    return base


def _defaults_on(
    next_visit_on: date | None, interval_days: int, p: ProtocolDefinition
) -> date | None:
    """The day the child defaults if not seen again (None without a next visit)."""
    if next_visit_on is None:
        return None
    return default_on(next_visit_due_on=next_visit_on, interval_days=interval_days, p=p)


def _state(e: Episode, today: date) -> EpisodeState:
    """The episode as of ``today`` (the one rule every reader and writer asks)."""
    return episode_state(
        status=e.status,
        outcome=e.outcome,
        closed_on=e.closed_on,
        defaults_on=e.defaults_on,
        today=today,
    )


def _refuse_if_closed(e: Episode, on: date) -> None:
    """A write dated ``on`` on an episode closed by then (recorded exit, or default) conflicts."""
    state = _state(e, on)
    if not state.is_open:
        raise Conflict(
            NutritionError.NUT_020,
            closed_on=state.closed_on.isoformat() if state.closed_on else "",
            outcome=state.outcome.value if state.outcome else "",
        )


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


def _visit_facts(visit: Visit | repository.VisitHistory) -> VisitFacts:
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


def _admission_facts(
    episode: Episode, history: Sequence[repository.VisitHistory] | None = None
) -> AdmissionFacts:
    rows = episode.visits if history is None else history
    first = next(v for v in rows if v.is_admission)
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


def _current_ration(e: Episode, p: ProtocolDefinition, *, shown: bool) -> RationRead | None:
    """The ration decided at the latest visit of an episode still shown open, with its arithmetic."""
    visits = [v for v in e.visits if v.deleted_at is None]
    if not shown or not visits or not visits[-1].ration_days:
        return None
    last = visits[-1]
    return ration_read(
        ration(band=Band(last.band), weight_kg=last.weight_kg, days=last.ration_days, p=p)
    )


def _awaited_read(awaited: Sequence[Awaited]) -> list[AwaitedRead]:
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
    visits = [_visit_facts(v) for v in e.visits if v.deleted_at is None and not v.is_admission]
    return _awaited_read(awaited_in_episode(admission=_admission_facts(e), visits=visits, p=p))


def episode_read(e: Episode, today: date | None = None) -> EpisodeRead:
    """DTO of an episode with its visits (patient, place and visits loaded), as of ``today``.

    A child not seen for the protocol's number of visits reads as defaulted on the day it
    happened, whoever reads first: nothing is written.
    """
    p = _protocol_of(e)
    state = _state(e, today or utc_today())
    # Recorded open but read as defaulted: visits dated before the default day can still be
    # entered from paper (late entry), so the card keeps the last decision and the form.
    late_entry_before = state.closed_on if e.status == "open" and not state.is_open else None
    shown = state.is_open or late_entry_before is not None
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
        status=state.status.value,
        band=e.band,
        next_visit_on=e.next_visit_on if shown else None,
        sachets_total=e.sachets_total,
        sachets_per_week=e.sachets_per_week if shown else 0,
        outcome=state.outcome.value if state.outcome else None,
        closed_on=state.closed_on,
        visits=[visit_read(v) for v in e.visits if v.deleted_at is None],
        current_ration=_current_ration(e, p, shown=shown),
        awaited=_awaited(e, p) if shown else [],
        referred_on=e.referred_on,
        referral_kept_reason=e.referral_kept_reason,
        late_entry_before=late_entry_before,
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
        awaited=_awaited_read(a.awaited),
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


def _writable_episode(
    session: Session, episode_id: uuid.UUID, actor: Actor, *, with_visits: bool = True
) -> Episode | None:
    """The episode if the actor may write to it; otherwise ``None``, with the refusal audited.

    A soft-deleted child's episode can still be read (as the child's record can) but takes no
    visit or exit.
    """
    episode = _visible_episode(
        session, episode_id, actor, Permission.PATIENT_WRITE, with_visits=with_visits
    )
    if episode is not None and episode.patient.deleted_at is not None:
        episode = None
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
    session: Session,
    episode_id: uuid.UUID,
    actor: Actor,
    permission: Permission,
    *,
    with_visits: bool = True,
) -> Episode | None:
    episode = repository.find_episode(session, episode_id, with_visits=with_visits)
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
        id=new_id(),  # known before the flush: the visit path flushes once, at commit
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
    """Admit a child to outpatient care: criteria, first ration, next visit (docs/clinical-rules.md §1-§3).

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
            if _state(open_episode, on).is_open:
                raise Conflict(
                    NutritionError.NUT_001, admitted_on=open_episode.admitted_on.isoformat()
                )
            # The child defaulted from the previous episode before this admission: record
            # that exit as the rule already reads it (same outcome and date for every reader).
            _materialise_default(session, open_episode, actor)
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
            defaults_on=_defaults_on(
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
        episode = _writable_episode(session, episode_id, actor, with_visits=False)
        result = _record_visit(session, episode, data, on, actor) if episode else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def _record_visit(
    session: Session, episode: Episode, data: VisitCreate, on: date, actor: Actor
) -> VisitResult:
    _refuse_if_closed(episode, on)
    if data.muac_mm is None and data.weight_kg is None and not data.oedema.present:
        raise RuleViolation(NutritionError.NUT_026)
    p = _protocol_of(episode)
    # The earlier visits as plain rows: the rules need their facts, not ORM objects.
    history = repository.visit_history(session, episode.id)
    measured = [v for v in history if v.height_cm is not None]
    last_height = (float(measured[-1].height_cm or 0), measured[-1].measure) if measured else None
    a = _anthropometry(episode.patient, data, on, last_height=last_height)
    _check_plausible(a, p, confirmed=data.confirm_unusual)
    previous = [_visit_facts(v) for v in history if not v.is_admission]
    current = VisitFacts(
        visit_on=on,
        measurement=a.measurement,
        temperature_c=data.temperature_c,
        appetite_test_passed=data.appetite_test_passed,
        danger_signs=data.danger_signs,
        complications=data.complications,
    )
    decided = assess_visit(
        admission=_admission_facts(episode, history), visits=[*previous, current], p=p
    )
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
        episode.defaults_on = None
        episode.sachets_per_week = 0
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
        episode.defaults_on = _defaults_on(episode.next_visit_on, episode.visit_interval_days, p)
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
    return _result(episode, visit, decided)


def _write_episode(
    session: Session,
    episode_id: uuid.UUID,
    actor: Actor,
    on: date,
    write: Callable[[Episode], EpisodeRead],
) -> EpisodeRead:
    """Run ``write`` on a writable episode in one transaction, dated ``on`` (not in the future).

    An episode outside the actor's scope is a 404, its refusal audited by ``_writable_episode``.
    """
    _not_future(on)
    with session.begin():
        episode = _writable_episode(session, episode_id, actor)
        result = write(episode) if episode else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


def exit_episode(
    session: Session, episode_id: uuid.UUID, data: ExitCreate, *, actor: Actor
) -> EpisodeRead:
    """Close an episode with an outcome decided by a person (died, transferred, defaulted...).

    A death is recorded only when ``confirm_death`` says it was checked (NUT_030): one wrong
    click must not close a living child's treatment.
    """
    on = data.closed_on or utc_today()
    return _write_episode(
        session, episode_id, actor, on, lambda e: _exit_episode(session, e, data, on, actor)
    )


def _exit_episode(
    session: Session, episode: Episode, data: ExitCreate, on: date, actor: Actor
) -> EpisodeRead:
    _refuse_if_closed(episode, on)
    if on < episode.last_visit_on:
        raise RuleViolation(
            NutritionError.NUT_028,
            closed_on=on.isoformat(),
            last_on=episode.last_visit_on.isoformat(),
        )
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
    episode.status = "closed"
    episode.outcome = data.outcome.value
    episode.closed_on = on
    episode.next_visit_on = None
    episode.defaults_on = None
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
    on = data.decided_on or utc_today()
    return _write_episode(
        session, episode_id, actor, on, lambda e: _resolve_referral(session, e, data, on, actor)
    )


def _resolve_referral(
    session: Session, episode: Episode, data: ReferralResolve, on: date, actor: Actor
) -> EpisodeRead:
    _refuse_if_closed(episode, on)
    if episode.referred_on is None:
        raise Conflict(NutritionError.NUT_031)
    if data.decision is ReferralDecision.TRANSFER:
        transfer = ExitCreate(outcome=Outcome.MEDICAL_TRANSFER, closed_on=on, note=data.note)
        return _exit_episode(session, episode, transfer, on, actor)
    reason = (data.note or "").strip()
    if not reason:
        raise RuleViolation(NutritionError.NUT_032, field="referral_note")
    if on < episode.last_visit_on:
        raise RuleViolation(
            NutritionError.NUT_028,
            closed_on=on.isoformat(),
            last_on=episode.last_visit_on.isoformat(),
        )
    p = _protocol_of(episode)
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
    episode.defaults_on = _defaults_on(next_on, episode.visit_interval_days, p)
    episode.sachets_total += given.sachets_for_period
    episode.sachets_per_week = given.sachets_per_week
    session.flush()
    record(
        session,
        actor,
        AuditAction.UPDATE,
        entity_type="nutrition_episode",
        entity_id=episode.id,
        patient_id=episode.patient_id,
        place_id=episode.place_id,
        before={"referred_on": referred_on.isoformat()},
        after={
            "referral": ReferralDecision.KEEP.value,
            "next_visit_on": next_on.isoformat(),
            "sachets_given": given.sachets_for_period,
        },
        detail=reason,
    )
    return episode_read(episode)


def get_episode(
    session: Session, episode_id: uuid.UUID, *, actor: Actor, today: date | None = None
) -> EpisodeRead:
    """An episode with its visits as of ``today`` (the read is audited)."""
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
        result = episode_read(episode, today) if episode else None
    if result is None:
        raise NotFound(CoreError.CORE_001)
    return result


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


def _materialise_default(session: Session, episode: Episode, actor: Actor | None) -> None:
    """Record the default the rule already reads: closed as defaulted on ``defaults_on``.

    Every reader sees the same outcome and date before and after, so no approved figure moves
    and the month's lock does not apply (nothing it guards changes).
    """
    on = episode.defaults_on
    assert on is not None  # noqa: S101 - only called for an episode defaulted by the rule
    records_derived_state(session, episode)
    episode.status = "closed"
    episode.outcome = Outcome.DEFAULTED.value
    episode.closed_on = on
    episode.next_visit_on = None
    episode.defaults_on = None
    episode.sachets_per_week = 0
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
        after={"status": "closed", "outcome": "defaulted", "closed_on": on.isoformat()},
        detail="default recorded as read",
    )


def close_defaulters(session: Session, paths: Sequence[str], on: date, actor: Actor | None) -> int:
    """Record as closed the open episodes defaulted by ``on`` (inside the caller's transaction).

    Housekeeping only: readers already derive the default from ``defaults_on`` with their own
    today, so the figures read the same before and after (docs/clinical-rules.md §4).
    """
    closed = 0
    for episode in repository.open_episodes_at(session, paths):
        if not _state(episode, on).is_open:
            _materialise_default(session, episode, actor)
            closed += 1
    return closed


def caseload(
    session: Session, place_code: str, *, actor: Actor, on: date | None = None
) -> CaseloadRead:
    """The caseload at a site on ``on``: due, missed, overdue, upcoming (a read: writes nothing).

    The children defaulted by ``on`` (``rules.follow_up``) are out of treatment and not listed;
    ``defaulted_now`` counts those whose default falls on ``on``.
    """
    on = on or utc_today()
    with session.begin():
        place = core_repository.find_place_by_code(session, place_code)
        if place is None or not actor.can_at(Permission.PATIENT_READ, place.path):
            raise NotFound(CoreError.CORE_011, code=place_code)
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
                p=_protocol_of(e),
            )
            if not _state(e, on).is_open:
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


def monthly_report(
    session: Session,
    *,
    month: str,
    place_code: str | None = None,
    project_code: str | None = None,
    actor: Actor,
    include_medical_transfers: bool = True,
    today: date | None = None,
) -> MonthlyReport:
    """The monthly report of a site (with its subtree) or a project's places (aggregates only).

    Read as of ``today`` (the server's date by default): a child defaulted by then counts as
    an exit on the day of default, whether or not anyone opened a page (``rules.follow_up``).
    """
    start, end = month_bounds(month)
    today = today or utc_today()
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
        at_start = repository.count_open_on(session, paths, before=start, today=today)
        by_criterion: dict[str, int] = {c.value: 0 for c in CRITERION_PRIORITY}
        by_type = {"new": 0, "relapse": 0, "transfer_in": 0}
        for admission_type, criterion, count in repository.admissions_by_type_and_criterion(
            session, paths, start=start, end=end
        ):
            by_type[admission_type] = by_type.get(admission_type, 0) + count
            if admission_type == "new":
                by_criterion[criterion] = by_criterion.get(criterion, 0) + count
        exits = repository.exits_by_outcome(session, paths, start=start, end=end, today=today)
        exits_all = {o.value: exits.get(o.value, 0) for o in Outcome}
        at_end = repository.count_open_on(
            session, paths, before=end + timedelta(days=1), today=today
        )
        cured = repository.cured_stays(session, paths, start=start, end=end)
        given = repository.sachets_given(session, paths, start=start, end=end)
        daily = repository.daily_sachets_of_caseload(session, paths, on=end, today=today)
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
