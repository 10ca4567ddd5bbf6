"""Builders for CMAM tests: a child of a given age at a facility, admitted under a protocol."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.core.models import Patient, Place
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.models import Episode
from alima.nutrition.schemas import AdmissionCreate, VisitResult
from tests.factories.core import World, make_patient


def make_child(
    session: Session, place: Place, *, age_days: int = 365, on: date | None = None, sex: str = "F"
) -> Patient:
    """A registered child aged ``age_days`` on ``on`` (default: today)."""
    birth = (on or today()) - timedelta(days=age_days)
    with session.begin():
        child = make_patient(
            session, place, given="Safiatou", family="Dembélé", sex=sex, birth=birth
        )
    session.expunge(child)
    return child


def admit_sam_child(session: Session, world: World, *, admitted_on: date) -> VisitResult:
    """A child of 400 days at facility A admitted by its clinician with a red MUAC (113 mm)."""
    child = make_child(session, world.facility_a, age_days=400)
    return service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child.id,
            admitted_on=admitted_on,
            weight_kg=6.0,
            height_cm=67.5,
            muac_mm=113,
            appetite_test_passed=True,
        ),
        actor=world.actors["clinician_a"],
    )


def make_episode(
    session: Session,
    patient: Patient,
    place: Place,
    *,
    admitted_on: date,
    closed_on: date | None = None,
    deleted: bool = False,
) -> Episode:
    """An episode row as the service would leave it (inside the caller's transaction)."""
    from alima.core.time import utcnow

    episode = Episode(
        patient_id=patient.id,
        place_id=place.id,
        protocol_code="optima",
        protocol_version="1.0",
        protocol_fingerprint="test",
        admitted_on=admitted_on,
        admission_type="new",
        admission_criteria=["muac"],
        main_criterion="muac",
        severity="sam",
        age_months_at_admission=14.0,
        status="closed" if closed_on else "open",
        outcome="cured" if closed_on else None,
        closed_on=closed_on,
        band="severe",
        last_visit_on=closed_on or admitted_on,
        deleted_at=utcnow() if deleted else None,
        deleted_reason="doublon" if deleted else None,
    )
    session.add(episode)
    session.flush()
    return episode
