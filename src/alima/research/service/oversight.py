"""Oversight of a study: emergency unblinding (one transaction each, audited).

A blinded study hides the arm from its pages and its analysts. When a child's care needs the
arm (a serious event, a drug interaction), a clinician of the child's site unblinds it for
themselves, with a reason: the unblinding is recorded (who, when, why) and audited, can never
be undone, and the study's dashboard counts the children unblinded.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.errors import NotFound, RuleViolation
from alima.core.service.common import add_audited, audit_denied, not_found
from alima.core.time import utcnow
from alima.research import repository
from alima.research.errors import ResearchError
from alima.research.models import Screening, Study, Unblinding
from alima.research.schemas import PatientStudy, UnblindCreate
from alima.research.service.common import UNBLIND_PERMISSION
from alima.research.service.enrolment import panel_of

UNBLINDING = "research_unblinding"


def _reachable(
    session: Session, actor: Actor, patient_id: uuid.UUID, study_code: str
) -> tuple[Study, Screening]:
    """The study and the child's screening, if the actor may unblind at the child's site."""
    study = repository.find_study(session, study_code)
    screening = repository.find_screening(session, study.id, patient_id) if study else None
    if (
        study is None
        or screening is None
        or not actor.can_at(UNBLIND_PERMISSION, screening.place.path)
    ):
        raise not_found()
    return study, screening


def unblind(
    session: Session,
    patient_id: uuid.UUID,
    study_code: str,
    data: UnblindCreate,
    *,
    actor: Actor,
) -> PatientStudy:
    """Reveal one child's arm to the actor, for good, with the reason recorded and audited."""
    with session.begin():
        try:
            _reachable(session, actor, patient_id, study_code)
            denied = False
        except NotFound:
            audit_denied(
                session, actor, entity_type=UNBLINDING, entity_id=patient_id, patient_id=patient_id
            )
            denied = True
    if denied:
        raise not_found()
    with session.begin():
        study, screening = _reachable(session, actor, patient_id, study_code)
        if not study.blinded:
            raise RuleViolation(ResearchError.RES_071, study=study.code)
        allocation = repository.find_allocation(session, study.id, patient_id)
        if allocation is None:
            raise RuleViolation(ResearchError.RES_072, study=study.code)
        if not repository.unblinded_for(session, study.id, patient_id, actor.id):
            row = Unblinding(
                study_id=study.id,
                patient_id=patient_id,
                place_id=screening.place_id,
                allocation_id=allocation.id,
                reason=data.reason,
                unblinded_at=utcnow(),
                created_by_id=actor.id,
            )
            add_audited(
                session, actor, row, UNBLINDING, ("reason", "unblinded_at", "allocation_id")
            )
            session.flush()
        return panel_of(session, actor, screening)
