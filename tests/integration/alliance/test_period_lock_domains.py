"""An approved month refuses every write dated in it, in every domain (on both databases).

The guard is one ``before_flush`` listener (``alima.core.period_lock``): these tests go
through each domain's services, then the API and the web, and expect the translated conflict
``ALLIANCE_005`` (409, or an error page), never a 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.alliance.errors import AllianceError
from alima.alliance.rules import month_key, months_before
from alima.alliance.schemas import PeriodSubmit, UnlockRequest
from alima.alliance.service import periods
from alima.care.schemas import (
    AntenatalCreate,
    ConsultationCreate,
    DeliveryCreate,
    DisplacedPopulationCreate,
    MobileSessionCreate,
    PostnatalCreate,
    RecordDelete,
    SurgeryCreate,
)
from alima.care.service import consultations, maternal, mobile, records, surgery
from alima.care.service.records import CareRecordKind
from alima.community import service as community
from alima.community.schemas import RecordDelete as ScreeningDelete
from alima.community.schemas import ScreeningCreate, TrainingCreate
from alima.core.errors import Conflict
from alima.core.models import Place
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.enums import Outcome
from alima.nutrition.schemas import AdmissionCreate, ExitCreate, VisitCreate
from tests.factories.alliance import Alliance, build_alliance
from tests.factories.core import World, bearer, csrf, make_patient, make_place, sign_in
from tests.factories.treat import (
    make_consultation,
    make_delivery,
    make_mobile_session,
    make_screening,
    make_surgery,
)


@dataclass
class Locked:
    """A district whose month ``month`` is approved, with records dated in it."""

    month: date
    on: date
    mother_id: uuid.UUID
    child_id: uuid.UUID
    episode_id: uuid.UUID
    site_code: str
    records: dict[CareRecordKind, uuid.UUID]
    screening_id: uuid.UUID
    period_id: uuid.UUID


@pytest.fixture
def locked(session: Session, world: World) -> Locked:
    alliance: Alliance = build_alliance(session, world)
    month = months_before(today(), 2)
    on = month + timedelta(days=9)
    clinician = world.actors["clinician_a"]
    with session.begin():
        facility = session.get(Place, world.facility_a.id)
        assert facility is not None
        mother = make_patient(
            session, facility, given="Kadia", birth=today() - timedelta(days=9000)
        )
        child = make_patient(session, facility, given="Awa", birth=on - timedelta(days=400))
        site = make_place(session, f"{world.area_a.code}-PDI", "displacement_site", world.area_a)
        rows = {
            CareRecordKind.CONSULTATION: make_consultation(session, mother, facility, on=on).id,
            CareRecordKind.DELIVERY: make_delivery(session, mother, facility, on=on).id,
            CareRecordKind.SURGERY: make_surgery(session, mother, facility, on=on).id,
        }
        make_mobile_session(session, site, on=on, people=10)
        screening_id = make_screening(session, facility, screened_on=on, muac_mm=108).id
        ids = (mother.id, child.id, site.code)
    admitted = nutrition.admit_child(
        session,
        AdmissionCreate(
            patient_id=ids[1], admitted_on=on, muac_mm=108, weight_kg=7.5, appetite_test_passed=True
        ),
        actor=clinician,
    )
    submitted = periods.submit_period(
        session,
        PeriodSubmit(place_code=world.district.code, month=month_key(month)),
        actor=world.actors["data_manager"],
    )
    periods.approve_period(session, submitted.id, actor=world.actors["coordinator"])
    periods.approve_period(session, submitted.id, actor=alliance.actors["colead_coordinator"])
    return Locked(
        month, on, ids[0], ids[1], admitted.episode_id, ids[2], rows, screening_id, submitted.id
    )


def refused(write: Callable[[], object]) -> None:
    with pytest.raises(Conflict) as caught:
        write()
    assert caught.value.code is AllianceError.ALLIANCE_005


def test_every_domain_refuses_new_records_in_an_approved_month(
    session: Session, world: World, locked: Locked
) -> None:
    clinician, manager = world.actors["clinician_a"], world.actors["data_manager"]
    on, mother = locked.on, locked.mother_id
    refused(
        lambda: consultations.record_consultation(
            session, ConsultationCreate(patient_id=mother, consulted_on=on), actor=clinician
        )
    )
    refused(
        lambda: maternal.record_antenatal_visit(
            # Before the fixture's delivery of that month (a later antenatal visit contradicts it).
            session,
            AntenatalCreate(patient_id=mother, visited_on=on - timedelta(days=2)),
            actor=clinician,
        )
    )
    delivery = {
        "patient_id": str(mother),
        "delivered_on": on.isoformat(),
        "setting": "facility",
        "attendant": "midwife",
        "mode": "spontaneous_vaginal",
        "mother_outcome": "mother_well",
        "newborns": [{"outcome": "live_birth"}],
    }
    refused(
        lambda: maternal.record_delivery(
            session, DeliveryCreate.model_validate(delivery), actor=clinician
        )
    )
    refused(
        lambda: maternal.record_postnatal_visit(
            session,
            PostnatalCreate.model_validate(
                {
                    "patient_id": mother,
                    "visited_on": on,
                    "mother_status": "pnc_well",
                    "newborn_status": "pnc_well",
                }
            ),
            actor=clinician,
        )
    )
    surgery_data = {
        "patient_id": mother,
        "operated_on": on,
        "procedure": "laparotomy",
        "indication": "trauma",
        "anaesthesia": "ketamine",
        "outcome": "recovering",
    }
    refused(
        lambda: surgery.record_surgery(
            session, SurgeryCreate.model_validate(surgery_data), actor=clinician
        )
    )
    refused(
        lambda: mobile.record_session(
            session,
            MobileSessionCreate(site_code=locked.site_code, held_on=on, team="A", people_reached=3),
            actor=manager,
        )
    )
    refused(
        lambda: mobile.record_population(
            session,
            DisplacedPopulationCreate(site_code=locked.site_code, counted_on=on, individuals=9),
            actor=manager,
        )
    )
    refused(
        lambda: community.record_screening(
            session,
            ScreeningCreate.model_validate(
                {
                    "place_code": world.facility_a.code,
                    "screened_on": on,
                    "screener_type": "mother",
                    "child_given_name": "Awa",
                    "child_age_months": 20,
                    "village": "Pogo",
                    "muac_mm": 108,
                }
            ),
            actor=clinician,
        )
    )
    refused(
        lambda: community.record_training(
            session,
            TrainingCreate.model_validate(
                {
                    "place_code": world.facility_a.code,
                    "held_on": on,
                    "trainer_name": "Awa Diarra",
                    "trainer_role": "chw",
                    "village": "Pogo",
                    "mothers_trained": 12,
                }
            ),
            actor=clinician,
        )
    )
    refused(
        lambda: nutrition.record_visit(
            session,
            locked.episode_id,
            VisitCreate(visit_on=on + timedelta(days=7), muac_mm=112, weight_kg=7.6),
            actor=clinician,
        )
    )
    refused(
        lambda: nutrition.exit_episode(
            session,
            locked.episode_id,
            ExitCreate(outcome=Outcome.DEFAULTED, closed_on=on + timedelta(days=8)),
            actor=clinician,
        )
    )


def test_every_domain_refuses_deletions_in_an_approved_month(
    session: Session, world: World, locked: Locked
) -> None:
    manager = world.actors["data_manager"]
    deletion = RecordDelete(reason="saisie en double")
    for kind, record_id in locked.records.items():
        with pytest.raises(Conflict) as caught:
            records.delete_record(session, kind, record_id, deletion, actor=manager)
        assert caught.value.code is AllianceError.ALLIANCE_005
    refused(
        lambda: community.delete_screening(
            session, locked.screening_id, ScreeningDelete(reason="doublon"), actor=manager
        )
    )
    # Once the month is unlocked (with a reason), the same deletion goes through.
    periods.unlock_period(
        session,
        locked.period_id,
        UnlockRequest(reason="correction demandée"),
        actor=world.actors["coordinator"],
    )
    kind, record_id = next(iter(locked.records.items()))
    records.delete_record(session, kind, record_id, RecordDelete(reason="doublon"), actor=manager)


def test_a_locked_write_is_a_409_in_the_api_and_an_error_page_in_the_web(
    session: Session, world: World, locked: Locked, client: TestClient
) -> None:
    headers = bearer(session, world.users["clinician_a"].username)
    body = {"patient_id": str(locked.mother_id), "consulted_on": locked.on.isoformat()}
    response = client.post("/api/v1/care/consultations", json=body, headers=headers)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == AllianceError.ALLIANCE_005.name
    record_id = locked.records[CareRecordKind.SURGERY]
    response = client.delete(
        f"/api/v1/care/surgery/{record_id}?reason=doublon",
        headers=bearer(session, world.users["data_manager"].username),
    )
    assert response.status_code == 409, response.text

    client.headers.clear()
    sign_in(client, world.users["clinician_a"].username)
    page = client.post(
        f"/patients/{locked.mother_id}/consultations/new",
        data={"csrf_token": csrf(client), "consulted_on": locked.on.isoformat()},
    )
    # The form comes back with the refusal in the reader's language (French by default).
    assert page.status_code == 422, page.text[:500]
    assert month_key(locked.month) in page.text
    assert "verrouillées" in page.text
