"""The demo data: the Mali the issue describes, deterministic, loadable on both databases."""

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Role
from alima.core.migrate import upgrade
from alima.core.models import Organisation, Patient, Place, ProjectPartner, RoleAssignment
from alima.core.time import today
from alima.demo import core as demo


def test_demo_is_the_mali_of_the_seeds_and_deterministic(session: Session) -> None:
    logins = demo.load(session, today=today())
    assert {login.role for login in logins} == {r.value for r in Role}
    with session.begin():
        kinds = dict(
            session.execute(
                select(Place.kind, func.count())
                .where(Place.code.startswith("ML"))
                .group_by(Place.kind)
            ).all()
        )
        assert kinds["displacement_site"] == 29
        assert kinds["mobile_clinic"] == 3
        assert kinds["region"] == 4
        names = {p.name for p in session.scalars(select(Place).where(Place.code.startswith("ML")))}
        assert {"Ségou", "Mopti", "Tombouctou", "Koulikoro", "Hôpital de Goundam"} <= names
        assert {"District sanitaire de Niono", "District sanitaire de Dioïla"} <= names
        orgs = set(session.scalars(select(Organisation.code)))
        assert {"ALIMA", "AMCP-SP", "INSERM"} <= orgs
        roles = set(session.scalars(select(ProjectPartner.role)))
        assert {"lead", "co_lead", "research"} <= roles
        patients = list(
            session.scalars(
                select(Patient)
                .join(Place)
                .where(Place.code.startswith("ML"))
                .order_by(Patient.identifier)
            )
        )
        assert len(patients) == demo.PATIENT_COUNT
        assert session.scalar(select(func.count()).select_from(RoleAssignment)) is not None
    assert not demo.is_empty(session)
    assert any(p.identifier == "ML-SEG-NIO-NC-CS-00001" for p in patients)


def _children(url: str) -> list[tuple[str, str, str, str]]:
    upgrade(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    demo.load(session, today=date(2026, 11, 1), patient_count=50)
    with session.begin():
        rows = [
            (p.identifier, p.given_name, p.family_name, p.birth_date.isoformat())
            for p in session.scalars(select(Patient).order_by(Patient.identifier))
        ]
    session.close()
    engine.dispose()
    return rows


def test_demo_is_deterministic(tmp_path: Path) -> None:
    first = _children(f"sqlite:///{tmp_path / 'one.db'}")
    second = _children(f"sqlite:///{tmp_path / 'two.db'}")
    assert len(first) == 50
    assert first == second
