"""Patient use cases on both databases: registration, duplicates, search, scope, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import Sex
from alima.core.errors import Forbidden, NotFound, RuleViolation
from alima.core.models import AuditEvent, Patient
from alima.core.schemas import PatientCreate, PatientDelete, PatientFilter, PatientUpdate
from alima.core.service import patients as service
from alima.core.time import today
from tests.factories.core import World


def new_child(world: World, **overrides: object) -> PatientCreate:
    data: dict[str, object] = {
        "given_name": "Kadiatou",
        "family_name": "Sangaré",
        "sex": Sex.FEMALE,
        "birth_date": today() - timedelta(days=300),
        "village": "Siribala",
        "place_code": world.facility_a.code,
    }
    data.update(overrides)
    return PatientCreate.model_validate(data)


def events(session: Session, **where: object) -> list[AuditEvent]:
    with session.begin():
        stmt = select(AuditEvent)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(session.scalars(stmt))


def test_register_assigns_identifier_and_audits(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    patient = service.register_patient(session, new_child(world), actor=actor)
    assert patient.identifier.startswith(world.facility_a.code + "-")
    assert patient.place_code == world.facility_a.code
    created = events(session, patient_id=patient.id, action="create")
    assert len(created) == 1
    assert created[0].actor_id == actor.id
    assert created[0].after is not None and created[0].after["given_name"] == "Kadiatou"


def test_register_defaults_to_the_only_service_point(session: Session, world: World) -> None:
    patient = service.register_patient(
        session, new_child(world, place_code=None), actor=world.actors["clinician_a"]
    )
    assert patient.place_code == world.facility_a.code


def test_estimated_age_gives_estimated_birth_date(session: Session, world: World) -> None:
    patient = service.register_patient(
        session,
        new_child(world, birth_date=None, estimated_age_months=18),
        actor=world.actors["clinician_a"],
    )
    assert patient.birth_date_estimated
    assert 17.5 < patient.age_months < 18.5


def test_birth_date_in_future_is_refused(session: Session, world: World) -> None:
    with pytest.raises(RuleViolation):
        service.register_patient(
            session,
            new_child(world, birth_date=today() + timedelta(days=3)),
            actor=world.actors["clinician_a"],
        )


def test_clinician_cannot_register_outside_scope(session: Session, world: World) -> None:
    elsewhere = new_child(world, place_code=world.facility_b.code)
    here = new_child(world)
    with pytest.raises(NotFound):
        service.register_patient(session, elsewhere, actor=world.actors["clinician_a"])
    with pytest.raises(Forbidden):
        service.register_patient(session, here, actor=world.actors["partner_viewer"])


@pytest.mark.parametrize(
    ("changes", "is_duplicate"),
    [
        ({}, True),
        ({"given_name": "KADIATOU", "family_name": "sangare"}, True),
        ({"village": "Siribala "}, True),
        ({"given_name": "Kadidia"}, False),
        ({"sex": Sex.MALE}, False),
        ({"village": "Molodo"}, False),
        ({"birth_date": today() - timedelta(days=700)}, False),
    ],
    ids=[
        "same",
        "case-accents",
        "village-spaces",
        "other-name",
        "other-sex",
        "other-village",
        "other-birth",
    ],
)
def test_duplicate_warning(
    session: Session, world: World, changes: dict[str, object], is_duplicate: bool
) -> None:
    actor = world.actors["clinician_a"]
    service.register_patient(session, new_child(world), actor=actor)
    second = new_child(world, **changes)
    if is_duplicate:
        with pytest.raises(service.DuplicateSuspected) as caught:
            service.register_patient(session, second, actor=actor)
        assert caught.value.warning.candidates[0].given_name == "Kadiatou"
        confirmed = second.model_copy(update={"confirm_not_duplicate": True})
        assert service.register_patient(session, confirmed, actor=actor).id
    else:
        assert service.register_patient(session, second, actor=actor).id


def test_duplicate_with_estimated_age(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    service.register_patient(
        session, new_child(world, birth_date=None, estimated_age_months=10), actor=actor
    )
    with pytest.raises(service.DuplicateSuspected):
        service.register_patient(
            session, new_child(world, birth_date=today() - timedelta(days=330)), actor=actor
        )


@pytest.mark.parametrize(
    "query", ["aissata", "AÏSSATA", "coulibaly", "aiss coul", "Aïssata Coulibaly"]
)
def test_search_is_accent_and_case_insensitive(session: Session, world: World, query: str) -> None:
    page = service.search_patients(
        session, PatientFilter(q=query), actor=world.actors["clinician_a"]
    )
    assert [p.id for p in page.items] == [world.patient_a.id]


def test_search_by_identifier_and_scope(session: Session, world: World) -> None:
    by_id = service.search_patients(
        session, PatientFilter(q=world.patient_a.identifier), actor=world.actors["clinician_a"]
    )
    assert [p.id for p in by_id.items] == [world.patient_a.id]
    other = service.search_patients(
        session, PatientFilter(q="moussa"), actor=world.actors["clinician_a"]
    )
    assert other.total == 0
    district = service.search_patients(
        session, PatientFilter(q="moussa"), actor=world.actors["data_manager"]
    )
    assert [p.id for p in district.items] == [world.patient_b.id]


def test_search_escapes_like_wildcards(session: Session, world: World) -> None:
    page = service.search_patients(
        session, PatientFilter(q="%"), actor=world.actors["data_manager"]
    )
    assert page.total == 0


def test_read_outside_scope_is_404_and_audited(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    with pytest.raises(NotFound):
        service.get_patient(session, world.patient_b.id, actor=actor)
    denied = events(session, patient_id=world.patient_b.id, action="read_denied")
    assert [e.actor_id for e in denied] == [actor.id]


def test_read_in_scope_is_audited(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    assert service.get_patient(session, world.patient_a.id, actor=actor).given_name == "Aïssata"
    assert (
        len(events(session, patient_id=world.patient_a.id, action="read", actor_id=actor.id)) == 1
    )


def test_update_records_before_and_after(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    updated = service.update_patient(
        session, world.patient_a.id, PatientUpdate(village="Kala"), actor=actor
    )
    assert updated.village == "Kala"
    assert updated.version == 2
    change = events(session, patient_id=world.patient_a.id, action="update")[0]
    assert change.before is not None and change.before["village"] == "Molodo"
    assert change.after is not None and change.after["village"] == "Kala"


def test_soft_delete_keeps_record_and_hides_it(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        service.delete_patient(
            session,
            world.patient_a.id,
            PatientDelete(reason="doublon"),
            actor=world.actors["clinician_a"],
        )
    deleted = service.delete_patient(
        session,
        world.patient_a.id,
        PatientDelete(reason="doublon de ML-1"),
        actor=world.actors["data_manager"],
    )
    assert deleted.deleted and deleted.deleted_reason == "doublon de ML-1"
    with session.begin():
        assert session.get(Patient, world.patient_a.id) is not None
    page = service.search_patients(
        session, PatientFilter(q="aissata"), actor=world.actors["data_manager"]
    )
    assert page.total == 0
    assert service.get_patient(
        session, world.patient_a.id, actor=world.actors["data_manager"]
    ).deleted


def test_audit_events_are_append_only(session: Session, world: World) -> None:
    service.get_patient(session, world.patient_a.id, actor=world.actors["clinician_a"])
    event = events(session, patient_id=world.patient_a.id)[0]

    def tamper() -> None:
        with session.begin():
            event.detail = "tampered"

    with pytest.raises(RuntimeError, match="append-only"):
        tamper()


def test_audit_trail_requires_audit_permission(session: Session, world: World) -> None:
    service.get_patient(session, world.patient_a.id, actor=world.actors["clinician_a"])
    patient, trail = service.patient_audit_trail(
        session, world.patient_a.id, actor=world.actors["data_manager"]
    )
    assert patient.id == world.patient_a.id
    assert any(e.action == "read" for e in trail)
    with pytest.raises(NotFound):
        service.patient_audit_trail(session, world.patient_a.id, actor=world.actors["clinician_a"])


def test_home_lists_places_and_recent_patients(session: Session, world: World) -> None:
    actor = world.actors["clinician_a"]
    service.get_patient(session, world.patient_a.id, actor=actor)
    home = service.home(session, actor=actor)
    assert [p.code for p in home.places] == [world.facility_a.code]
    assert [p.id for p in home.recent_patients] == [world.patient_a.id]
