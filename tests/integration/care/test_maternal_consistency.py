"""Maternal records need a woman of plausible age and consistent dates (issue 9).

A 20-month-old girl has no antenatal visit, delivery or postnatal visit; a delivery cannot be
dated before an antenatal visit of the same pregnancy, nor an antenatal visit after it; the
gestational ages of one pregnancy agree with the dates; a baby under 2,500 g is flagged.
"""

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from alima.care.rules import maternal as rules
from alima.care.schemas import AntenatalCreate, DeliveryCreate, PostnatalCreate
from alima.care.service import maternal
from alima.core.errors import RuleViolation
from alima.core.time import birth_date_for_age, today
from tests.factories.core import World, make_patient


def woman(session: Session, world: World, *, months: int) -> uuid.UUID:
    with session.begin():
        patient = make_patient(
            session, world.facility_a, given="Fanta", birth=birth_date_for_age(months, today())
        )
        return patient.id


def delivery(patient_id: uuid.UUID, on: date, weight_g: int | None = 3100) -> DeliveryCreate:
    return DeliveryCreate.model_validate(
        {
            "patient_id": str(patient_id),
            "delivered_on": on.isoformat(),
            "setting": "facility",
            "attendant": "midwife",
            "mode": "spontaneous_vaginal",
            "mother_outcome": "mother_well",
            "newborns": [{"outcome": "live_birth", "sex": "F", "birth_weight_g": weight_g}],
        }
    )


@pytest.mark.parametrize("months", [20, 9 * 12 + 11, 56 * 12])
def test_no_maternal_record_for_an_implausible_age(
    session: Session, world: World, months: int
) -> None:
    actor = world.actors["clinician_a"]
    girl = woman(session, world, months=months)
    attempts: list[Callable[[], object]] = [
        lambda: maternal.record_antenatal_visit(
            session, AntenatalCreate(patient_id=girl, gestational_age_weeks=20), actor=actor
        ),
        lambda: maternal.record_delivery(session, delivery(girl, today()), actor=actor),
        lambda: maternal.record_postnatal_visit(
            session,
            PostnatalCreate.model_validate(
                {"patient_id": girl, "mother_status": "pnc_well", "newborn_status": "pnc_well"}
            ),
            actor=actor,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(RuleViolation) as caught:
            attempt()
        assert caught.value.code.name == "CARE_017"


def test_ages_at_the_limits_are_accepted(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    for months in (10 * 12, 55 * 12 + 11):
        mother = woman(session, world, months=months)
        visit = maternal.record_antenatal_visit(
            session, AntenatalCreate(patient_id=mother, gestational_age_weeks=20), actor=actor
        )
        assert visit.visit_number == 1


def test_delivery_before_a_later_antenatal_visit_is_refused(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    mother = woman(session, world, months=24 * 12)
    maternal.record_antenatal_visit(
        session,
        AntenatalCreate(
            patient_id=mother, visited_on=today() - timedelta(days=10), gestational_age_weeks=36
        ),
        actor=actor,
    )
    with pytest.raises(RuleViolation) as caught:
        maternal.record_delivery(
            session, delivery(mother, today() - timedelta(days=20)), actor=actor
        )
    assert (caught.value.code.name, caught.value.context["field"]) == ("CARE_018", "delivered_on")
    done = maternal.record_delivery(
        session, delivery(mother, today() - timedelta(days=5)), actor=actor
    )
    assert done.delivered_on == today() - timedelta(days=5)
    with pytest.raises(RuleViolation) as after:
        maternal.record_antenatal_visit(
            session,
            AntenatalCreate(patient_id=mother, visited_on=today(), gestational_age_weeks=38),
            actor=actor,
        )
    assert after.value.code.name == "CARE_018"


def test_gestational_ages_of_one_pregnancy_agree_with_the_dates(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    mother = woman(session, world, months=30 * 12)
    maternal.record_antenatal_visit(
        session,
        AntenatalCreate(
            patient_id=mother, visited_on=today() - timedelta(days=70), gestational_age_weeks=20
        ),
        actor=actor,
    )
    with pytest.raises(RuleViolation) as caught:
        maternal.record_antenatal_visit(
            session,
            AntenatalCreate(patient_id=mother, visited_on=today(), gestational_age_weeks=22),
            actor=actor,
        )
    assert (caught.value.code.name, caught.value.context["field"]) == (
        "CARE_019",
        "gestational_age_weeks",
    )
    second = maternal.record_antenatal_visit(
        session,
        AntenatalCreate(patient_id=mother, visited_on=today(), gestational_age_weeks=30),
        actor=actor,
    )
    assert second.visit_number == 2


def test_low_birth_weight_is_flagged(session: Session, world: World) -> None:
    assert rules.low_birth_weight(2499)
    assert not rules.low_birth_weight(2500)
    assert not rules.low_birth_weight(None)
    mother = woman(session, world, months=22 * 12)
    done = maternal.record_delivery(
        session, delivery(mother, today(), weight_g=2400), actor=world.actors["clinician_a"]
    )
    assert [n.low_birth_weight for n in done.newborns] == [True]


def test_the_midwife_registers_the_newborn_in_one_step(session: Session, world: World) -> None:
    from sqlalchemy import select

    from alima.care.models import Newborn
    from alima.care.schemas import NewbornRegister
    from alima.core.errors import Conflict
    from alima.core.models import AuditEvent

    actor = world.actors["clinician_a"]
    mother = woman(session, world, months=26 * 12)
    done = maternal.record_delivery(
        session, delivery(mother, today() - timedelta(days=1), weight_g=2300), actor=actor
    )
    baby = maternal.register_newborn(
        session,
        NewbornRegister(patient_id=mother, delivery_id=done.id, position=1, given_name="Awa"),
        actor=actor,
    )
    assert (baby.given_name, baby.family_name, baby.sex, baby.birth_date) == (
        "Awa",
        "Traoré",
        "F",
        today() - timedelta(days=1),
    )
    assert baby.identifier.startswith(world.facility_a.code)
    with session.begin():
        row = session.scalars(select(Newborn).where(Newborn.delivery_id == done.id)).one()
        assert row.patient_id == baby.id
        created = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "patient", AuditEvent.entity_id == baby.id
            )
        ).all()
        assert len(created) == 1
    with pytest.raises(Conflict):
        maternal.register_newborn(
            session,
            NewbornRegister(patient_id=mother, delivery_id=done.id, position=1, given_name="Awa"),
            actor=actor,
        )
