"""A study inside routine care: screening at admission, consent, randomisation, withdrawal."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.errors import NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.nutrition import service as nutrition_service
from alima.nutrition.models import Episode
from alima.nutrition.schemas import AdmissionCreate
from alima.research import service
from alima.research.enums import ConsentMethod, WithdrawalUse
from alima.research.errors import ResearchError
from alima.research.models import Allocation, SequenceEntry
from alima.research.schemas import (
    ConsentCreate,
    DeclineCreate,
    WithdrawalCreate,
)
from tests.factories.core import World
from tests.factories.nutrition import make_child
from tests.factories.research import SEED, SIZE, make_study


@pytest.fixture
def study(session: Session, world: World) -> str:
    return make_study(session, world)


def admit(session: Session, world: World, *, muac: int = 113, age_days: int = 400) -> uuid.UUID:
    child = make_child(session, world.facility_a, age_days=age_days)
    nutrition_service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child.id,
            weight_kg=6.0,
            height_cm=67.5,
            muac_mm=muac,
            appetite_test_passed=True,
            protocol_code="optima",
        ),
        actor=world.actors["clinician_a"],
    )
    return child.id


def form_id(session: Session, world: World, child: uuid.UUID) -> uuid.UUID:
    panel = service.study_panel(session, child, actor=world.actors["clinician_a"])
    return panel[0].forms[0].id


def consent(session: Session, world: World, child: uuid.UUID, code: str) -> None:
    service.record_consent(
        session,
        child,
        code,
        ConsentCreate(
            form_id=form_id(session, world, child),
            caregiver_name="Mariam Diarra",
            caregiver_relation="mother",
            method=ConsentMethod.THUMBPRINT,
            witness_name="Oumar Sanogo",
        ),
        actor=world.actors["clinician_a"],
    )


def test_an_eligible_admission_is_screened_and_shown_to_the_nurse(
    session: Session, world: World, study: str
) -> None:
    child = admit(session, world)
    [panel] = service.study_panel(session, child, actor=world.actors["clinician_a"])
    assert panel.study_code == study
    assert panel.eligible and panel.reasons == []
    assert panel.may_consent and not panel.may_randomise


def test_an_ineligible_admission_is_logged_with_its_reasons(
    session: Session, world: World, study: str
) -> None:
    child = admit(session, world, muac=122)  # admitted under OptiMA, above the study's 120 mm
    [panel] = service.study_panel(session, child, actor=world.actors["clinician_a"])
    assert not panel.eligible
    assert panel.reasons == ["muac_above"]
    assert panel.not_included_reason == "ineligible"
    with pytest.raises(RuleViolation) as refused:
        service.randomise(session, child, study, actor=world.actors["clinician_a"])
    assert refused.value.code is ResearchError.RES_001


def test_randomisation_needs_consent_reveals_once_and_governs_the_episode(
    session: Session, world: World, study: str
) -> None:
    child = admit(session, world)
    nurse = world.actors["clinician_a"]
    with pytest.raises(RuleViolation) as refused:
        service.randomise(session, child, study, actor=nurse)
    assert refused.value.code is ResearchError.RES_002
    consent(session, world, child, study)
    allocation = service.randomise(session, child, study, actor=nurse)
    assert allocation.stratum == f"{world.facility_a.code}|lt115"
    with session.begin():
        episode = session.scalars(select(Episode).where(Episode.patient_id == child)).one()
        assert episode.protocol_code == allocation.protocol_code
        entry = session.scalars(
            select(SequenceEntry)
            .where(SequenceEntry.stratum == allocation.stratum)
            .order_by(SequenceEntry.position)
        ).first()
        assert entry is not None and entry.used_at is not None
        assert entry.arm is not None and entry.arm.code == allocation.arm_code
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "research_allocation", AuditEvent.patient_id == child)
        )
        assert audited == 1
    with pytest.raises(RuleViolation) as again:
        service.randomise(session, child, study, actor=nurse)
    assert again.value.code is ResearchError.RES_003
    with session.begin():
        row = session.scalars(select(Allocation).where(Allocation.patient_id == child)).one()
        row.stratum = "changed"
        with pytest.raises(RuntimeError):
            session.flush()
        session.rollback()


def test_the_arms_follow_the_sequence_drawn_at_setup(
    session: Session, world: World, study: str
) -> None:
    nurse = world.actors["clinician_a"]
    arms = []
    for _ in range(4):
        child = admit(session, world)
        consent(session, world, child, study)
        arms.append(service.randomise(session, child, study, actor=nurse).arm_code)
    with session.begin():
        expected = session.scalars(
            select(SequenceEntry)
            .where(SequenceEntry.stratum == f"{world.facility_a.code}|lt115")
            .order_by(SequenceEntry.position)
            .limit(4)
        ).all()
        assert arms == [e.arm.code if e.arm else None for e in expected]
    assert service.sequence_matches(session, study, seed=SEED, size=SIZE)
    assert not service.sequence_matches(session, study, seed=SEED + 1, size=SIZE)
    with pytest.raises(RuleViolation) as twice:
        service.generate_sequence(session, study, seed=SEED, size=SIZE, actor=None)
    assert twice.value.code is ResearchError.RES_009


def test_a_nurse_of_another_site_cannot_randomise(
    session: Session, world: World, study: str
) -> None:
    child = admit(session, world)
    consent(session, world, child, study)
    with pytest.raises(NotFound):
        service.randomise(session, child, study, actor=world.actors["clinician_b"])
    with pytest.raises(NotFound):
        service.study_panel(session, child, actor=world.actors["clinician_b"])


def test_withdrawal_and_reconsent(session: Session, world: World, study: str) -> None:
    nurse = world.actors["clinician_a"]
    child = admit(session, world)
    consent(session, world, child, study)
    panel = service.withdraw(
        session, child, study, WithdrawalCreate(use=WithdrawalUse.COLLECTED), actor=nurse
    )
    assert panel.consent is not None and panel.consent.status == "withdrawn"
    assert not panel.may_randomise and not panel.may_consent
    with pytest.raises(RuleViolation) as refused:
        service.randomise(session, child, study, actor=nurse)
    assert refused.value.code is ResearchError.RES_002


def test_a_thumbprint_needs_a_witness(session: Session, world: World, study: str) -> None:
    child = admit(session, world)
    with pytest.raises(RuleViolation) as refused:
        service.record_consent(
            session,
            child,
            study,
            ConsentCreate(
                form_id=form_id(session, world, child),
                caregiver_name="Mariam Diarra",
                caregiver_relation="mother",
                method=ConsentMethod.THUMBPRINT,
            ),
            actor=world.actors["clinician_a"],
        )
    assert refused.value.code is ResearchError.RES_005


def test_consort_counts_equal_an_independent_recount(
    session: Session, world: World, study: str
) -> None:
    nurse = world.actors["clinician_a"]
    included = admit(session, world)
    consent(session, world, included, study)
    service.randomise(session, included, study, actor=nurse)
    declined = admit(session, world)
    service.decline(session, declined, study, DeclineCreate(reason="declined"), actor=nurse)
    admit(session, world, muac=122)  # not eligible: MUAC 120 or more
    admit(session, world)  # eligible, not yet approached
    board = service.study_dashboard(session, study, actor=world.actors["researcher"])
    c = board.counts
    assert (c.screened, c.eligible, c.approached, c.consented, c.included) == (4, 3, 2, 1, 1)
    assert c.not_included == {"declined": 1, "ineligible": 1}
    assert sum(board.included_per_arm.values()) == 1
    [site] = board.sites
    assert site.counts == c
    assert [s.code for s in service.list_studies(session, actor=world.actors["researcher"])] == [
        study
    ]
