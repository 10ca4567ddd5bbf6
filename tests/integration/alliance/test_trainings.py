"""Health workers trained: distinct people, by place subtree, by month, on both databases."""

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from alima.alliance import repository
from alima.alliance.errors import AllianceError
from alima.alliance.schemas import ParticipantCreate, TrainingCreate
from alima.alliance.service import trainings as service
from alima.core.config import Settings
from alima.core.enums import OrganisationKind
from alima.core.errors import AlimaError, Forbidden, NotFound
from alima.core.models import Place
from alima.core.time import today
from alima.indicators import registry
from tests.factories.alliance import make_organisation, make_training
from tests.factories.core import World


def _place(session: Session, place: Place) -> Place:
    stored = session.get(Place, place.id)
    assert stored is not None
    return stored


def test_distinct_health_workers_by_subtree_and_month(session: Session, world: World) -> None:
    with session.begin():
        ngo = make_organisation(session, "NGO-T", OrganisationKind.NATIONAL_NGO)
        other = make_organisation(session, "NGO-U", OrganisationKind.NATIONAL_NGO)
        a, b = _place(session, world.facility_a), _place(session, world.facility_b)
        make_training(
            session,
            a,
            ngo,
            ended_on=date(2026, 3, 10),
            participants=[("Awa Diallo", ngo), ("Moussa Sidibé", ngo), ("Fanta Koné", None)],
        )
        # The same Awa (other spelling) again in March, and in April: one person, counted once
        # over the quarter, once in each month.
        make_training(
            session,
            a,
            ngo,
            ended_on=date(2026, 3, 28),
            topic="MUAC",
            participants=[("AWA DIALLO", ngo), ("Awa Diallo", other)],
        )
        make_training(
            session, a, ngo, ended_on=date(2026, 4, 2), participants=[("awa  diallo", ngo)]
        )
        make_training(
            session, b, ngo, ended_on=date(2026, 3, 15), participants=[("Binta Touré", ngo)]
        )
        make_training(  # outside the period
            session, a, ngo, ended_on=date(2026, 6, 1), participants=[("Hors Période", ngo)]
        )
        district, area_a = world.district.path, world.area_a.path
        start, end = date(2026, 1, 1), date(2026, 4, 30)
        assert (
            repository.count_health_workers_trained(session, paths=[district], start=start, end=end)
            == 5
        )
        assert (
            repository.count_health_workers_trained(session, paths=[area_a], start=start, end=end)
            == 4
        )
        assert repository.count_health_workers_trained(session, paths=[], start=start, end=end) == 0
        assert repository.health_workers_trained_by_month(
            session, paths=[district], start=start, end=end
        ) == {
            "2026-01": 0,
            "2026-02": 0,
            "2026-03": 5,
            "2026-04": 1,
        }
        registry.load_indicators()
        indicator = registry.get("TOGETHER-HEALTH-WORKERS-TRAINED")
        assert indicator.count(session, paths=[district], start=start, end=end) == 5
        assert indicator.monthly(session, paths=[district], start=start, end=end) == {
            date(2026, 3, 1): 5,
            date(2026, 4, 1): 1,
        }
        assert not indicator.additive  # people, not attendances: months do not add up
        assert repository.trainings_by_topic(session, paths=[area_a], start=start, end=end) == {
            "IPC": 2,
            "MUAC": 1,
        }


def test_record_training_checks_topic_dates_and_scope(
    session: Session, world: World, settings: Settings
) -> None:
    with session.begin():
        make_organisation(session, "NGO-R", OrganisationKind.NATIONAL_NGO)
    ended = today() - timedelta(days=3)
    data = TrainingCreate(
        title="PCI au CSCom",
        topic="IPC",
        organisation_code="NGO-R",
        place_code=world.facility_a.code,
        started_on=ended - timedelta(days=1),
        ended_on=ended,
        trainer="Dr K.",
        participants=[ParticipantCreate(full_name="Awa Diallo", cadre="Sage-femme")],
    )
    manager = world.actors["data_manager"]
    created = service.record_training(session, data, actor=manager, settings=settings)
    assert created.participant_count == 1
    assert created.participants[0].full_name == "Awa Diallo"
    with pytest.raises(AlimaError) as unknown:
        service.record_training(
            session, data.model_copy(update={"topic": "XYZ"}), actor=manager, settings=settings
        )
    assert unknown.value.code is AllianceError.ALLIANCE_014
    future = data.model_copy(update={"ended_on": today() + timedelta(days=2)})
    with pytest.raises(AlimaError) as late:
        service.record_training(session, future, actor=manager, settings=settings)
    assert late.value.code is AllianceError.ALLIANCE_015
    with pytest.raises(Forbidden):
        service.record_training(session, data, actor=world.actors["clinician_b"], settings=settings)
    elsewhere = data.model_copy(update={"place_code": "NOWHERE-1"})
    with pytest.raises(NotFound):
        service.record_training(session, elsewhere, actor=manager, settings=settings)
    # Readers without the right to record see counts, not names.
    seen = service.get_training(session, created.id, actor=world.actors["partner_viewer"])
    assert seen.participant_count == 1 and seen.participants == []
    assert seen.participants_by_cadre == {"Sage-femme": 1}
