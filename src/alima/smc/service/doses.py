"""A child's day 1 of a cycle, days 2 and 3, the household and door-to-door lists.

A red MUAC or oedema seen during the round excludes the child (severe malnutrition) and is
recorded as a community screening with its urgent referral to the nutrition programme, the
same chain as a Family MUAC screening (``alima.community``): the referral waits at the site
for the child's arrival. A yellow MUAC is referred too (as the country's screening settings
say) and the child still gets SPAQ.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alima.community import rules as community_rules
from alima.community.enums import ScreenerType
from alima.community.models import Referral, Screening
from alima.community.service.common import add_referral, screening_settings
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record, snapshot
from alima.core.enums import AuditAction
from alima.core.errors import AlimaError, Conflict, CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Patient, Place
from alima.core.schemas import RecordDelete
from alima.core.service.common import (
    add_created,
    at_place,
    audit_changed,
    audit_denied,
    audit_patients_listed,
    not_found,
    soft_delete,
)
from alima.core.time import age_in_months, today
from alima.nutrition.enums import Oedema
from alima.smc import repository, rules
from alima.smc.errors import SmcError
from alima.smc.models import SmcAdministration, SmcCycle, SmcTeam
from alima.smc.schemas import (
    AdherenceReport,
    ChildStatus,
    DistributionList,
    DoseCreate,
    DoseRead,
    Household,
    VillageList,
)
from alima.smc.service.common import (
    DOSE_ENTITY,
    WRITE_PERMISSION,
    SmcSettings,
    campaign_site,
    child_name,
    cycle_read,
    dose_read,
    folded,
    team_read,
    visible_cycle,
    writable_sites,
)

DOSE_FIELDS = (
    "cycle_number",
    "given_on",
    "age_days",
    "age_band",
    "exclusion",
    "day1_observed",
    "vomited",
    "redosed",
    "blisters",
    "muac_mm",
)


def _patient(session: Session, actor: Actor, patient_id: uuid.UUID) -> Patient:
    patient = core_repository.find_patient(session, patient_id)
    if (
        patient is None
        or patient.deleted_at is not None
        or not actor.can_at(Permission.PATIENT_READ, patient.place.path)
    ):
        raise NotFound(CoreError.CORE_001, field="patient_id")
    return patient


def _team(session: Session, actor: Actor, cycle: SmcCycle, team_id: uuid.UUID) -> SmcTeam:
    team = repository.find_team(session, team_id)
    if (
        team is None
        or team.campaign_id != cycle.campaign_id
        or not actor.can_at(WRITE_PERMISSION, team.place.path)
    ):
        raise NotFound(CoreError.CORE_001, field="team_id")
    return team


def _given_on(value: date | None, cycle: SmcCycle) -> date:
    on = value or today()
    if on > today() or not cycle.starts_on <= on <= cycle.ends_on:
        raise RuleViolation(
            SmcError.SMC_007,
            cycle=cycle.number,
            starts_on=cycle.starts_on.isoformat(),
            ends_on=cycle.ends_on.isoformat(),
            field="given_on",
        )
    return on


def _screen(
    session: Session,
    actor: Actor,
    data: DoseCreate,
    *,
    patient: Patient,
    place: Place,
    on: date,
    village: str,
    months: float,
) -> tuple[bool, Screening | None, Referral | None]:
    """(severe malnutrition, the community screening, its referral) of the round's MUAC."""
    if data.muac_mm is None:
        if data.oedema and months >= rules.MUAC_MIN_AGE_MONTHS:
            raise RuleViolation(SmcError.SMC_018, field="muac_mm")
        return data.oedema, None, None
    if months < rules.MUAC_MIN_AGE_MONTHS:
        raise RuleViolation(SmcError.SMC_011, field="muac_mm")
    oedema = Oedema.PLUS1 if data.oedema else Oedema.NONE
    result = community_rules.assess_screening(
        data.muac_mm, oedema, screening_settings(session, place, on)
    )
    screening = Screening(
        place_id=place.id,
        place=place,
        screened_on=on,
        screener_type=ScreenerType.CHW.value,
        screener_name=data.given_by or None,
        child_given_name=patient.given_name,
        child_family_name=patient.family_name,
        child_sex=patient.sex,
        child_age_months=min(age_in_months(patient.birth_date, on), 59),
        caregiver_name=patient.caregiver_name,
        village=village,
        patient_id=patient.id,
        muac_mm=data.muac_mm,
        oedema=oedema.value,
        muac_band=result.band.value,
        created_by_id=actor.id,
    )
    add_created(
        session,
        actor,
        screening,
        "community_screening",
        after={"muac_mm": data.muac_mm, "band": result.band.value, "detail": "smc"},
        place_id=place.id,
        patient_id=patient.id,
    )
    referral = None
    if result.referral is not None:
        referral = add_referral(
            session, actor, screening, place, result.referral.value, source="smc"
        )
    severe = result.band.value == "red" or oedema.present
    return severe, screening, referral


def record_dose(
    session: Session, data: DoseCreate, *, actor: Actor, settings: SmcSettings
) -> DoseRead:
    """Record a child's day 1 of a cycle: SPAQ given and watched, or excluded with its reason.

    The age is taken on the cycle's first day (docs/clinical-rules.md §14); a child outside
    3-59 months is refused, and so is a second dose given in the same cycle.
    """
    if not actor.can(WRITE_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        cycle = visible_cycle(session, actor, data.cycle_id)
        campaign = cycle.campaign
        patient = _patient(session, actor, data.patient_id)
        team = _team(session, actor, cycle, data.team_id) if data.team_id else None
        if team is not None and not data.place_code:
            place = team.place
        else:
            place = campaign_site(session, actor, campaign, data.place_code, "place_code")
        on = _given_on(data.given_on, cycle)
        age_days = (cycle.starts_on - patient.birth_date).days
        months = rules.age_months(patient.birth_date, cycle.starts_on)
        band = rules.band_for(months)
        village = (data.village or patient.village or "").strip()
        if not village:
            raise RuleViolation(SmcError.SMC_017, field="village")
        severe, screening, referral = _screen(
            session,
            actor,
            data,
            patient=patient,
            place=place,
            on=on,
            village=village,
            months=months,
        )
        reason = rules.exclusion(
            rules.Findings(
                sick=data.sick,
                allergy=data.allergy,
                cotrimoxazole=data.cotrimoxazole,
                severe_malnutrition=severe,
                already_received=data.already_received,
            )
        )
        given = reason is None
        if given and repository.find_given(session, patient.id, cycle.id) is not None:
            raise Conflict(SmcError.SMC_003, cycle=cycle.number, field="patient_id")
        blisters = rules.blisters_used(
            given=given, vomited=data.vomited, redosed=data.redosed, rule=settings.vomiting
        )
        dose = SmcAdministration(
            campaign_id=campaign.id,
            cycle_id=cycle.id,
            cycle=cycle,
            cycle_number=cycle.number,
            patient_id=patient.id,
            patient=patient,
            place_id=place.id,
            place=place,
            team_id=team.id if team else None,
            village=village,
            given_on=on,
            age_days=age_days,
            age_band=band.value,
            exclusion=reason.value if reason else None,
            day1_observed=data.day1_observed and given,
            vomited=data.vomited,
            redosed=data.redosed,
            blisters=blisters,
            muac_mm=data.muac_mm,
            screening_id=screening.id if screening else None,
            given_by=data.given_by or None,
            created_by_id=actor.id,
        )
        try:
            with session.begin_nested():
                session.add(dose)
        except IntegrityError as exc:
            # Another writer gave this child a dose of the cycle first (the unique index).
            raise Conflict(SmcError.SMC_003, cycle=cycle.number, field="patient_id") from exc
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type=DOSE_ENTITY,
            entity_id=dose.id,
            patient_id=patient.id,
            place_id=place.id,
            after=snapshot(dose, DOSE_FIELDS),
        )
        return dose_read(dose, referral.urgency if referral else None)


def _dose_to_change(
    session: Session,
    actor: Actor,
    dose_id: uuid.UUID,
    *,
    allowed: Callable[[SmcAdministration], bool],
    detail: str,
) -> SmcAdministration | None:
    """The dose if the change is ``allowed``; else None, the refusal audited (``detail``)."""
    dose = repository.find_administration(session, dose_id)
    if dose is not None and allowed(dose):
        return dose
    audit_denied(
        session,
        actor,
        entity_type=DOSE_ENTITY,
        entity_id=dose_id,
        patient_id=dose.patient_id if dose else None,
        detail=detail,
    )
    return None


def report_adherence(
    session: Session, dose_id: uuid.UUID, data: AdherenceReport, *, actor: Actor
) -> DoseRead:
    """Record days 2 and 3 as the caregiver reports them at the next contact."""

    def writable(dose: SmcAdministration) -> bool:
        return dose.deleted_at is None and actor.can_at(WRITE_PERMISSION, dose.place.path)

    with session.begin():
        dose = _dose_to_change(session, actor, dose_id, allowed=writable, detail="adherence")
        if dose is not None:
            if dose.exclusion is not None:
                raise RuleViolation(SmcError.SMC_013, field="day2_given")
            on = data.reported_on or today()
            if on > today() or on < dose.given_on:
                raise RuleViolation(SmcError.SMC_015, field="reported_on")
            before = snapshot(dose, ("day2_given", "day3_given", "adherence_reported_on"))
            dose.day2_given = data.day2_given
            dose.day3_given = data.day3_given
            dose.adherence_reported_on = on
            after = snapshot(dose, ("day2_given", "day3_given", "adherence_reported_on"))
            audit_changed(session, actor, DOSE_ENTITY, dose, before=before, after=after)
            return dose_read(dose)
    raise not_found()


def delete_dose(
    session: Session, dose_id: uuid.UUID, data: RecordDelete, *, actor: Actor
) -> DoseRead:
    """Soft-delete a dose recorded by mistake, with a reason."""
    deletable = at_place(actor, Permission.PATIENT_DELETE)
    with session.begin():
        dose = _dose_to_change(session, actor, dose_id, allowed=deletable, detail="delete")
        if dose is not None:
            if dose.deleted_at is not None:
                raise Conflict(SmcError.SMC_016)
            soft_delete(session, actor, dose, DOSE_ENTITY, data.reason)
            return dose_read(dose)
    raise not_found()


# --- households and door-to-door lists ----------------------------------------------------


def _status(patient: Patient, cycle: SmcCycle, doses: Sequence[SmcAdministration]) -> ChildStatus:
    months = rules.age_months(patient.birth_date, cycle.starts_on)
    problem: str | None = None
    try:
        band = rules.band_for(months)
    except AlimaError as exc:
        band, problem = None, exc.message
    this = [d for d in doses if d.cycle_number == cycle.number]
    current = next((d for d in this if d.exclusion is None), this[-1] if this else None)
    previous = next(
        (d for d in doses if d.cycle_number == cycle.number - 1 and d.exclusion is None), None
    )
    return ChildStatus(
        patient_id=patient.id,
        name=child_name(patient.given_name, patient.family_name),
        identifier=patient.identifier,
        sex=patient.sex,
        caregiver_name=patient.caregiver_name,
        village=patient.village,
        age_months=rules.shown_months(months),
        band=band,
        age_problem=problem,
        dose=dose_read(current) if current else None,
        previous=dose_read(previous) if previous else None,
        cycles_given=sorted({d.cycle_number for d in doses if d.exclusion is None}),
    )


def _statuses(
    session: Session, actor: Actor, cycle: SmcCycle, patients: Sequence[Patient], detail: str
) -> list[ChildStatus]:
    doses = repository.doses_of_patients(session, cycle.campaign_id, [p.id for p in patients])
    by_patient: dict[uuid.UUID, list[SmcAdministration]] = defaultdict(list)
    for d in doses:
        by_patient[d.patient_id].append(d)
    audit_patients_listed(session, actor, patients, detail)
    return [_status(p, cycle, by_patient[p.id]) for p in patients]


def household(
    session: Session,
    cycle_id: uuid.UUID,
    *,
    village: str,
    caregiver: str,
    actor: Actor,
    child_id: uuid.UUID | None = None,
) -> Household:
    """A caregiver's registered children in a village, and where each is in the cycle.

    ``child_id`` adds a child found otherwise (a likely duplicate, registered elsewhere).
    """
    with session.begin():
        cycle = visible_cycle(session, actor, cycle_id)
        paths = actor.paths_for(Permission.PATIENT_READ)
        wanted = folded(caregiver)
        patients = [
            p
            for p in repository.patients_of_villages(session, paths, [folded(village)])
            if wanted and folded(p.caregiver_name) == wanted
        ]
        if child_id is not None and all(p.id != child_id for p in patients):
            patients.append(_patient(session, actor, child_id))
        sites = writable_sites(session, actor, cycle.campaign)
        site_ids = {s.id for s in sites}
        teams = [
            t for t in repository.list_teams(session, cycle.campaign_id) if t.place_id in site_ids
        ]
        return Household(
            campaign_id=cycle.campaign_id,
            campaign_name=cycle.campaign.name,
            cycle=cycle_read(cycle),
            village=village,
            caregiver=caregiver,
            children=_statuses(session, actor, cycle, patients, "smc household"),
            sites=[(s.code, s.name) for s in sites],
            teams=[team_read(t) for t in teams],
        )


def distribution_list(
    session: Session, cycle_id: uuid.UUID, *, team_id: uuid.UUID | None, actor: Actor
) -> DistributionList:
    """The door-to-door list of a team's villages (or every team's in the reader's scope).

    The children registered in those villages with their age on the cycle date, the cycles
    they were given, and whether this cycle is done, so the team knows whom to find.
    """
    with session.begin():
        cycle = visible_cycle(session, actor, cycle_id)
        paths = actor.paths_for(Permission.PATIENT_READ)
        teams = [
            t
            for t in repository.list_teams(session, cycle.campaign_id)
            if any(t.place.path.startswith(p) for p in paths)
        ]
        team = None
        if team_id is not None:
            team = next((t for t in teams if t.id == team_id), None)
            if team is None:
                raise NotFound(CoreError.CORE_001)
            teams = [team]
        villages: dict[str, str] = {}
        for t in teams:
            for v in t.villages:
                villages.setdefault(folded(v), v)
        patients = repository.patients_of_villages(session, paths, list(villages))
        statuses = _statuses(session, actor, cycle, patients, "smc distribution list")
        grouped: dict[str, list[ChildStatus]] = {key: [] for key in villages}
        for patient, status in zip(patients, statuses, strict=True):
            grouped[patient.search_village].append(status)
        return DistributionList(
            campaign_id=cycle.campaign_id,
            campaign_name=cycle.campaign.name,
            cycle=cycle_read(cycle),
            team=team_read(team) if team else None,
            villages=[VillageList(village=villages[k], children=grouped[k]) for k in villages],
        )
