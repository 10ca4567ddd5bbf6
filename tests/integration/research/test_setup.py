"""After set-up: ethics approvals and form versions; a new version asks for re-consent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.access import Grant
from alima.core.enums import Role
from alima.core.errors import NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.research import service
from alima.research.enums import FormKind
from alima.research.errors import ResearchError
from alima.research.schemas import ConsentFormIn, EthicsApprovalIn
from tests.factories.core import World
from tests.factories.research import make_study
from tests.integration.research.test_enrolment import admit, consent


def test_a_new_form_version_asks_for_reconsent_and_is_audited(
    session: Session, world: World
) -> None:
    code = make_study(session, world)
    child = admit(session, world)
    consent(session, world, child, code)
    nurse, admin = world.actors["clinician_a"], world.actors["administrator"]
    [before] = service.study_panel(session, child, actor=nurse)
    assert not before.reconsent_needed and before.may_randomise
    bambara = ConsentFormIn(
        kind=FormKind.CONSENT, version="1.0", language="bm", approved_on=today()
    )
    service.add_consent_form(session, code, bambara, actor=admin)
    [still] = service.study_panel(session, child, actor=nurse)
    assert not still.reconsent_needed  # another language leaves the French consent in force
    v2 = ConsentFormIn(kind=FormKind.CONSENT, version="2.0", language="fr", approved_on=today())
    setup = service.add_consent_form(session, code, v2, actor=admin)
    in_force = sorted((f.language, f.version) for f in setup.forms if f.current)
    assert in_force == [("bm", "1.0"), ("fr", "2.0")]
    [after] = service.study_panel(session, child, actor=nurse)
    assert after.reconsent_needed and not after.may_randomise and after.may_consent
    with pytest.raises(RuleViolation) as again:
        service.add_consent_form(session, code, v2, actor=admin)
    assert again.value.code is ResearchError.RES_075
    with session.begin():
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == "research_consent_form")
        )
    assert audited == 2


def test_ethics_approvals_need_an_administrator_of_every_site(
    session: Session, world: World
) -> None:
    code = make_study(session, world)
    approval = EthicsApprovalIn(
        committee="CNESS",
        reference="2026/42",
        protocol_version="2.0",
        approved_on=today(),
        expires_on=today() + timedelta(days=365),
    )
    elsewhere = replace(
        world.actors["administrator"],
        grants=(Grant(Role.ADMINISTRATOR, (world.facility_b.path,)),),
    )
    for refused in (world.actors["coordinator"], world.actors["clinician_a"], elsewhere):
        with pytest.raises(NotFound):
            service.add_ethics_approval(session, code, approval, actor=refused)
    setup = service.add_ethics_approval(
        session, code, approval, actor=world.actors["administrator"]
    )
    assert [e.reference for e in setup.ethics] == ["2026/42"] and setup.may_edit
    backwards = approval.model_copy(update={"expires_on": today() - timedelta(days=1)})
    with pytest.raises(RuleViolation) as dates:
        service.add_ethics_approval(session, code, backwards, actor=world.actors["administrator"])
    assert dates.value.code is ResearchError.RES_076
    seen = service.study_setup(session, code, actor=world.actors["researcher"])
    assert not seen.may_edit and [s.code for s in seen.sites] == [world.facility_a.code]
