"""What the research use cases share: who may do what, DTOs.

Permissions (reused, no new role): a study is set up and its sequence drawn by an
administrator (the statistician works through the command line, which has no site role); the
site's nurses screen, record consent and randomise with the right to write patients there
(``PATIENT_WRITE``); a study's list and dashboard are aggregates, read with ``AGGREGATE_READ``
or ``PATIENT_READ`` over one of its sites (researchers see counts, never a patient); the
child's study panel is part of the patient's record (``PATIENT_READ``).
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.errors import CoreError, NotFound
from alima.core.service.common import PatientRecord, add_audited, dto, new_row
from alima.research import repository
from alima.research.models import Allocation, Study
from alima.research.schemas import AllocationRead, ArmRead, StudyRead

SETUP_PERMISSION = Permission.ADMINISTER
SITE_PERMISSION = Permission.PATIENT_WRITE
READ_PERMISSIONS = (Permission.AGGREGATE_READ, Permission.PATIENT_READ, Permission.STUDY_MONITOR)
#: Emergency unblinding is a break-the-glass on the arm: the clinicians of the child's site
#: (and administrators) hold it, researchers and monitors never.
UNBLIND_PERMISSION = Permission.BREAK_GLASS


def study_visible(actor: Actor, study: Study) -> bool:
    """Whether one of the study's sites lies in the actor's aggregate or patient scope."""
    return any(actor.can_at(p, s.place.path) for s in study.sites for p in READ_PERMISSIONS)


def visible_study(session: Session, actor: Actor, code: str) -> Study:
    """The study if the actor sees it; else ``NotFound``."""
    study = repository.find_study(session, code)
    if study is None or not study_visible(actor, study):
        raise NotFound(CoreError.CORE_001)
    return study


R = TypeVar("R", bound=PatientRecord)


def add_child_record(
    session: Session,
    actor: Actor,
    model: type[R],
    data: BaseModel,
    audit: tuple[str, tuple[str, ...]],
    *,
    study: Study,
    patient_id: uuid.UUID,
    place_id: uuid.UUID,
    **given: Any,
) -> R:
    """A new row of ``study`` about a child at its site, filled from the form's ``data``.

    It is added with its ``CREATE`` audit event (``audit``: the entity type and the fields
    recorded), inside the caller's transaction.
    """
    row = new_row(
        model,
        data,
        study_id=study.id,
        patient_id=patient_id,
        place_id=place_id,
        created_by_id=actor.id,
        **given,
    )
    add_audited(session, actor, row, *audit)
    return row


def study_read(study: Study) -> StudyRead:
    """A study's set-up as pages and the API show it."""
    return dto(
        StudyRead,
        study,
        sponsor=study.sponsor.name,
        partners=sorted(p.organisation.name for p in study.partners),
        arms=[ArmRead.model_validate(a) for a in study.arms],
        sites=sorted(s.place.code for s in study.sites),
    )


def allocation_read(
    study: Study, allocation: Allocation, *, unblinded: bool = False
) -> AllocationRead:
    """An allocation; a blinded study hides the arm unless the reader unblinded the child."""
    arm = allocation.arm
    hidden = study.blinded and not unblinded
    return AllocationRead(
        study_code=study.code,
        arm_code=None if hidden else arm.code,
        arm_label=None if hidden else arm.label,
        protocol_code=arm.protocol_code,
        stratum=allocation.stratum,
        revealed_at=allocation.revealed_at,
    )
