"""Community screening: trainings, screenings, referrals and their arrival, statistics."""

import uuid

from fastapi import APIRouter, status

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import FromQuery, error_responses
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

router = APIRouter(
    prefix="/community",
    tags=["community"],
    responses=error_responses(not_found="No such record or place in your scope"),
)


@router.post("/trainings", status_code=status.HTTP_201_CREATED)
def record_training(body: TrainingCreate, session: SessionDep, actor: ApiActor) -> TrainingRead:
    """Record a MUAC-for-mothers training session."""
    return service.record_training(session, body, actor=actor)


@router.post("/screenings", status_code=status.HTTP_201_CREATED)
def record_screening(body: ScreeningCreate, session: SessionDep, actor: ApiActor) -> ScreeningRead:
    """Record a screening; a red MUAC or oedema (or a yellow MUAC) issues a referral."""
    return service.record_screening(session, body, actor=actor)


@router.get("/screenings/{screening_id}")
def get_screening(screening_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> ScreeningRead:
    """One screening with its referral (the read is audited)."""
    return service.get_screening(session, screening_id, actor=actor)


@router.delete("/screenings/{screening_id}")
def delete_screening(
    screening_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    deletion: FromQuery[RecordDelete],
) -> ScreeningRead:
    """Soft-delete a screening and its referral with a reason (``?reason=``)."""
    return service.delete_screening(session, screening_id, deletion, actor=actor)


@router.get("/referrals")
def pending_referrals(session: SessionDep, actor: ApiActor) -> list[ReferralRead]:
    """Referrals waiting for the child at your places, oldest first."""
    return service.pending_referrals(session, actor=actor)


@router.get("/referrals/{referral_id}")
def get_referral(referral_id: uuid.UUID, session: SessionDep, actor: ApiActor) -> ReferralRead:
    """One referral (the read is audited)."""
    return service.get_referral(session, referral_id, actor=actor)


@router.post("/referrals/{referral_id}/arrival")
def record_arrival(
    referral_id: uuid.UUID, body: ArrivalCreate, session: SessionDep, actor: ApiActor
) -> ReferralRead:
    """The referred child arrived: the staff's MUAC, and whether the child was admitted."""
    return service.record_arrival(session, referral_id, body, actor=actor)


@router.get("/statistics")
def statistics(
    criteria: FromQuery[StatisticsFilter], session: SessionDep, actor: ApiActor
) -> CommunityStatistics:
    """Screenings, referrals, completion and MUAC agreement (aggregates only)."""
    return service.statistics(session, criteria, actor=actor)
