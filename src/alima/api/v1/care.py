"""Care: consultations, maternal health, surgery, mobile clinics and displacement sites."""

import uuid

from fastapi import APIRouter, status

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import FromQuery, error_responses
from alima.care.schemas import (
    AntenatalCreate,
    AntenatalRead,
    CareRecordsRead,
    ConsultationCreate,
    ConsultationRead,
    DeliveryCreate,
    DeliveryRead,
    DisplacedPopulationCreate,
    DisplacedPopulationRead,
    MobileOverview,
    MobileSessionCreate,
    MobileSessionRead,
    NewbornRegister,
    PostnatalCreate,
    PostnatalRead,
    RecordDelete,
    SurgeryCreate,
    SurgeryFilter,
    SurgeryRead,
)
from alima.care.service import consultations, maternal, mobile, records, surgery
from alima.care.service.records import CareRecordKind
from alima.core.schemas import PatientRead

router = APIRouter(
    tags=["care"],
    responses=error_responses(not_found="No such patient, record or place in your scope"),
)


@router.get("/patients/{patient_id}/care")
def patient_care(patient_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> CareRecordsRead:
    """Every care record of a patient (the read is audited)."""
    return records.patient_care(session, patient_id, actor=actor)


@router.post("/care/consultations", status_code=status.HTTP_201_CREATED)
def record_consultation(
    body: ConsultationCreate, session: SessionDep, actor: ApiActor
) -> ConsultationRead:
    """Record a consultation; the IMCI triage is computed and returned with it."""
    return consultations.record_consultation(session, body, actor=actor)


@router.get("/care/consultations/{consultation_id}")
def get_consultation(
    consultation_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> ConsultationRead:
    """One consultation (the read is audited)."""
    return consultations.get_consultation(session, consultation_id, actor=actor)


@router.post("/care/antenatal-visits", status_code=status.HTTP_201_CREATED)
def record_antenatal_visit(
    body: AntenatalCreate, session: SessionDep, actor: ApiActor
) -> AntenatalRead:
    """Record an antenatal visit (its number and flags are computed)."""
    return maternal.record_antenatal_visit(session, body, actor=actor)


@router.post("/care/deliveries", status_code=status.HTTP_201_CREATED)
def record_delivery(body: DeliveryCreate, session: SessionDep, actor: ApiActor) -> DeliveryRead:
    """Record a delivery with one entry per baby."""
    return maternal.record_delivery(session, body, actor=actor)


@router.post("/care/newborns", status_code=status.HTTP_201_CREATED)
def register_newborn(body: NewbornRegister, session: SessionDep, actor: ApiActor) -> PatientRead:
    """Register a baby born alive at a delivery as a patient, linked to the mother."""
    return maternal.register_newborn(session, body, actor=actor)


@router.post("/care/postnatal-visits", status_code=status.HTTP_201_CREATED)
def record_postnatal_visit(
    body: PostnatalCreate, session: SessionDep, actor: ApiActor
) -> PostnatalRead:
    """Record a postnatal visit (linked to the latest delivery by default)."""
    return maternal.record_postnatal_visit(session, body, actor=actor)


@router.post("/care/surgeries", status_code=status.HTTP_201_CREATED)
def record_surgery(body: SurgeryCreate, session: SessionDep, actor: ApiActor) -> SurgeryRead:
    """Add an operation to the emergency surgery log."""
    return surgery.record_surgery(session, body, actor=actor)


@router.get("/care/surgeries")
def surgery_log(
    criteria: FromQuery[SurgeryFilter], session: SessionDep, actor: ApiActor
) -> list[SurgeryRead]:
    """The surgery log of your hospitals over a period (default: this year)."""
    rows, _start, _end = surgery.surgery_log(session, criteria, actor=actor)
    return rows


@router.delete("/care/{kind}/{record_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_record(
    kind: CareRecordKind,
    record_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    deletion: FromQuery[RecordDelete],
) -> None:
    """Soft-delete a care record with a reason (``?reason=``); it is kept and audited."""
    records.delete_record(session, kind, record_id, deletion, actor=actor)


@router.post("/care/mobile-sessions", status_code=status.HTTP_201_CREATED)
def record_mobile_session(
    body: MobileSessionCreate, session: SessionDep, actor: ApiActor
) -> MobileSessionRead:
    """Record a mobile-clinic session at a displacement site."""
    return mobile.record_session(session, body, actor=actor)


@router.post("/care/displaced-population")
def record_population(
    body: DisplacedPopulationCreate, session: SessionDep, actor: ApiActor
) -> DisplacedPopulationRead:
    """Record the displaced population of a site on a date (replacing that date's count)."""
    return mobile.record_population(session, body, actor=actor)


@router.get("/care/mobile")
def mobile_overview(session: SessionDep, actor: ApiActor) -> MobileOverview:
    """Displacement sites with their population by month, and the sessions held there."""
    result, _months = mobile.overview(session, actor=actor)
    return result
