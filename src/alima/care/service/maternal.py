"""Maternal health: antenatal visits, deliveries with their newborns, postnatal visits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.care import repository
from alima.care.enums import (
    Attendant,
    NewbornOutcome,
)
from alima.care.errors import CareError
from alima.care.models import AntenatalVisit, Delivery, Newborn, PostnatalVisit
from alima.care.rules import maternal
from alima.care.schemas import (
    AntenatalCreate,
    AntenatalRead,
    CareFormRead,
    DeliveryCreate,
    DeliveryRead,
    NewbornRead,
    NewbornRegister,
    PostnatalCreate,
    PostnatalRead,
)
from alima.care.service import common
from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record, snapshot
from alima.core.enums import AuditAction, Sex
from alima.core.errors import Conflict, CoreError, Forbidden, RuleViolation
from alima.core.models import Patient, Place
from alima.core.schemas import PatientCreate, PatientRead
from alima.core.service import patients as patient_service
from alima.core.service.common import add_audited, audit_denied, audit_event, dto, not_found
from alima.core.time import age_in_months

#: Antenatal visits within this many days before a visit belong to the same pregnancy.
PREGNANCY_DAYS = 300

DELIVERY_ERRORS = {
    "babies": CareError.CARE_008,
    "mode": CareError.CARE_006,
    "attendant": CareError.CARE_007,
}


MATERNAL_ERRORS = {
    "delivery_order": CareError.CARE_018,
    "gestational_age": CareError.CARE_019,
}


def _mother_care(
    session: Session,
    actor: Actor,
    patient: Patient,
    place_code: str | None,
    *,
    day: date | None,
    field: str,
) -> tuple[Place, date]:
    """Where and when maternal care is recorded, for a woman of childbearing age that day."""
    place = common.care_place(session, actor, place_code, patient)
    on = common.care_date(day, patient, field)
    _require_mother(patient, on)
    return place, on


def _require_mother(patient: Patient, on: date) -> None:
    """A woman of plausible age on the day of the record (CARE_009, CARE_017)."""
    common.require_woman(patient)
    age = age_in_months(patient.birth_date, on)
    settings = maternal.DEFAULT_SETTINGS
    try:
        maternal.check_mother_age(age, settings)
    except maternal.MaternalInconsistency as exc:
        raise RuleViolation(
            CareError.CARE_017,
            field=exc.field,
            age_years=age // 12,
            min_years=settings.mother_min_age_years,
            max_years=settings.mother_max_age_years,
        ) from exc


def _antenatal_points(session: Session, patient: Patient) -> list[maternal.AntenatalPoint]:
    return [
        maternal.AntenatalPoint(v.visited_on, v.gestational_age_weeks)
        for v in repository.list_antenatal_visits(session, patient.id)
    ]


def _consistent(check: Callable[..., None], *args: object, **kwargs: object) -> None:
    try:
        check(*args, **kwargs)
    except maternal.MaternalInconsistency as exc:
        raise RuleViolation(
            MATERNAL_ERRORS[exc.kind],
            field=exc.field,
            days=maternal.DEFAULT_SETTINGS.gestational_age_tolerance_days,
        ) from exc


def antenatal_read(visit: AntenatalVisit) -> AntenatalRead:
    """The DTO of an antenatal visit."""
    return dto(AntenatalRead, visit, place_name=visit.place.name)


def delivery_read(delivery: Delivery) -> DeliveryRead:
    """The DTO of a delivery and its newborns."""
    attendant = Attendant(delivery.attendant)
    return dto(
        DeliveryRead,
        delivery,
        place_name=delivery.place.name,
        skilled_attendant=maternal.skilled_attendant(attendant),
        newborns=[
            dto(
                NewbornRead,
                n,
                sex=Sex(n.sex) if n.sex else None,
                low_birth_weight=maternal.low_birth_weight(n.birth_weight_g),
            )
            for n in delivery.newborns
        ],
    )


def postnatal_read(visit: PostnatalVisit) -> PostnatalRead:
    """The DTO of a postnatal visit."""
    return dto(PostnatalRead, visit, place_name=visit.place.name)


def maternal_form(
    session: Session, patient_id: uuid.UUID, *, actor: Actor, form: str
) -> CareFormRead:
    """The patient, places and recent deliveries for a maternal-health form (audited read)."""

    def recent_deliveries(result: CareFormRead, patient: Patient) -> None:
        deliveries = repository.list_deliveries(session, patient.id)[:3]
        result.deliveries = [delivery_read(d) for d in deliveries]

    return common.care_form(session, patient_id, actor=actor, form=form, complete=recent_deliveries)


def _denied(session: Session, actor: Actor, entity_type: str, patient_id: uuid.UUID) -> None:
    audit_denied(session, actor, entity_type=entity_type, entity_id=None, patient_id=patient_id)


def record_antenatal_visit(
    session: Session, data: AntenatalCreate, *, actor: Actor
) -> AntenatalRead:
    """Record an antenatal visit; its number in the pregnancy and its flags are computed."""
    return common.write_for_patient(
        session, actor, data, "antenatal_visit", _record_antenatal_visit
    )


def _record_antenatal_visit(
    session: Session, patient: Patient, data: AntenatalCreate, actor: Actor
) -> AntenatalRead:
    place, on = _mother_care(
        session, actor, patient, data.place_code, day=data.visited_on, field="visited_on"
    )
    _consistent(
        maternal.check_antenatal,
        maternal.AntenatalPoint(on, data.gestational_age_weeks),
        others=_antenatal_points(session, patient),
        deliveries=[d.delivered_on for d in repository.list_deliveries(session, patient.id)],
    )
    number = (
        repository.count_antenatal_visits_between(
            session, patient.id, on - timedelta(days=PREGNANCY_DAYS), on
        )
        + 1
    )
    flags = maternal.anc_flags(
        visit_number=number,
        gestational_age_weeks=data.gestational_age_weeks,
        systolic_mmhg=data.systolic_mmhg,
        diastolic_mmhg=data.diastolic_mmhg,
        muac_mm=data.muac_mm,
        temperature_c=data.temperature_c,
    )
    visit = common.care_record(
        AntenatalVisit,
        data,
        patient,
        place,
        actor,
        visited_on=on,
        visit_number=number,
        flags=[f.value for f in flags],
    )
    add_audited(
        session,
        actor,
        visit,
        "antenatal_visit",
        ("visited_on", "visit_number", "gestational_age_weeks"),
    )
    return antenatal_read(visit)


def record_delivery(session: Session, data: DeliveryCreate, *, actor: Actor) -> DeliveryRead:
    """Record a delivery with one row per baby; impossible combinations are refused."""
    return common.write_for_patient(
        session, actor, data, "delivery", _record_delivery, check=_check_delivery
    )


def _check_delivery(data: DeliveryCreate) -> None:
    try:
        maternal.check_delivery(
            setting=data.setting,
            attendant=data.attendant,
            mode=data.mode,
            babies=len(data.newborns),
        )
    except maternal.DeliveryInconsistency as exc:
        raise RuleViolation(DELIVERY_ERRORS[exc.field], field=exc.field) from exc


def _record_delivery(
    session: Session, patient: Patient, data: DeliveryCreate, actor: Actor
) -> DeliveryRead:
    place, on = _mother_care(
        session, actor, patient, data.place_code, day=data.delivered_on, field="delivered_on"
    )
    _consistent(maternal.check_delivery_dates, on, _antenatal_points(session, patient))
    delivery = common.care_record(Delivery, data, patient, place, actor, delivered_on=on)
    session.add(delivery)
    session.flush()
    for position, baby in enumerate(data.newborns, start=1):
        session.add(
            Newborn(
                delivery_id=delivery.id,
                delivery=delivery,
                position=position,
                sex=baby.sex.value if baby.sex else None,
                outcome=baby.outcome.value,
                birth_weight_g=baby.birth_weight_g,
            )
        )
    session.flush()
    after = {
        **snapshot(delivery, ("delivered_on", "setting", "attendant", "mode")),
        "newborns": [b.outcome.value for b in data.newborns],
    }
    audit_event(session, actor, AuditAction.CREATE, "delivery", delivery, after=after)
    return delivery_read(delivery)


def record_postnatal_visit(
    session: Session, data: PostnatalCreate, *, actor: Actor
) -> PostnatalRead:
    """Record a postnatal visit, linked to the delivery (the latest one by default)."""
    return common.write_for_patient(
        session, actor, data, "postnatal_visit", _record_postnatal_visit
    )


def _record_postnatal_visit(
    session: Session, patient: Patient, data: PostnatalCreate, actor: Actor
) -> PostnatalRead:
    place, on = _mother_care(
        session, actor, patient, data.place_code, day=data.visited_on, field="visited_on"
    )
    if data.delivery_id is not None:
        delivery = repository.find_delivery(session, data.delivery_id)
        if delivery is None or delivery.patient_id != patient.id:
            raise RuleViolation(CareError.CARE_013, field="delivery_id")
        if delivery.delivered_on > on:
            raise RuleViolation(
                CareError.CARE_014,
                delivered_on=str(delivery.delivered_on),
                field="visited_on",
            )
    else:
        delivery = repository.latest_delivery_before(session, patient.id, on)
        if delivery and maternal.postnatal_day(delivery.delivered_on, on) > (
            maternal.POSTNATAL_DAYS
        ):
            delivery = None
    visit = common.care_record(
        PostnatalVisit,
        data,
        patient,
        place,
        actor,
        visited_on=on,
        delivery_id=delivery.id if delivery else None,
        day_after_birth=(maternal.postnatal_day(delivery.delivered_on, on) if delivery else None),
    )
    add_audited(
        session, actor, visit, "postnatal_visit", ("visited_on", "mother_status", "newborn_status")
    )
    return postnatal_read(visit)


def _newborn_of(
    session: Session, data: NewbornRegister, actor: Actor
) -> tuple[Patient, Delivery, Newborn] | None:
    """The mother, delivery and baby to register (inside the caller's transaction)."""
    mother = core_repository.find_patient(session, data.patient_id)
    if not common.readable(actor, mother) or mother is None:
        return None
    if not actor.can_at(Permission.PATIENT_WRITE, mother.place.path):
        return None
    delivery = repository.find_delivery(session, data.delivery_id)
    if delivery is None or delivery.patient_id != mother.id or delivery.deleted_at is not None:
        raise RuleViolation(CareError.CARE_013, field="delivery_id")
    baby = next((n for n in delivery.newborns if n.position == data.position), None)
    if (
        baby is None
        or baby.sex is None
        or NewbornOutcome(baby.outcome) is not NewbornOutcome.LIVE_BIRTH
    ):
        raise RuleViolation(CareError.CARE_020, field="position")
    if baby.patient_id is not None:
        raise Conflict(CareError.CARE_020, field="position")
    return mother, delivery, baby


def register_newborn(session: Session, data: NewbornRegister, *, actor: Actor) -> PatientRead:
    """Register a baby born alive at a delivery as a patient, linked to the mother and birth.

    The patient is created by the core patient service (identifier, duplicate check skipped as
    the baby is new, audit), born on the delivery date at the delivery's place, with the
    mother's family name (unless given), village and phone; then the delivery's newborn row
    points to it (audited). Refused: another mother's delivery (CARE_013), a stillbirth or an
    unknown baby (CARE_020), a baby already registered (409 CARE_020).
    """
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        found = _newborn_of(session, data, actor)
        if found is None:
            _denied(session, actor, "care_newborn", data.patient_id)
        else:
            mother, delivery, baby = found
            create = PatientCreate(
                given_name=data.given_name,
                family_name=data.family_name or mother.family_name,
                sex=Sex(baby.sex or ""),
                birth_date=delivery.delivered_on,
                caregiver_name=common.patient_name(mother),
                village=mother.village,
                phone=mother.phone,
                place_code=delivery.place.code,
                confirm_not_duplicate=True,
            )
    if found is None:
        raise not_found()
    created = patient_service.register_patient(session, create, actor=actor)
    with session.begin():
        row = session.get(Newborn, baby.id)
        if row is None or row.patient_id is not None:
            raise Conflict(CareError.CARE_020, field="position")
        row.patient_id = created.id
        session.flush()
        record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="care_newborn",
            entity_id=row.id,
            patient_id=data.patient_id,
            after={"patient_id": str(created.id), "delivery_id": str(data.delivery_id)},
        )
    return created
