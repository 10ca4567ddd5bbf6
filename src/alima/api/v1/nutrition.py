"""CMAM care: admissions, visits, exits, episodes and the monthly report."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from alima.api.deps import ApiActor, SessionDep, SettingsDep
from alima.api.v1.common import CODE_PATTERN, MonthQuery, OptionalPlaceCode, error_responses
from alima.nutrition import service
from alima.nutrition.schemas import (
    AdmissionCreate,
    EpisodeRead,
    ExitCreate,
    MonthlyReport,
    ReferralResolve,
    VisitCreate,
    VisitResult,
)

router = APIRouter(
    prefix="/nutrition",
    tags=["nutrition"],
    responses=error_responses(
        not_found="No such child or episode in your scope",
        forbidden=None,
        conflict="Open episode exists, or episode already closed",
        invalid="Invalid input, or refused by the protocol (code and message say why)",
    ),
)


@router.post("/admissions", status_code=status.HTTP_201_CREATED)
def admit_child(body: AdmissionCreate, session: SessionDep, actor: ApiActor) -> VisitResult:
    """Admit a child: the response gives band, ration, next visit and status."""
    return service.admit_child(session, body, actor=actor)


@router.post("/episodes/{episode_id}/visits", status_code=status.HTTP_201_CREATED)
def record_visit(
    episode_id: uuid.UUID, body: VisitCreate, session: SessionDep, actor: ApiActor
) -> VisitResult:
    """Record a visit: ``band``, ``rutf_sachets_per_week``, ``next_visit_on``, ``status``, ``outcome``."""
    return service.record_visit(session, episode_id, body, actor=actor)


@router.post("/episodes/{episode_id}/exit")
def exit_episode(
    episode_id: uuid.UUID, body: ExitCreate, session: SessionDep, actor: ApiActor
) -> EpisodeRead:
    """Close an episode with an outcome (died, defaulted, transferred...).

    The outcome ``died`` needs ``confirm_death: true`` (NUT_030).
    """
    return service.exit_episode(session, episode_id, body, actor=actor)


@router.post("/episodes/{episode_id}/referral")
def resolve_referral(
    episode_id: uuid.UUID, body: ReferralResolve, session: SessionDep, actor: ApiActor
) -> EpisodeRead:
    """Decide on a referral to inpatient care: ``transfer`` (exit) or ``keep`` (with a reason)."""
    return service.resolve_referral(session, episode_id, body, actor=actor)


@router.get("/episodes/{episode_id}")
def get_episode(episode_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> EpisodeRead:
    """An episode with its visits."""
    return service.get_episode(session, episode_id, actor=actor)


@router.get("/reports/monthly")
def monthly_report(
    session: SessionDep,
    actor: ApiActor,
    settings: SettingsDep,
    month: MonthQuery,
    place: OptionalPlaceCode = None,
    project: Annotated[str | None, Query(max_length=40, pattern=CODE_PATTERN)] = None,
) -> MonthlyReport:
    """Monthly report of a site (``place=CODE``) or a project (``project=CODE``)."""
    return service.monthly_report(
        session,
        month=month,
        place_code=place,
        project_code=project,
        actor=actor,
        include_medical_transfers=settings.nutrition_rates_include_medical_transfers,
    )
