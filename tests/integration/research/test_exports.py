"""A study's exports for analysis: pseudonymised, limited to the study, withdrawal respected,
agreements obeyed, audited; the researchers' list; the ODM document valid against the schema."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.alliance.enums import DataAccess, ExportLevel
from alima.core.access import Actor
from alima.core.enums import OrganisationKind, PartnerRole, Role
from alima.core.errors import Forbidden, NotFound, RuleViolation
from alima.core.models import (
    AuditEvent,
    Place,
    Project,
    ProjectPartner,
    RoleAssignment,
    User,
)
from alima.core.service.auth import actor_for
from alima.core.time import today
from alima.nutrition import service as nutrition_service
from alima.nutrition.enums import Outcome
from alima.nutrition.models import Episode
from alima.nutrition.schemas import AdmissionCreate, ExitCreate, VisitCreate
from alima.research import service
from alima.research.enums import ConsentMethod, WithdrawalUse
from alima.research.errors import ResearchError
from alima.research.models import Study
from alima.research.rules import export as rules
from alima.research.schemas import ConsentCreate, WithdrawalCreate
from tests.factories.alliance import make_agreement, make_organisation
from tests.factories.core import World, make_patient
from tests.factories.research import make_study
from tests.integration.nutrition.test_visit_statements import statements
from tests.unit.research.odm_schema import odm_errors

SECRET = "clé-de-test-des-exports"
ADMITTED = today() - timedelta(days=28)


def distinctive(n: int) -> dict[str, str]:
    """Names, numbers and places no export may contain."""
    return {
        "given": f"Zenabou{n}Qx",
        "family": f"Kwelimane{n}Zy",
        "identifier": f"IDQZ-{n:05d}-X",
        "village": f"Villagexq{n}",
        "phone": f"+2237{n:07d}",
        "caregiver": f"Mereqz{n} Tantine",
        "witness": f"Temoinqz{n} Lettre",
    }


def enrol(
    session: Session, world: World, code: str, n: int, *, place: Place | None = None
) -> uuid.UUID:
    """A child with distinctive names admitted 4 weeks ago, consented and randomised."""
    place = place or world.facility_a
    d = distinctive(n)
    with session.begin():
        child = make_patient(
            session,
            place,
            given=d["given"],
            family=d["family"],
            identifier=d["identifier"],
            village=d["village"],
            birth=ADMITTED - timedelta(days=400 + n),
        )
        child.phone = d["phone"]
        child_id = child.id
    nurse = world.actors["clinician_a"]
    nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child_id,
            admitted_on=ADMITTED,
            weight_kg=6.0,
            height_cm=67.5,
            muac_mm=113,
            appetite_test_passed=True,
            protocol_code="optima",
            note=f"NOTEQZ {d['given']}",
        ),
        actor=nurse,
    )
    panels = service.study_panel(session, child_id, actor=nurse)
    panel = next(p for p in panels if p.study_code == code)
    service.record_consent(
        session,
        child_id,
        code,
        ConsentCreate(
            form_id=panel.forms[0].id,
            caregiver_name=d["caregiver"],
            caregiver_relation="mother",
            method=ConsentMethod.THUMBPRINT,
            witness_name=d["witness"],
            consented_on=ADMITTED,
        ),
        actor=nurse,
    )
    service.randomise(session, child_id, code, actor=nurse)
    return child_id


def episode_of(session: Session, child: uuid.UUID) -> uuid.UUID:
    with session.begin():
        return session.scalars(select(Episode.id).where(Episode.patient_id == child)).one()


def visit(session: Session, world: World, child: uuid.UUID, days: int) -> None:
    episode = episode_of(session, child)
    nutrition_service.record_visit(
        session,
        episode,
        VisitCreate(
            visit_on=ADMITTED + timedelta(days=days),
            weight_kg=6.1 + days / 100,
            muac_mm=114,
            note="NOTEQZ visite",
        ),
        actor=world.actors["clinician_a"],
    )


def withdraw(
    session: Session, world: World, child: uuid.UUID, code: str, *, on: date, use: WithdrawalUse
) -> None:
    service.withdraw(
        session,
        child,
        code,
        WithdrawalCreate(withdrawn_on=on, use=use, reason="REASONQZ déménagement"),
        actor=world.actors["clinician_a"],
    )


def files(content: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in archive.namelist()
        }


def unzipped(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"\n".join(archive.read(n) for n in archive.namelist())


@pytest.fixture
def study(session: Session, world: World) -> str:
    return make_study(session, world)


def export(session: Session, world: World, code: str, what: str, who: str = "researcher") -> bytes:
    actor = world.actors[who]
    return service.export_study(session, code, what, actor=actor, secret=SECRET).content


def test_the_export_carries_no_name_identifier_or_free_text(
    session: Session, world: World, study: str
) -> None:
    children = [enrol(session, world, study, n) for n in range(3)]
    for child in children:
        visit(session, world, child, 7)
    zipped = export(session, world, study, "csv")
    odm = export(session, world, study, "odm")
    everything = unzipped(zipped) + odm
    for n in range(3):
        for value in distinctive(n).values():
            assert value.encode() not in everything, value
            assert value.lower().encode() not in everything.lower(), value
    for child in children:
        assert str(child).encode() not in everything
        assert child.hex.encode() not in everything
    birth = (ADMITTED - timedelta(days=400)).isoformat().encode()
    assert birth not in everything
    assert ADMITTED.isoformat().encode() not in everything  # no calendar date leaves
    assert b"NOTEQZ" not in everything and b"REASONQZ" not in everything
    data = files(zipped)
    ids = {r["research_id"] for r in data["subjects.csv"]}
    assert ids == {rules.research_id(SECRET, _study_id(session, study), c) for c in children}
    assert {r["research_id"] for r in data["visits.csv"]} == ids
    assert {r["age_months"] for r in data["subjects.csv"]} >= {"13.1"}
    assert {r["day"] for r in data["visits.csv"]} == {"0", "7"}
    names = {r["name"] for r in data["dictionary.csv"]}
    assert {"research_id", "arm", "whz", "outcome", "sachets_per_day"} <= names
    assert odm_errors(odm) == []


def _study_id(session: Session, code: str) -> uuid.UUID:
    with session.begin():
        return session.scalars(select(Study.id).where(Study.code == code)).one()


def test_withdrawal_collected_stops_the_data_at_its_date_and_none_removes_the_child(
    session: Session, world: World, study: str
) -> None:
    kept, stopped, removed = (enrol(session, world, study, n) for n in (10, 11, 12))
    for child in (kept, stopped, removed):
        visit(session, world, child, 7)
        visit(session, world, child, 14)
    withdraw(
        session,
        world,
        stopped,
        study,
        on=ADMITTED + timedelta(days=10),
        use=WithdrawalUse.COLLECTED,
    )
    withdraw(
        session, world, removed, study, on=ADMITTED + timedelta(days=10), use=WithdrawalUse.NONE
    )
    visit(session, world, stopped, 21)  # care goes on; the study takes nothing more
    nutrition_service.exit_episode(
        session,
        episode_of(session, stopped),
        ExitCreate(outcome=Outcome.DEFAULTED, closed_on=ADMITTED + timedelta(days=27)),
        actor=world.actors["clinician_a"],
    )
    sid = _study_id(session, study)
    rid = {c: rules.research_id(SECRET, sid, c) for c in (kept, stopped, removed)}
    data = files(export(session, world, study, "csv"))
    subjects = {r["research_id"]: r for r in data["subjects.csv"]}
    days: dict[str, list[str]] = {}
    for row in data["visits.csv"]:
        days.setdefault(row["research_id"], []).append(row["day"])
    assert set(subjects) == {rid[kept], rid[stopped]}
    assert days[rid[kept]] == ["0", "7", "14"]
    assert days[rid[stopped]] == ["0", "7"]  # day 14 and 21 after the withdrawal (day 10)
    stopped_row = subjects[rid[stopped]]
    assert (stopped_row["withdrawn"], stopped_row["withdrawal_day"]) == ("Y", "10")
    assert stopped_row["withdrawal_use"] == "collected"
    assert stopped_row["outcome"] == "" and stopped_row["outcome_day"] == ""
    assert subjects[rid[kept]]["withdrawn"] == "N"
    odm = export(session, world, study, "odm")
    assert rid[removed].encode() not in odm and rid[stopped].encode() in odm
    assert odm_errors(odm) == []
    listed = service.participants(session, study, actor=world.actors["researcher"], secret=SECRET)
    assert {p.research_id for p in listed.items} == {rid[kept], rid[stopped]}
    assert listed.left_out == 1
    # The CONSORT flow still counts the child who left with nothing.
    board = service.study_dashboard(session, study, actor=world.actors["researcher"])
    assert (board.counts.included, board.counts.withdrawn) == (3, 2)


def test_only_the_studys_included_children_at_its_sites_leave(
    session: Session, world: World, study: str
) -> None:
    included = enrol(session, world, study, 20)
    other = make_study(session, world)  # another study at the same site
    in_other = enrol(session, world, other, 21)  # screened for both, randomised in the other
    data = files(export(session, world, study, "csv"))
    sid = _study_id(session, study)
    assert [r["research_id"] for r in data["subjects.csv"]] == [
        rules.research_id(SECRET, sid, included)
    ]
    assert {r["site"] for r in data["subjects.csv"]} == {world.facility_a.code}
    assert rules.research_id(SECRET, sid, in_other) not in {
        r["research_id"] for r in data["subjects.csv"]
    }
    # The same child has another research id in another study.
    other_data = files(export(session, world, other, "csv"))
    assert rules.research_id(SECRET, _study_id(session, other), in_other) in {
        r["research_id"] for r in other_data["subjects.csv"]
    }
    assert rules.research_id(SECRET, sid, in_other) != rules.research_id(
        SECRET, _study_id(session, other), in_other
    )


def test_the_blinded_study_exports_a_coded_arm(session: Session, world: World) -> None:
    code = make_study(session, world, blinded=True)
    enrol(session, world, code, 30)
    data = files(export(session, world, code, "csv"))
    [row] = data["subjects.csv"]
    assert row["arm"] in {"X1", "X2"}
    dictionary = {r["name"]: r for r in data["dictionary.csv"]}
    assert "optima" not in dictionary["arm"]["codes_en"].lower()
    listed = service.participants(session, code, actor=world.actors["researcher"], secret=SECRET)
    assert listed.blinded and listed.items[0].arm is None


def test_who_may_export(session: Session, world: World, study: str) -> None:
    enrol(session, world, study, 40)
    for who in ("researcher", "coordinator", "administrator"):
        assert export(session, world, study, "csv", who)
    for who in ("clinician_a", "data_manager", "partner_viewer"):
        with pytest.raises(Forbidden):
            export(session, world, study, "csv", who)
    with pytest.raises(NotFound):
        export(session, world, "NO-SUCH-STUDY", "csv")
    with pytest.raises(RuleViolation) as refused:
        export(session, world, study, "pdf")
    assert refused.value.code is ResearchError.RES_031


def _partner_researcher(
    session: Session, world: World, study: str, level: ExportLevel, access: DataAccess
) -> Actor:
    with session.begin():
        project = session.scalars(
            select(Project).join(Study, Study.project_id == Project.id).where(Study.code == study)
        ).one()
        organisation = make_organisation(
            session, f"U{uuid.uuid4().hex[:6]}", OrganisationKind.RESEARCH_INSTITUTE
        )
        session.add(
            ProjectPartner(
                project_id=project.id,
                organisation_id=organisation.id,
                role=PartnerRole.RESEARCH.value,
            )
        )
        make_agreement(session, project, organisation, access, export_level=level)
        user = User(
            username=f"chercheur-{uuid.uuid4().hex[:6]}",
            full_name="Chercheur Partenaire",
            password_hash="x",
            organisation_id=organisation.id,
        )
        session.add(user)
        session.flush()
        session.add(
            RoleAssignment(user_id=user.id, role=Role.RESEARCHER.value, place_id=world.country.id)
        )
        session.flush()
        actor = actor_for(session, user, channel="web", ip=None)
    return actor


def test_the_agreement_decides(session: Session, world: World, study: str) -> None:
    enrol(session, world, study, 50)
    aggregates = _partner_researcher(
        session, world, study, ExportLevel.AGGREGATES, DataAccess.AGGREGATES
    )
    with pytest.raises(Forbidden) as refused:
        service.export_study(session, study, "odm", actor=aggregates, secret=SECRET)
    assert refused.value.code is ResearchError.RES_030
    with pytest.raises(Forbidden):
        service.participants(session, study, actor=aggregates, secret=SECRET)
    allowed = _partner_researcher(
        session, world, study, ExportLevel.PATIENT_LEVEL, DataAccess.PATIENT_LEVEL
    )
    assert service.export_study(session, study, "csv", actor=allowed, secret=SECRET).content


def test_every_export_is_audited_without_a_name(session: Session, world: World, study: str) -> None:
    children = [enrol(session, world, study, n) for n in (60, 61)]
    researcher = world.actors["researcher"]
    export(session, world, study, "odm")
    with session.begin():
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "research_export", AuditEvent.actor_id == researcher.id
            )
        ).all()
        assert {e.action for e in events} == {"export"}
        assert {e.patient_id for e in events} == {None, *children}
        summary = next(e for e in events if e.patient_id is None)
        assert summary.after is not None and summary.after["children"] == 2
        assert summary.after["what"] == "odm"
        for e in events:
            text = f"{e.detail} {e.after}"
            assert "Zenabou" not in text and "IDQZ" not in text
        writes = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.actor_id == researcher.id, AuditEvent.action != "export")
        )
        assert writes == 0


def test_the_export_reads_the_same_statements_however_many_children(
    session: Session, world: World, study: str
) -> None:
    def counted() -> Counter[str]:
        with statements(session) as seen:
            export(session, world, study, "odm")
        return seen

    child = enrol(session, world, study, 80)
    visit(session, world, child, 7)
    one = counted()
    for n in (81, 82, 83):
        visit(session, world, enrol(session, world, study, n), 7)
    assert counted() == one  # batched reads: no statement per child (audit rows in bulk)
    assert one["SELECT"] <= 14, one  # study, sites, places, arms, allocations, patients, log...
