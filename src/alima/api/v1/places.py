"""Places (read-only)."""

from typing import Annotated

from fastapi import APIRouter, Query

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import error_responses
from alima.core.enums import PlaceKind
from alima.core.schemas import Page, PlaceRead
from alima.core.service import places as service

router = APIRouter(
    prefix="/places",
    tags=["places"],
    responses=error_responses(not_found="Unknown place", forbidden=None, invalid=None),
)


@router.get("")
def list_places(
    session: SessionDep,
    actor: ApiActor,
    kind: PlaceKind | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[PlaceRead]:
    """Places within your scope, top-down."""
    return service.list_places(
        session, actor=actor, kind=kind.value if kind else None, limit=limit, offset=offset
    )


@router.get("/{code}")
def get_place(code: str, session: SessionDep, actor: ApiActor) -> PlaceRead:
    """One place by its code."""
    return service.get_place(session, code, actor=actor)
