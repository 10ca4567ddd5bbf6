"""Research: studies, the CONSORT flow, a child's studies, consent, randomisation."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, status

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import error_responses
from alima.research import service
from alima.research.schemas import (
    AllocationRead,
    ConsentCreate,
    DeclineCreate,
    MonitoredChild,
    PatientStudy,
    QueryAnswer,
    QueryCreate,
    QueryRead,
    SourceRecord,
    StudyCreate,
    StudyDashboard,
    StudyListItem,
    StudyRead,
    UnblindCreate,
    WithdrawalCreate,
)

router = APIRouter(
    prefix="/research",
    tags=["research"],
    responses=error_responses(not_found="No such study, or child screened for it, in your scope"),
)


def _child_in_reach(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> uuid.UUID:
    """The child, once screened for the study in your scope.

    Read before any request body, so that a child elsewhere is a 404 (audited) whatever was sent.
    """
    service.refuse_outside(session, actor, patient_id, study_code)
    return patient_id


#: A child of a study's write routes, checked before the body.
ChildInReach = Annotated[uuid.UUID, Depends(_child_in_reach)]


@router.get("/studies")
def studies(session: SessionDep, actor: ApiActor) -> list[StudyListItem]:
    """The studies with a site in your scope, with their inclusions."""
    return service.list_studies(session, actor=actor)


@router.post("/studies", status_code=status.HTTP_201_CREATED)
def create_study(body: StudyCreate, session: SessionDep, actor: ApiActor) -> StudyRead:
    """Set up a study (administrators); its sequence is drawn by the statistician's command."""
    return service.create_study(session, body, actor=actor)


@router.get("/studies/{study_code}")
def dashboard(study_code: str, session: SessionDep, actor: ApiActor) -> StudyDashboard:
    """Recruitment against target and the CONSORT flow, overall and per site (aggregates)."""
    return service.study_dashboard(session, study_code, actor=actor)


@router.get("/patients/{patient_id}/studies")
def patient_studies(
    patient_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> list[PatientStudy]:
    """The studies that screened a child, and what may be done next."""
    return service.study_panel(session, patient_id, actor=actor)


@router.post(
    "/studies/{study_code}/patients/{patient_id}/consent", status_code=status.HTTP_201_CREATED
)
def consent(
    study_code: str,
    patient_id: ChildInReach,
    body: ConsentCreate,
    session: SessionDep,
    actor: ApiActor,
) -> PatientStudy:
    """Record the caregiver's consent on an approved form version."""
    return service.record_consent(session, patient_id, study_code, body, actor=actor)


@router.post("/studies/{study_code}/patients/{patient_id}/decline")
def decline(
    study_code: str,
    patient_id: ChildInReach,
    body: DeclineCreate,
    session: SessionDep,
    actor: ApiActor,
) -> PatientStudy:
    """An eligible child not included (declined, not approached, other)."""
    return service.decline(session, patient_id, study_code, body, actor=actor)


@router.post("/studies/{study_code}/patients/{patient_id}/withdrawal")
def withdrawal(
    study_code: str,
    patient_id: ChildInReach,
    body: WithdrawalCreate,
    session: SessionDep,
    actor: ApiActor,
) -> PatientStudy:
    """Withdraw consent; ``use`` says what the study may still use."""
    return service.withdraw(session, patient_id, study_code, body, actor=actor)


@router.post(
    "/studies/{study_code}/patients/{patient_id}/randomisation",
    status_code=status.HTTP_201_CREATED,
)
def randomise(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> AllocationRead:
    """Reveal the child's arm, once; the arm's protocol then governs the episode."""
    return service.randomise(session, patient_id, study_code, actor=actor)


@router.post(
    "/studies/{study_code}/patients/{patient_id}/unblinding",
    status_code=status.HTTP_201_CREATED,
)
def unblind(
    study_code: str,
    patient_id: ChildInReach,
    body: UnblindCreate,
    session: SessionDep,
    actor: ApiActor,
) -> PatientStudy:
    """Reveal a blinded child's arm to you, with the reason, for good (an emergency)."""
    return service.unblind(session, patient_id, study_code, body, actor=actor)


# --- the monitor: included children, their source record, queries -------------------------


@router.get("/studies/{study_code}/monitoring")
def monitoring(study_code: str, session: SessionDep, actor: ApiActor) -> list[MonitoredChild]:
    """The children included at the sites you monitor (each listed child audited)."""
    return service.monitored_children(session, study_code, actor=actor)


@router.get("/studies/{study_code}/patients/{patient_id}/source")
def source(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> SourceRecord:
    """An included child's record, read-only, for source data verification."""
    return service.source_record(session, study_code, patient_id, actor=actor)


@router.post(
    "/studies/{study_code}/patients/{patient_id}/queries", status_code=status.HTTP_201_CREATED
)
def raise_query(
    study_code: str,
    patient_id: uuid.UUID,
    body: QueryCreate,
    session: SessionDep,
    actor: ApiActor,
) -> QueryRead:
    """Raise a query on a data point of an included child (monitors)."""
    return service.raise_query(session, study_code, patient_id, body, actor=actor)


@router.post("/studies/{study_code}/patients/{patient_id}/queries/{query_id}/answer")
def answer_query(
    study_code: str,
    patient_id: uuid.UUID,
    query_id: uuid.UUID,
    body: QueryAnswer,
    session: SessionDep,
    actor: ApiActor,
) -> QueryRead:
    """Answer a monitor's query (the child's site)."""
    return service.answer_query(session, study_code, patient_id, query_id, body, actor=actor)


@router.post("/studies/{study_code}/patients/{patient_id}/queries/{query_id}/close")
def close_query(
    study_code: str,
    patient_id: uuid.UUID,
    query_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
) -> QueryRead:
    """Close an answered query (monitors)."""
    return service.close_query(session, study_code, patient_id, query_id, actor=actor)
