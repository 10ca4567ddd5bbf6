"""Research: studies, the CONSORT flow, a child's studies, consent, randomisation."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from alima.api.deps import ApiActor, SessionDep, SettingsDep
from alima.api.v1.common import error_responses
from alima.research import service
from alima.research.schemas import (
    AdverseEventCreate,
    AdverseEventRead,
    AllocationRead,
    ChildFollowUp,
    ConsentCreate,
    DeclineCreate,
    MissedEvent,
    MonitoredChild,
    Participants,
    PatientStudy,
    QueryAnswer,
    QueryCreate,
    QueryRead,
    SourceRecord,
    StudyCreate,
    StudyDashboard,
    StudyListItem,
    StudyRead,
    StudySafety,
    StudyVisitCreate,
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


def _child_watched(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> uuid.UUID:
    """An included child its monitor or its site may query about, read before any body."""
    service.refuse_unwatched(session, actor, patient_id, study_code)
    return patient_id


#: A child of the query routes (monitors and the child's site), checked before the body.
ChildWatched = Annotated[uuid.UUID, Depends(_child_watched)]


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


# --- exports for analysis (pseudonymised, audited) -------------------------------------------


def _download(file: service.ExportFile) -> Response:
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"content-disposition": f'attachment; filename="{file.filename}"'},
    )


@router.get(
    "/studies/{study_code}/export.zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_csv(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> Response:
    """The study's data for analysis: ``subjects.csv``, ``visits.csv``, ``dictionary.csv``."""
    secret = settings.secret_key.get_secret_value()
    return _download(service.export_study(session, study_code, "csv", actor=actor, secret=secret))


@router.get(
    "/studies/{study_code}/export.xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def export_odm(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> Response:
    """The study's data for analysis as one CDISC ODM 1.3.2 document."""
    secret = settings.secret_key.get_secret_value()
    return _download(service.export_study(session, study_code, "odm", actor=actor, secret=secret))


@router.get("/studies/{study_code}/participants")
def participants(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> Participants:
    """The study's included children under their research ids (never a name)."""
    secret = settings.secret_key.get_secret_value()
    return service.participants(session, study_code, actor=actor, secret=secret)


# --- follow-up: the schedule, study visits, serious adverse events ---------------------------


@router.get("/studies/{study_code}/patients/{patient_id}/follow-up")
def follow_up(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> ChildFollowUp:
    """A child's schedule with each event's status (computed now), SAEs and deaths to report."""
    return service.child_follow_up(session, patient_id, study_code, actor=actor)


@router.post(
    "/studies/{study_code}/patients/{patient_id}/study-visits",
    status_code=status.HTTP_201_CREATED,
)
def study_visit(
    study_code: str,
    patient_id: ChildInReach,
    body: StudyVisitCreate,
    session: SessionDep,
    actor: ApiActor,
) -> ChildFollowUp:
    """Record a study visit for a due event that routine care left without weight and MUAC."""
    return service.record_study_visit(session, patient_id, study_code, body, actor=actor)


@router.post(
    "/studies/{study_code}/patients/{patient_id}/adverse-events",
    status_code=status.HTTP_201_CREATED,
)
def adverse_event(
    study_code: str,
    patient_id: ChildInReach,
    body: AdverseEventCreate,
    session: SessionDep,
    actor: ApiActor,
) -> AdverseEventRead:
    """Record a serious adverse event of an included child; its report is then due."""
    return service.report_adverse_event(session, patient_id, study_code, body, actor=actor)


@router.get("/studies/{study_code}/missed")
def missed(study_code: str, session: SessionDep, actor: ApiActor) -> list[MissedEvent]:
    """Events whose window closed with nothing recorded, at the study's sites in your scope."""
    return service.missed_windows(session, study_code, actor=actor)


@router.get("/studies/{study_code}/adverse-events")
def adverse_events(study_code: str, session: SessionDep, actor: ApiActor) -> StudySafety:
    """The study's SAEs, overdue first, and deaths in routine care still to report."""
    return service.study_safety(session, study_code, actor=actor)


@router.post("/studies/{study_code}/adverse-events/{sae_id}/reported")
def sae_reported(
    study_code: str, sae_id: uuid.UUID, session: SessionDep, actor: ApiActor
) -> AdverseEventRead:
    """Record that the SAE reached the sponsor now (once)."""
    return service.mark_reported(session, study_code, sae_id, actor=actor)


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
    patient_id: ChildWatched,
    body: QueryCreate,
    session: SessionDep,
    actor: ApiActor,
) -> QueryRead:
    """Raise a query on a data point of an included child (monitors)."""
    return service.raise_query(session, study_code, patient_id, body, actor=actor)


@router.post("/studies/{study_code}/patients/{patient_id}/queries/{query_id}/answer")
def answer_query(
    study_code: str,
    patient_id: ChildWatched,
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
    patient_id: ChildWatched,
    query_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
) -> QueryRead:
    """Close an answered query (monitors)."""
    return service.close_query(session, study_code, patient_id, query_id, actor=actor)
