"""Co-management: projects, country dashboards, trainings, approval, oversight.

Projects with their agreements and funding, country dashboards, trainings, monthly approval,
emergency access and the read audit.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from alima.alliance.schemas import (
    AgreementCreate,
    AgreementRead,
    AllocationCreate,
    ApprovalsPage,
    CountryDashboard,
    EmergencyAccessCreate,
    EmergencyAccessRead,
    EmergencyOpened,
    GrantCreate,
    GrantRead,
    ParticipantCreate,
    PeriodRead,
    PeriodSubmit,
    ProjectOverview,
    ProjectSummary,
    ReadAuditFilter,
    ReadAuditPage,
    TrainingCreate,
    TrainingList,
    TrainingRead,
    UnlockRequest,
)
from alima.alliance.service import oversight, periods, projects, trainings
from alima.api.deps import ApiActor, SessionDep, SettingsDep
from alima.api.v1.common import FromQuery, error_responses

router = APIRouter(
    prefix="/alliance",
    tags=["alliance"],
    responses=error_responses(
        not_found="Not found in your scope",
        forbidden="Not allowed (your role or your organisation's agreement)",
        conflict="Conflicts with the current state (locked month, duplicate)",
    ),
)


@router.get("/projects")
def list_projects(session: SessionDep, actor: ApiActor) -> list[ProjectSummary]:
    """Projects whose aggregates you may see."""
    return projects.list_projects(session, actor=actor)


@router.get("/projects/{project_code}")
def get_project(
    project_code: str, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> ProjectOverview:
    """Partners, agreements in plain words, funding share to national NGOs, trainings."""
    return projects.project_overview(session, project_code, actor=actor, settings=settings)


@router.post("/projects/{project_code}/agreements", status_code=status.HTTP_201_CREATED)
def record_agreement(
    project_code: str, body: AgreementCreate, session: SessionDep, actor: ApiActor
) -> AgreementRead:
    """Record a partner agreement (administrators)."""
    return projects.record_agreement(session, project_code, body, actor=actor)


@router.post("/projects/{project_code}/grants", status_code=status.HTTP_201_CREATED)
def record_grant(
    project_code: str,
    body: GrantCreate,
    session: SessionDep,
    settings: SettingsDep,
    actor: ApiActor,
) -> GrantRead:
    """Record a donor's grant (coordinators)."""
    return projects.record_grant(session, project_code, body, actor=actor, settings=settings)


@router.post("/grants/{grant_id}/allocations", status_code=status.HTTP_201_CREATED)
def allocate(
    grant_id: uuid.UUID, body: AllocationCreate, session: SessionDep, actor: ApiActor
) -> GrantRead:
    """Allocate part of a grant to an organisation (coordinators)."""
    return projects.allocate(session, grant_id, body, actor=actor)


@router.get("/countries/{country_code}")
def country_dashboard(
    country_code: str, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> CountryDashboard:
    """Funding share to national NGOs and trainings in a country, within your scope."""
    return projects.country_dashboard(session, country_code, actor=actor, settings=settings)


@router.get("/trainings")
def list_trainings(
    session: SessionDep,
    actor: ApiActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> TrainingList:
    """Trainings in your scope, latest first, with this year's summary."""
    return trainings.list_trainings(session, actor=actor, limit=limit, offset=offset)


@router.post("/trainings", status_code=status.HTTP_201_CREATED)
def record_training(
    body: TrainingCreate, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> TrainingRead:
    """Record a training that has ended, with its participants."""
    return trainings.record_training(session, body, actor=actor, settings=settings)


@router.get("/trainings/{training_id}")
def get_training(training_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> TrainingRead:
    """One training (participants' names only if you record trainings there)."""
    return trainings.get_training(session, training_id, actor=actor)


@router.post(
    "/trainings/{training_id}/participants",
    status_code=status.HTTP_201_CREATED,
)
def add_participant(
    training_id: uuid.UUID, body: ParticipantCreate, session: SessionDep, actor: ApiActor
) -> TrainingRead:
    """Add a participant to a training."""
    return trainings.add_participant(session, training_id, body, actor=actor)


@router.get("/periods")
def list_periods(session: SessionDep, actor: ApiActor) -> ApprovalsPage:
    """Sites' months in your scope, and what you may submit."""
    return periods.approvals_page(session, actor=actor)


@router.post("/periods", status_code=status.HTTP_201_CREATED)
def submit_period(body: PeriodSubmit, session: SessionDep, actor: ApiActor) -> PeriodRead:
    """Submit a site's month for approval (data managers)."""
    return periods.submit_period(session, body, actor=actor)


@router.post("/periods/{period_id}/approve")
def approve_period(period_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> PeriodRead:
    """Approve a month for your organisation (lead and co-lead coordinators)."""
    return periods.approve_period(session, period_id, actor=actor)


@router.post("/periods/{period_id}/unlock")
def unlock_period(
    period_id: uuid.UUID, body: UnlockRequest, session: SessionDep, actor: ApiActor
) -> PeriodRead:
    """Unlock an approved month, with a reason (coordinators); audited."""
    return periods.unlock_period(session, period_id, body, actor=actor)


@router.post("/emergency-access", status_code=status.HTTP_201_CREATED)
def open_emergency_access(
    body: EmergencyAccessCreate, session: SessionDep, settings: SettingsDep, actor: ApiActor
) -> EmergencyOpened:
    """Break the glass: open a patient outside your scope for a limited time (audited)."""
    return oversight.open_emergency_access(session, body, actor=actor, settings=settings)


@router.get("/emergency-access")
def list_emergency_accesses(session: SessionDep, actor: ApiActor) -> list[EmergencyAccessRead]:
    """Emergency accesses to patients in your audit scope, and your own."""
    return oversight.emergency_accesses(session, actor=actor)


@router.get("/read-audit")
def read_audit(
    criteria: FromQuery[ReadAuditFilter], session: SessionDep, actor: ApiActor
) -> ReadAuditPage:
    """Who opened which patient record, and when."""
    return oversight.read_audit(session, criteria, actor=actor)
