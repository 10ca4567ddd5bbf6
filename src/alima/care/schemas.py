"""Pydantic schemas of care: what forms and the API accept and return."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from alima.care.catalogue import ICD10, ProcedureCode
from alima.care.enums import (
    Action,
    Anaesthesia,
    AncFlag,
    Attendant,
    Classification,
    ConsultationKind,
    DangerSign,
    DeliveryMode,
    DeliverySetting,
    MalariaTreatment,
    MobileService,
    MotherOutcome,
    NewbornOutcome,
    PostnatalStatus,
    RdtResult,
    SurgeryIndication,
    SurgeryOutcome,
    Urgency,
)
from alima.core import schemas as core_schemas
from alima.core.enums import Sex
from alima.core.schemas import Input
from alima.core.types import Name, Note, PlaceCode, ShortText
from alima.growth.muac import MuacBand
from alima.nutrition.enums import Oedema

#: A soft deletion with its reason: the core's schema, shared by every record.
RecordDelete = core_schemas.RecordDelete


EARLIEST = date(2000, 1, 1)
MuacMm = Annotated[int, Field(ge=50, le=300, description="MUAC in whole millimetres.")]
TemperatureC = Annotated[float, Field(ge=30, le=44, description="Axillary temperature, °C.")]
CareDate = Annotated[date, Field(ge=EARLIEST)]


class _Create(Input):
    patient_id: uuid.UUID
    place_code: PlaceCode | None = Field(
        None, description="Where care was given; default: the patient's place or your only one."
    )
    note: Note | None = None


class ConsultationCreate(_Create):
    """A consultation: findings for IMCI triage, malaria test and treatment, MUAC, diagnoses."""

    consulted_on: CareDate | None = Field(None, description="Default: today.")
    weight_kg: Annotated[float, Field(ge=0.5, le=250)] | None = None
    temperature_c: TemperatureC | None = None
    breaths_per_minute: Annotated[int, Field(ge=5, le=150)] | None = None
    cough: bool = False
    chest_indrawing: bool = False
    stridor: bool = False
    fever_history: bool = False
    stiff_neck: bool = False
    danger_signs: list[DangerSign] = Field(default_factory=list, max_length=5)
    rdt_result: RdtResult = RdtResult.NOT_DONE
    malaria_treatment: MalariaTreatment = MalariaTreatment.NONE
    muac_mm: MuacMm | None = None
    oedema: Oedema = Oedema.NONE
    diagnoses: list[ICD10] = Field(
        default_factory=list, max_length=5, description="ICD-10 codes, main one first."
    )
    referred: bool = False
    referred_to: ShortText | None = None


class DiagnosisRead(BaseModel):
    """A diagnosis with its label in the reader's language."""

    code: str
    label: str


class ConsultationRead(BaseModel):
    """A consultation with its triage: what the child has and what to do now."""

    id: uuid.UUID
    patient_id: uuid.UUID
    patient_identifier: str
    patient_name: str
    place_code: str
    place_name: str
    consulted_on: date
    kind: ConsultationKind
    age_months: int
    weight_kg: float | None
    temperature_c: float | None
    breaths_per_minute: int | None
    fast_breathing_threshold: int | None
    cough: bool
    chest_indrawing: bool
    stridor: bool
    fever_history: bool
    stiff_neck: bool
    danger_signs: list[DangerSign]
    urgency: Urgency
    classifications: list[Classification]
    actions: list[Action]
    fast_breathing: bool | None
    fever: bool
    rdt_result: RdtResult
    malaria_treatment: MalariaTreatment
    muac_mm: int | None
    oedema: Oedema
    muac_band: MuacBand | None
    nutrition_episode_id: uuid.UUID | None
    referred: bool
    referred_to: str | None
    diagnoses: list[DiagnosisRead]
    note: str | None
    warnings: list[str] = Field(default_factory=list)
    created_at: datetime
    deleted: bool = False


class AntenatalCreate(_Create):
    """An antenatal care contact."""

    visited_on: CareDate | None = None
    gestational_age_weeks: Annotated[int, Field(ge=4, le=44)] | None = None
    systolic_mmhg: Annotated[int, Field(ge=60, le=260)] | None = None
    diastolic_mmhg: Annotated[int, Field(ge=30, le=160)] | None = None
    temperature_c: TemperatureC | None = None
    muac_mm: MuacMm | None = None
    iptp_dose: Annotated[int, Field(ge=0, le=6)] | None = None
    iron_folic_acid: bool = False
    bednet_given: bool = False
    referred: bool = False


class AntenatalRead(BaseModel):
    """An antenatal visit with its number and flags."""

    id: uuid.UUID
    patient_id: uuid.UUID
    place_name: str
    visited_on: date
    visit_number: int
    gestational_age_weeks: int | None
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    temperature_c: float | None
    muac_mm: int | None
    iptp_dose: int | None
    iron_folic_acid: bool
    bednet_given: bool
    flags: list[AncFlag]
    referred: bool
    note: str | None


class NewbornCreate(Input):
    """One baby of a delivery."""

    sex: Sex | None = None
    outcome: NewbornOutcome
    birth_weight_g: Annotated[int, Field(ge=300, le=7000)] | None = None


class NewbornRead(NewbornCreate):
    """One baby as recorded; ``low_birth_weight`` when under 2,500 g (WHO)."""

    position: int
    low_birth_weight: bool = False
    patient_id: uuid.UUID | None = None


class NewbornRegister(Input):
    """Register a baby of a delivery as a patient (the mother is ``patient_id``)."""

    patient_id: uuid.UUID
    delivery_id: uuid.UUID
    position: Annotated[int, Field(ge=1, le=6)] = 1
    given_name: Name
    family_name: Name | None = Field(None, description="Default: the mother's family name.")


class DeliveryCreate(_Create):
    """A birth: where, who assisted, how, and the outcome for the mother and each baby."""

    delivered_on: CareDate | None = None
    setting: DeliverySetting
    attendant: Attendant
    mode: DeliveryMode
    mother_outcome: MotherOutcome
    newborns: list[NewbornCreate] = Field(min_length=1, max_length=6)


class DeliveryRead(BaseModel):
    """A delivery as recorded."""

    id: uuid.UUID
    patient_id: uuid.UUID
    place_name: str
    delivered_on: date
    setting: DeliverySetting
    attendant: Attendant
    skilled_attendant: bool
    mode: DeliveryMode
    mother_outcome: MotherOutcome
    newborns: list[NewbornRead]
    note: str | None


class PostnatalCreate(_Create):
    """A postnatal care contact."""

    visited_on: CareDate | None = None
    delivery_id: uuid.UUID | None = None
    mother_status: PostnatalStatus
    newborn_status: PostnatalStatus
    exclusive_breastfeeding: bool = False
    family_planning: bool = False


class PostnatalRead(BaseModel):
    """A postnatal visit as recorded."""

    id: uuid.UUID
    patient_id: uuid.UUID
    place_name: str
    visited_on: date
    delivery_id: uuid.UUID | None
    day_after_birth: int | None
    mother_status: PostnatalStatus
    newborn_status: PostnatalStatus
    exclusive_breastfeeding: bool
    family_planning: bool
    note: str | None


class SurgeryCreate(_Create):
    """An entry of the emergency surgery log."""

    operated_on: CareDate | None = None
    procedure: ProcedureCode
    indication: SurgeryIndication
    indication_detail: ShortText | None = None
    emergency: bool = True
    anaesthesia: Anaesthesia
    outcome: SurgeryOutcome
    surgeon: ShortText | None = None


class SurgeryRead(BaseModel):
    """A surgery log entry."""

    id: uuid.UUID
    patient_id: uuid.UUID
    patient_identifier: str
    place_code: str
    place_name: str
    operated_on: date
    procedure: str
    procedure_label: str
    indication: SurgeryIndication
    indication_detail: str | None
    emergency: bool
    anaesthesia: Anaesthesia
    outcome: SurgeryOutcome
    surgeon: str | None
    note: str | None


class MobileSessionCreate(Input):
    """A mobile-clinic session at a displacement site."""

    site_code: PlaceCode
    mobile_clinic_code: PlaceCode | None = None
    held_on: CareDate | None = None
    team: Annotated[ShortText, Field(min_length=1)]
    people_reached: Annotated[int, Field(ge=0, le=20000)]
    consultations: Annotated[int, Field(ge=0, le=20000)] | None = None
    children_screened: Annotated[int, Field(ge=0, le=20000)] | None = None
    services: list[MobileService] = Field(default_factory=list, max_length=len(MobileService))
    note: Note | None = None


class MobileSessionRead(BaseModel):
    """A mobile-clinic session (aggregate: no patient data)."""

    id: uuid.UUID
    site_code: str
    site_name: str
    mobile_clinic_code: str | None
    mobile_clinic_name: str | None
    held_on: date
    team: str | None
    people_reached: int
    consultations: int | None
    children_screened: int | None
    services: list[MobileService]
    note: str | None


class DisplacedPopulationCreate(Input):
    """The displaced population counted at a site on a date (a new count for a date replaces it)."""

    site_code: PlaceCode
    counted_on: CareDate | None = None
    individuals: Annotated[int, Field(ge=0, le=1_000_000)]
    households: Annotated[int, Field(ge=0, le=500_000)] | None = None
    source: ShortText | None = None


class DisplacedPopulationRead(BaseModel):
    """A count of displaced people at a site."""

    site_code: str
    site_name: str
    counted_on: date
    individuals: int
    households: int | None
    source: str | None


class SiteRow(BaseModel):
    """A displacement site: its latest count and the sessions held there in the period."""

    code: str
    name: str
    latest_count: int | None
    latest_counted_on: date | None
    counts: list[DisplacedPopulationRead]
    by_month: list[int | None]
    sessions: int
    people_reached: int


class MobileOverview(BaseModel):
    """Mobile clinics and displacement sites in the actor's places (aggregates only)."""

    start: date
    end: date
    sites: list[SiteRow]
    recent_sessions: list[MobileSessionRead]
    sessions: int
    people_reached: int
    sites_served: int
    clinics_active: int


class PlaceOption(BaseModel):
    """A place that may be chosen in a form."""

    code: str
    name: str
    kind: str


class CareRecordsRead(BaseModel):
    """Every care record of a patient, newest first (one audited read)."""

    patient_id: uuid.UUID
    patient_identifier: str
    patient_name: str
    patient_sex: Sex
    patient_age_months: int
    patient_place: str
    consultations: list[ConsultationRead]
    antenatal_visits: list[AntenatalRead]
    deliveries: list[DeliveryRead]
    postnatal_visits: list[PostnatalRead]
    surgeries: list[SurgeryRead]


class CareFormRead(BaseModel):
    """What a care form needs: the patient (audited) and the places the actor may choose."""

    patient_id: uuid.UUID
    patient_identifier: str
    patient_name: str
    patient_sex: Sex
    patient_age_months: int
    places: list[PlaceOption]
    default_place_code: str | None
    deliveries: list[DeliveryRead] = Field(default_factory=list)


class SurgeryFilter(Input):
    """Which hospital and period the surgery log shows."""

    place_code: PlaceCode | None = None
    start: CareDate | None = None
    end: CareDate | None = None
