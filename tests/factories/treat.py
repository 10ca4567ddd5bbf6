"""Builders for community, care and indicators records (plain ORM rows, flushed).

They write rows directly, as a sync from a field site would, so indicator tests can build
any mix of records (deleted ones, other countries, boundary dates) and recount them.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.care.models import (
    Consultation,
    Delivery,
    DisplacedPopulation,
    MobileSession,
    Newborn,
    Surgery,
)
from alima.community.models import Referral, Screening, Training
from alima.core.access import Actor
from alima.core.models import Patient, Place
from alima.core.time import utcnow
from alima.growth.muac import muac_band
from tests.factories.core import World, make_place


def make_training(
    session: Session, place: Place, *, held_on: date, mothers: int, deleted: bool = False
) -> Training:
    row = Training(
        place_id=place.id,
        held_on=held_on,
        trainer_name="Relais Awa Diarra",
        trainer_role="chw",
        village="Pogo",
        mothers_trained=mothers,
        deleted_at=utcnow() if deleted else None,
        deleted_reason="test" if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def make_screening(
    session: Session,
    place: Place,
    *,
    screened_on: date,
    muac_mm: int,
    screener_type: str = "mother",
    given_name: str = "Hawa",
    referred: bool | None = None,
    arrival_muac_mm: int | None = None,
    admitted: bool | None = None,
) -> Screening:
    band = muac_band(muac_mm)
    row = Screening(
        place_id=place.id,
        screened_on=screened_on,
        screener_type=screener_type,
        child_given_name=given_name,
        child_family_name="Coulibaly",
        child_age_months=18,
        village="Pogo",
        muac_mm=muac_mm,
        oedema="none",
        muac_band=band.value,
    )
    session.add(row)
    session.flush()
    if referred if referred is not None else band.value != "green":
        completed = arrival_muac_mm is not None
        referral = Referral(
            screening_id=row.id,
            place_id=place.id,
            urgency="urgent" if band.value == "red" else "routine",
            status="completed" if completed else "pending",
            referred_on=screened_on,
            arrived_on=screened_on if completed else None,
            arrival_muac_mm=arrival_muac_mm,
            arrival_oedema="none" if completed else None,
            arrival_band=muac_band(arrival_muac_mm).value if arrival_muac_mm else None,
            bands_agree=(muac_band(arrival_muac_mm) is band) if arrival_muac_mm else None,
            admitted=admitted,
        )
        session.add(referral)
        session.flush()
    return row


def make_consultation(
    session: Session,
    patient: Patient,
    place: Place,
    *,
    on: date,
    deleted: bool = False,
) -> Consultation:
    row = Consultation(
        patient_id=patient.id,
        place_id=place.id,
        consulted_on=on,
        kind="paediatric",
        age_months=14,
        urgency="home_care",
        classifications=[],
        actions=[],
        fever=False,
        rdt_result="rdt_not_done",
        malaria_treatment="no_antimalarial",
        muac_mm=135,
        oedema="none",
        muac_band="green",
        deleted_at=utcnow() if deleted else None,
        deleted_reason="test" if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def make_delivery(
    session: Session,
    patient: Patient,
    place: Place,
    *,
    on: date,
    babies: int = 1,
    deleted: bool = False,
) -> Delivery:
    row = Delivery(
        patient_id=patient.id,
        place_id=place.id,
        delivered_on=on,
        setting="facility",
        attendant="midwife",
        mode="spontaneous_vaginal",
        mother_outcome="mother_well",
        deleted_at=utcnow() if deleted else None,
        deleted_reason="test" if deleted else None,
    )
    session.add(row)
    session.flush()
    for position in range(1, babies + 1):
        session.add(Newborn(delivery_id=row.id, position=position, outcome="live_birth", sex="F"))
    session.flush()
    return row


def make_surgery(
    session: Session,
    patient: Patient,
    place: Place,
    *,
    on: date,
    emergency: bool = True,
    deleted: bool = False,
) -> Surgery:
    row = Surgery(
        patient_id=patient.id,
        place_id=place.id,
        operated_on=on,
        procedure="laparotomy",
        indication="acute_abdomen",
        emergency=emergency,
        anaesthesia="general_anaesthesia",
        outcome="discharged",
        deleted_at=utcnow() if deleted else None,
        deleted_reason="test" if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def make_mobile_session(
    session: Session,
    site: Place,
    *,
    on: date,
    people: int,
    clinic: Place | None = None,
    deleted: bool = False,
) -> MobileSession:
    row = MobileSession(
        place_id=site.id,
        mobile_clinic_id=clinic.id if clinic else None,
        held_on=on,
        team="Équipe test",
        people_reached=people,
        services=["consultations"],
        deleted_at=utcnow() if deleted else None,
        deleted_reason="test" if deleted else None,
    )
    session.add(row)
    session.flush()
    return row


def make_population(
    session: Session, site: Place, *, on: date, individuals: int
) -> DisplacedPopulation:
    row = DisplacedPopulation(
        id=uuid.uuid4(), place_id=site.id, counted_on=on, individuals=individuals
    )
    session.add(row)
    session.flush()
    return row


def treat_page_values(session: Session, world: World) -> dict[str, str]:
    """Path values for the community, care and impact pages of the page walk (real records)."""
    from alima.care.schemas import ConsultationCreate
    from alima.care.service import consultations
    from alima.community import service as community
    from alima.community.schemas import ScreeningCreate

    clinician = world.actors["clinician_a"]
    with session.begin():
        # Facility A serves a displacement site with its mobile clinic: clinician A records there.
        make_place(session, f"{world.facility_a.code}-PDI", "displacement_site", world.facility_a)
        make_place(session, f"{world.facility_a.code}-CM", "mobile_clinic", world.facility_a)
    screened = community.record_screening(
        session,
        ScreeningCreate.model_validate(
            {
                "place_code": world.facility_a.code,
                "screener_type": "mother",
                "child_given_name": "Awa",
                "child_age_months": 20,
                "village": "Pogo",
                "muac_mm": 109,
                # The child is registered: the referral's admission page opens.
                "patient_id": str(world.patient_a.id),
            }
        ),
        actor=clinician,
    )
    assert screened.referral is not None
    seen = consultations.record_consultation(
        session,
        ConsultationCreate(patient_id=world.patient_a.id, muac_mm=118, diagnoses=["B54"]),
        actor=clinician,
    )
    return {
        "screening_id": str(screened.id),
        "referral_id": str(screened.referral.id),
        "consultation_id": str(seen.id),
        "country_code": world.country.code,
    }


def treat_security_targets(
    session: Session,
    world: World,
    *,
    elsewhere_patient_id: str,
    elsewhere_place: Place,
    elsewhere_country: Place,
    elsewhere_actor: Actor,
) -> dict[str, dict[str, str]]:
    """Targets of the community, care and impact routes for the permission matrix.

    ``in``: records of facility A (inside the world's district); ``out``: records of a facility
    in another country nobody of the world may see.
    """
    from alima.care.schemas import ConsultationCreate
    from alima.care.service import consultations
    from alima.community import service as community
    from alima.community.schemas import ScreeningCreate

    result: dict[str, dict[str, str]] = {}
    for scope, patient_id, place, parent, actor in (
        (
            "in",
            str(world.patient_a.id),
            world.facility_a,
            world.area_a,
            world.actors["clinician_a"],
        ),
        ("out", elsewhere_patient_id, elsewhere_place, elsewhere_country, elsewhere_actor),
    ):
        with session.begin():
            site = make_place(session, f"{place.code}-PDI", "displacement_site", parent)
            site_code = site.code
        screened = community.record_screening(
            session,
            ScreeningCreate.model_validate(
                {
                    "place_code": place.code,
                    "screener_type": "mother",
                    "child_given_name": "Matrice",
                    "child_age_months": 20,
                    "village": "Pogo",
                    "muac_mm": 109,
                    # The referred child is known: admission routes open its form.
                    "patient_id": patient_id,
                }
            ),
            actor=actor,
        )
        assert screened.referral is not None
        seen = consultations.record_consultation(
            session,
            ConsultationCreate.model_validate(
                {"patient_id": patient_id, "place_code": place.code, "muac_mm": 130}
            ),
            actor=actor,
        )
        result[scope] = {
            "screening_id": str(screened.id),
            "referral_id": str(screened.referral.id),
            "consultation_id": str(seen.id),
            "site_code": site_code,
        }
    return result
