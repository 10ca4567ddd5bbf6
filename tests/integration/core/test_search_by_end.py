"""The search finds a child by the end of the identifier, the caregiver's name or the phone,
page by page, with a total that matches the pages, and audits every name it shows."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.audit import LIST_READ
from alima.core.models import AuditEvent, Patient, Place
from alima.core.schemas import PatientFilter
from alima.core.service import patients as service
from tests.factories.core import World, make_patient


def _make(session: Session, world: World) -> list[Patient]:
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        made = []
        for n in range(7):
            p = make_patient(
                session, place, given=f"Enfant{n}", identifier=f"ML-SEG-NIO-CS-{n:05d}XQ{n}"
            )
            p.caregiver_name = "Mariam Sangaré" if n < 5 else "Awa Diallo"
            p.phone = f"+223 76 54 32 1{n}"
            made.append(p)
        session.flush()
        return made


def _search(
    session: Session, world: World, q: str, *, limit: int = 50, offset: int = 0
) -> tuple[list[str], int]:
    found = service.search_patients(
        session, PatientFilter(q=q, limit=limit, offset=offset), actor=world.actors["clinician_a"]
    )
    return [p.identifier for p in found.items], found.total


def test_end_of_identifier_caregiver_and_phone(session: Session, world: World) -> None:
    _make(session, world)
    assert _search(session, world, "00003xq3") == (["ML-SEG-NIO-CS-00003XQ3"], 1)
    assert _search(session, world, "XQ6")[0] == ["ML-SEG-NIO-CS-00006XQ6"]
    names, total = _search(session, world, "mariam sangar")
    assert total == 5 and len(names) == 5
    assert _search(session, world, "76543214") == (["ML-SEG-NIO-CS-00004XQ4"], 1)
    assert _search(session, world, "32 15") == (["ML-SEG-NIO-CS-00005XQ5"], 1)
    # Out of scope: facility B's clinician sees none of them.
    found = service.search_patients(
        session, PatientFilter(q="XQ6"), actor=world.actors["clinician_b"]
    )
    assert found.total == 0 and found.items == []


def test_pages_add_up_to_the_total_and_each_name_shown_is_audited(
    session: Session, world: World
) -> None:
    _make(session, world)
    with session.begin():
        audited_before = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    first, total = _search(session, world, "sangar", limit=2, offset=0)
    second, _ = _search(session, world, "sangar", limit=2, offset=2)
    third, _ = _search(session, world, "sangar", limit=2, offset=4)
    assert total == 5
    assert len(first) == 2 and len(second) == 2 and len(third) == 1
    assert len(set(first + second + third)) == total
    with session.begin():
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.detail == f"{LIST_READ}search", AuditEvent.entity_type == "patient")
        )
        assert (session.scalar(select(func.count()).select_from(AuditEvent)) or 0) > audited_before
    assert audited is not None and audited >= total
