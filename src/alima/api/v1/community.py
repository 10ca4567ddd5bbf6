"""Community screening: trainings, screenings, referrals and their arrival, statistics."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from alima.api.deps import ApiActor, SessionDep
from alima.community import service
from alima.community.schemas import (
    ArrivalCreate,
    CommunityStatistics,
    RecordDelete,
    ReferralRead,
    ScreeningCreate,
    ScreeningRead,
    StatisticsFilter,
    TrainingCreate,
    TrainingRead,
)

router = APIRouter(prefix="/community", tags=["community"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Not allowed"},
    404: {"description": "No such record or place in your scope"},
    422: {"description": "Invalid input or refused by a rule"},
}


@router.post("/trainings", status_code=status.HTTP_201_CREATED, responses=ERRORS)
def record_training(body: TrainingCreate, session: SessionDep, actor: ApiActor) -> TrainingRead:
    """Record a MUAC-for-mothers training session."""
    return service.record_training(session, body, actor=actor)


@router.post("/screenings", status_code=status.HTTP_201_CREATED, responses=ERRORS)
def record_screening(body: ScreeningCreate, session: SessionDep, actor: ApiActor) -> ScreeningRead:
    """Record a screening; a red MUAC or oedema (or a yellow MUAC) issues a referral."""
    return service.record_screening(session, body, actor=actor)


@router.get("/screenings/{screening_id}", responses=ERRORS)
def get_screening(screening_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> ScreeningRead:
    """One screening with its referral (the read is audited)."""
    return service.get_screening(session, screening_id, actor=actor)


@router.delete("/screenings/{screening_id}", responses=ERRORS)
def delete_screening(
    screening_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    deletion: Annotated[RecordDelete, Query()],
) -> ScreeningRead:
    """Soft-delete a screening and its referral with a reason (``?reason=``)."""
    return service.delete_screening(session, screening_id, deletion, actor=actor)


@router.get("/referrals", responses=ERRORS)
def pending_referrals(session: SessionDep, actor: ApiActor) -> list[ReferralRead]:
    """Referrals waiting for the child at your places, oldest first."""
    return service.pending_referrals(session, actor=actor)


@router.get("/referrals/{referral_id}", responses=ERRORS)
def get_referral(referral_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> ReferralRead:
    """One referral (the read is audited)."""
    return service.get_referral(session, referral_id, actor=actor)


@router.post("/referrals/{referral_id}/arrival", responses=ERRORS)
def record_arrival(
    referral_id: uuid.UUID, body: ArrivalCreate, session: SessionDep, actor: ApiActor
) -> ReferralRead:
    """The referred child arrived: the staff's MUAC, and whether the child was admitted."""
    return service.record_arrival(session, referral_id, body, actor=actor)


@router.get("/statistics", responses=ERRORS)
def statistics(
    criteria: Annotated[StatisticsFilter, Query()], session: SessionDep, actor: ApiActor
) -> CommunityStatistics:
    """Screenings, referrals, completion and MUAC agreement (aggregates only)."""
    return service.statistics(session, criteria, actor=actor)
