"""The allocation sequence stays concealed: its arms never reach a site before use, and only
an administrator of every site of a study draws it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.access import Grant
from alima.core.changelog import Change
from alima.core.enums import OrganisationKind, PartnerRole, Role
from alima.core.errors import NotFound, RuleViolation
from alima.core.time import today
from alima.research import service
from alima.research.enums import FormKind
from alima.research.errors import ResearchError
from alima.research.models import SequenceEntry, SequenceSeal, Study
from alima.research.schemas import ArmIn, ConsentFormIn, StudyCreate
from tests.conftest import BACKENDS
from tests.factories.alliance import make_organisation, make_project
from tests.factories.core import World
from tests.factories.research import make_study
from tests.integration.research.test_enrolment import admit, consent
from tests.integration.sync.harness import Hub, make_hub, make_node


@pytest.fixture(params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Hub:
    return make_hub(request.param, tmp_path)


def _unused_arms(factory: object, study_code: str) -> tuple[int, int]:
    """(unused positions, unused positions whose arm is readable) in a database."""
    with factory() as session, session.begin():  # type: ignore[operator]
        study_id = session.scalar(select(Study.id).where(Study.code == study_code))
        rows = session.execute(
            select(SequenceEntry.arm_id, SequenceSeal.arm_id)
            .outerjoin(SequenceSeal, SequenceSeal.entry_id == SequenceEntry.id)
            .where(SequenceEntry.study_id == study_id, SequenceEntry.used_at.is_(None))
        ).all()
        readable = sum(1 for arm, sealed in rows if arm is not None or sealed is not None)
        logged = session.scalars(
            select(Change.row).where(Change.entity == "research_sequence_entry")
        ).all()
        readable += sum(1 for row in logged if row.get("arm_id") and not row.get("used_at"))
        return len(rows), readable


def test_a_laptop_never_holds_an_upcoming_arm_and_randomises_on_the_hub(
    hub: Hub, tmp_path: Path
) -> None:
    world = hub.world
    with hub.factory() as session:
        code = make_study(session, world)
        child = admit(session, world)
        consent(session, world, child, code)
        revealed = service.randomise(session, child, code, actor=world.actors["clinician_a"])
    total, readable = _unused_arms(hub.factory, code)
    assert total > 0 and readable == total  # the hub holds every arm, sealed
    laptop = make_node(hub, world.facility_a, tmp_path, "laptop-a")
    total, readable = _unused_arms(laptop.factory, code)
    assert total > 0
    assert readable == 0  # no column, no seal, no change log copy shows an arm to come
    with laptop.factory() as session, session.begin():
        used = session.scalars(
            select(SequenceEntry).where(SequenceEntry.used_at.is_not(None))
        ).one()
        assert used.arm is not None and used.arm.code == revealed.arm_code  # once used, known
    # The nurse at the laptop consents a child there; randomising asks for the hub.
    username = world.users["clinician_a"].username
    patient = laptop.register(username, "Awa")
    laptop.admit(username, patient.id, today())
    nurse = laptop.actor(username)
    with laptop.factory() as session:
        consent(session, world, patient.id, code)
        [panel] = service.study_panel(session, patient.id, actor=nurse)
        assert panel.randomise_on_hub and not panel.may_randomise
        with pytest.raises(RuleViolation) as refused:
            service.randomise(session, patient.id, code, actor=nurse)
    assert refused.value.code is ResearchError.RES_070


def _two_site_study(session: Session, world: World) -> str:
    code = f"TWO-{uuid.uuid4().hex[:5].upper()}"
    with session.begin():
        make_organisation(session, f"S{code}", OrganisationKind.INTERNATIONAL_NGO)
        sponsor = make_organisation(session, f"A{code}", OrganisationKind.INTERNATIONAL_NGO)
        project = make_project(
            session,
            world.country,
            [world.facility_a, world.facility_b],
            [(sponsor, PartnerRole.LEAD)],
        )
        project_code = project.code
    service.create_study(
        session,
        StudyCreate(
            code=code,
            title="Two sites",
            project_code=project_code,
            sponsor_code=f"A{code}",
            starts_on=today() - timedelta(days=3),
            target_size=20,
            site_codes=[world.facility_a.code, world.facility_b.code],
            arms=[ArmIn(code="arm-a", label="A"), ArmIn(code="arm-b", label="B")],
            forms=[
                ConsentFormIn(
                    kind=FormKind.CONSENT, version="1", language="fr", approved_on=today()
                )
            ],
        ),
        actor=world.actors["administrator"],
    )
    return code


def test_drawing_the_sequence_needs_an_administrator_of_every_site(
    session: Session, world: World
) -> None:
    code = _two_site_study(session, world)
    admin = world.actors["administrator"]
    of_one_site = replace(admin, grants=(Grant(Role.ADMINISTRATOR, (world.facility_a.path,)),))
    with pytest.raises(NotFound):
        service.generate_sequence(session, code, seed=7, size=4, actor=of_one_site)
    with session.begin():
        drawn = session.scalars(
            select(SequenceEntry.id)
            .join(Study, Study.id == SequenceEntry.study_id)
            .where(Study.code == code)
        ).all()
        assert drawn == []
    summary = service.generate_sequence(session, code, seed=7, size=4, actor=admin)
    assert len(summary.strata) == 2 and summary.entries >= 4 * 2
