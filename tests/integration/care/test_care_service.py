"""Care use cases on both databases: triage stored, rules refused clearly, scope, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.care.enums import (
    Action,
    Classification,
    DangerSign,
    MalariaTreatment,
    RdtResult,
    Urgency,
)
from alima.care.schemas import (
    AntenatalCreate,
    ConsultationCreate,
    DeliveryCreate,
    DisplacedPopulationCreate,
    MobileSessionCreate,
    PostnatalCreate,
    RecordDelete,
    SurgeryCreate,
    SurgeryFilter,
)
from alima.care.service import consultations, maternal, mobile, records, surgery
from alima.core.errors import NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.growth.muac import MuacBand
from tests.factories.core import World, make_patient, make_place


def consultation(world: World, **overrides: object) -> ConsultationCreate:
    data: dict[str, object] = {
        "patient_id": world.patient_a.id,
        "temperature_c": 38.9,
        "rdt_result": RdtResult.POSITIVE,
        "malaria_treatment": MalariaTreatment.ACT,
        "muac_mm": 131,
        "diagnoses": ["B54"],
    }
    data.update(overrides)
    return ConsultationCreate.model_validate(data)


def audit(session: Session, **where: object) -> list[AuditEvent]:
    with session.begin():
        stmt = select(AuditEvent)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(stmt))


def test_consultation_stores_triage_and_is_audited(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    saved = consultations.record_consultation(session, consultation(world), actor=clinician)
    assert saved.kind.value == "paediatric"
    assert saved.urgency is Urgency.TREAT
    assert saved.classifications == [Classification.MALARIA]
    assert Action.GIVE_ACT in saved.actions
    assert saved.muac_band is MuacBand.GREEN
    assert [d.code for d in saved.diagnoses] == ["B54"]
    assert saved.diagnoses[0].label == "Paludisme simple"
    assert saved.warnings == []
    assert saved.place_code == world.facility_a.code
    again = consultations.get_consultation(session, saved.id, actor=clinician)
    assert again == saved
    actions = [e.action for e in audit(session, entity_id=saved.id)]
    assert sorted(actions) == ["create", "read"]


def test_danger_sign_calls_for_referral_and_warns_when_missing(
    session: Session, world: World
) -> None:
    saved = consultations.record_consultation(
        session,
        consultation(
            world,
            danger_signs=[DangerSign.CONVULSIONS],
            malaria_treatment=MalariaTreatment.ACT,
        ),
        actor=world.actors["clinician_a"],
    )
    assert saved.urgency is Urgency.URGENT_REFERRAL
    assert saved.danger_signs == [DangerSign.CONVULSIONS]
    assert len(saved.warnings) == 2  # artesunate expected; urgent referral not recorded


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"muac_mm": None}, "muac_mm"),
        ({"diagnoses": ["Z99.9"]}, "diagnoses"),
        ({"diagnoses": ["B54", "B54"]}, "diagnoses"),
        ({"consulted_on": today() + timedelta(days=1)}, "consulted_on"),
        ({"referred": True}, "referred_to"),
    ],
    ids=["muac-missing", "unknown-icd10", "duplicate", "future", "referral-without-place"],
)
def test_bad_consultations_are_refused_with_the_field(
    session: Session, world: World, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(RuleViolation) as caught:
        consultations.record_consultation(
            session, consultation(world, **overrides), actor=world.actors["clinician_a"]
        )
    assert caught.value.context["field"] == field


def test_consultation_outside_scope_is_absent_and_audited(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    with pytest.raises(NotFound):
        consultations.record_consultation(
            session, consultation(world, patient_id=world.patient_b.id), actor=clinician
        )
    theirs = consultations.record_consultation(
        session,
        consultation(world, patient_id=world.patient_b.id),
        actor=world.actors["clinician_b"],
    )
    with pytest.raises(NotFound):
        consultations.get_consultation(session, theirs.id, actor=clinician)
    with pytest.raises(NotFound):
        records.patient_care(session, world.patient_b.id, actor=clinician)
    denied = audit(session, actor_id=clinician.id)
    assert [e.action for e in denied].count("write_denied") == 1
    assert [e.action for e in denied].count("read_denied") == 2


def test_adult_general_consultation_without_muac(session: Session, world: World) -> None:
    with session.begin():
        adult = make_patient(
            session, world.facility_a, given="Oumou", birth=today() - timedelta(days=365 * 30)
        )
    saved = consultations.record_consultation(
        session,
        consultation(world, patient_id=adult.id, muac_mm=None, danger_signs=["lethargic"]),
        actor=world.actors["clinician_a"],
    )
    assert saved.kind.value == "general"
    assert saved.urgency is Urgency.TREAT  # malaria; IMCI danger signs do not apply
    assert saved.fast_breathing_threshold is None


def test_maternal_records(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    with session.begin():
        mother = make_patient(
            session, world.facility_a, given="Kadia", birth=today() - timedelta(days=365 * 24)
        )
        mother_id = mother.id
    first = maternal.record_antenatal_visit(
        session,
        AntenatalCreate(
            patient_id=mother_id,
            visited_on=today() - timedelta(days=120),
            gestational_age_weeks=16,
            systolic_mmhg=145,
            muac_mm=225,
        ),
        actor=clinician,
    )
    assert first.visit_number == 1
    assert {f.value for f in first.flags} == {
        "high_blood_pressure",
        "low_muac_pregnancy",
        "late_first_visit",
    }
    second = maternal.record_antenatal_visit(
        session,
        AntenatalCreate(patient_id=mother_id, visited_on=today() - timedelta(days=60)),
        actor=clinician,
    )
    assert second.visit_number == 2
    with pytest.raises(RuleViolation) as caught:
        maternal.record_delivery(
            session,
            DeliveryCreate.model_validate(
                {
                    "patient_id": str(mother_id),
                    "setting": "home",
                    "attendant": "doctor",
                    "mode": "caesarean",
                    "mother_outcome": "mother_well",
                    "newborns": [{"outcome": "live_birth"}],
                }
            ),
            actor=clinician,
        )
    assert caught.value.context["field"] == "mode"
    delivery = maternal.record_delivery(
        session,
        DeliveryCreate.model_validate(
            {
                "patient_id": str(mother_id),
                "delivered_on": (today() - timedelta(days=3)).isoformat(),
                "setting": "facility",
                "attendant": "midwife",
                "mode": "spontaneous_vaginal",
                "mother_outcome": "mother_well",
                "newborns": [
                    {"outcome": "live_birth", "sex": "F", "birth_weight_g": 3100},
                    {"outcome": "fresh_stillbirth"},
                ],
            }
        ),
        actor=clinician,
    )
    assert [n.position for n in delivery.newborns] == [1, 2]
    assert delivery.skilled_attendant
    visit = maternal.record_postnatal_visit(
        session,
        PostnatalCreate.model_validate(
            {"patient_id": mother_id, "mother_status": "pnc_well", "newborn_status": "pnc_well"}
        ),
        actor=clinician,
    )
    assert visit.delivery_id == delivery.id
    assert visit.day_after_birth == 3
    with pytest.raises(RuleViolation):  # a man has no antenatal visit
        maternal.record_antenatal_visit(
            session,
            AntenatalCreate(patient_id=world.patient_b.id),
            actor=world.actors["clinician_b"],
        )
    care = records.patient_care(session, mother_id, actor=clinician)
    assert len(care.antenatal_visits) == 2 and len(care.deliveries) == 1
    records.delete_record(
        session,
        records.CareRecordKind.DELIVERY,
        delivery.id,
        RecordDelete(reason="saisie en double"),
        actor=world.actors["data_manager"],
    )
    assert records.patient_care(session, mother_id, actor=clinician).deliveries == []


def test_surgery_log(session: Session, world: World) -> None:
    clinician = world.actors["clinician_a"]
    entry = surgery.record_surgery(
        session,
        SurgeryCreate.model_validate(
            {
                "patient_id": world.patient_a.id,
                "procedure": "laparotomy",
                "indication": "trauma",
                "anaesthesia": "ketamine",
                "outcome": "recovering",
            }
        ),
        actor=clinician,
    )
    assert entry.procedure_label == "Laparotomie"
    with pytest.raises(RuleViolation):
        surgery.record_surgery(
            session,
            SurgeryCreate.model_validate(
                {
                    "patient_id": world.patient_a.id,
                    "procedure": "teleportation",
                    "indication": "trauma",
                    "anaesthesia": "ketamine",
                    "outcome": "recovering",
                }
            ),
            actor=clinician,
        )
    log, _start, _end = surgery.surgery_log(session, SurgeryFilter(), actor=clinician)
    assert [s.id for s in log] == [entry.id]
    other, _s, _e = surgery.surgery_log(session, SurgeryFilter(), actor=world.actors["clinician_b"])
    assert other == []


def test_mobile_sessions_and_population(session: Session, world: World) -> None:
    with session.begin():
        site = make_place(session, f"{world.area_a.code}-PDI", "displacement_site", world.area_a)
        clinic = make_place(session, f"{world.district.code}-CM", "mobile_clinic", world.district)
        site_code, clinic_code = site.code, clinic.code
    manager = world.actors["data_manager"]
    held = mobile.record_session(
        session,
        MobileSessionCreate.model_validate(
            {
                "site_code": site_code,
                "mobile_clinic_code": clinic_code,
                "team": "Équipe A",
                "people_reached": 143,
                "services": ["consultations", "consultations", "vaccination"],
            }
        ),
        actor=manager,
    )
    assert [s.value for s in held.services] == ["consultations", "vaccination"]
    with pytest.raises(RuleViolation):
        mobile.record_session(
            session,
            MobileSessionCreate(site_code=world.facility_a.code, team="X", people_reached=1),
            actor=manager,
        )
    mobile.record_population(
        session, DisplacedPopulationCreate(site_code=site_code, individuals=900), actor=manager
    )
    corrected = mobile.record_population(
        session, DisplacedPopulationCreate(site_code=site_code, individuals=950), actor=manager
    )
    assert corrected.individuals == 950
    overview, months = mobile.overview(session, actor=manager)
    row = next(s for s in overview.sites if s.code == site_code)
    assert (row.latest_count, row.sessions, row.people_reached) == (950, 1, 143)
    assert len(row.counts) == 1
    assert overview.sites_served == 1 and overview.clinics_active == 1
    assert len(months) in {12, 13}
    updates = audit(session, entity_type="displaced_population", action="update")
    assert updates[0].before == {"individuals": 900, "households": None, "source": None}
