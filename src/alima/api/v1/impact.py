"""The impact page as JSON (public, aggregates only), and its context figures."""

from typing import Annotated

from fastapi import APIRouter, Query

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import PlaceCodePath, error_responses
from alima.indicators import service
from alima.indicators.schemas import ContextFigureCreate, ContextFigureRead, ImpactRead

router = APIRouter(
    prefix="/impact",
    tags=["impact"],
    responses=error_responses(
        not_found="No such country", forbidden=None, invalid="Invalid input", signed_out=None
    ),
)


@router.get("/{country_code}")
def impact(
    country_code: PlaceCodePath,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=service.FIRST_YEAR, le=2100)] = None,
) -> ImpactRead:
    """A country's figures for a calendar year (default: the last complete one). No sign-in."""
    return service.impact(session, country_code, year=year)


@router.post("/context-figures", responses={401: {"description": "Not signed in"}})
def record_context_figure(
    body: ContextFigureCreate, session: SessionDep, actor: ApiActor
) -> ContextFigureRead:
    """Enter or correct a context figure with its year and source (coordinators)."""
    return service.record_context_figure(session, body, actor=actor)
