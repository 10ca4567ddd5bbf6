"""A study after set-up: its approvals and consent form versions (one transaction each).

Ethics approvals and new versions of the information sheet or consent form arrive during a
study. An administrator of every site of the study adds them; a new consent form version in a
language becomes the one in force for that language, so every active consent on the older
version asks for a re-consent on the child's page (``reconsent_needed``). Both audited.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.errors import CoreError, Forbidden, RuleViolation
from alima.core.service.common import add_created, not_found
from alima.research import repository
from alima.research.errors import ResearchError
from alima.research.models import ConsentForm, EthicsApproval, Study
from alima.research.schemas import (
    ConsentFormIn,
    EthicsApprovalIn,
    EthicsRead,
    FormRead,
    SiteRead,
    StudySetup,
)
from alima.research.service.common import SETUP_PERMISSION, study_read, visible_study
from alima.research.service.studies import administers_every_site


def _setup(session: Session, actor: Actor, study: Study) -> StudySetup:
    ethics = session.scalars(
        select(EthicsApproval)
        .where(EthicsApproval.study_id == study.id)
        .order_by(EthicsApproval.approved_on)
    ).all()
    return StudySetup(
        study=study_read(study),
        sites=[
            SiteRead(code=s.place.code, name=s.place.name, target_size=s.target_size)
            for s in sorted(study.sites, key=lambda s: s.place.code)
        ],
        ethics=[EthicsRead.model_validate(e) for e in ethics],
        forms=[FormRead.model_validate(f) for f in repository.forms_of(session, study.id)],
        may_edit=administers_every_site(actor, study),
    )


def study_setup(session: Session, study_code: str, *, actor: Actor) -> StudySetup:
    """A study's set-up as its readers see it (no patient on it)."""
    with session.begin():
        return _setup(session, actor, visible_study(session, actor, study_code))


def _editable(session: Session, actor: Actor, study_code: str) -> Study:
    study = repository.find_study(session, study_code)
    if study is None or not administers_every_site(actor, study):
        raise not_found()
    return study


def add_ethics_approval(
    session: Session, study_code: str, data: EthicsApprovalIn, *, actor: Actor
) -> StudySetup:
    """Record an ethics committee's approval (an amendment, a renewal)."""
    with session.begin():
        study = _editable(session, actor, study_code)
        if data.expires_on is not None and data.expires_on < data.approved_on:
            raise RuleViolation(ResearchError.RES_076, field="expires_on")
        row = EthicsApproval(
            study_id=study.id, place_id=study.place_id, created_by_id=actor.id, **data.model_dump()
        )
        add_created(
            session,
            actor,
            row,
            "research_ethics_approval",
            after=data.model_dump(mode="json"),
            place_id=study.place_id,
        )
        return _setup(session, actor, study)


def add_consent_form(
    session: Session, study_code: str, data: ConsentFormIn, *, actor: Actor
) -> StudySetup:
    """A new approved form version: in force for its kind and language from now on."""
    with session.begin():
        study = _editable(session, actor, study_code)
        same = [
            f
            for f in repository.forms_of(session, study.id)
            if f.kind == data.kind.value and f.language == data.language
        ]
        if any(f.version == data.version for f in same):
            raise RuleViolation(ResearchError.RES_075, field="version")
        for older in same:
            older.current = False
        row = ConsentForm(
            study_id=study.id,
            place_id=study.place_id,
            created_by_id=actor.id,
            current=True,
            **data.model_dump(),
        )
        add_created(
            session,
            actor,
            row,
            "research_consent_form",
            after=data.model_dump(mode="json") | {"replaces": [f.version for f in same]},
            place_id=study.place_id,
        )
        return _setup(session, actor, study)


def may_set_up(actor: Actor) -> bool:
    """Whether the actor may set studies up somewhere (administrators)."""
    return actor.can(SETUP_PERMISSION)


def require_setup_right(actor: Actor) -> None:
    """``Forbidden`` unless the actor may set studies up somewhere (the new study's page)."""
    if not may_set_up(actor):
        raise Forbidden(CoreError.CORE_002)
