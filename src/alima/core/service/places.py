"""Reading the place tree within the actor's scope."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alima.core import repository
from alima.core.access import Actor, Permission
from alima.core.errors import CoreError, Forbidden, NotFound
from alima.core.models import Place
from alima.core.schemas import Page, PlaceRead
from alima.core.service.common import dto


def place_read(place: Place) -> PlaceRead:
    """DTO of a place (populations and parent must be loaded)."""
    return dto(
        PlaceRead,
        place,
        parent_code=place.parent.code if place.parent else None,
        populations={p.year: p.population for p in place.populations},
    )


def list_places(
    session: Session, *, actor: Actor, kind: str | None = None, limit: int = 500, offset: int = 0
) -> Page[PlaceRead]:
    """Places in the actor's scope, top-down."""
    if not actor.can(Permission.PLACE_READ):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        places = repository.list_places(
            session, actor.paths_for(Permission.PLACE_READ), kinds=[kind] if kind else None
        )
        return Page[PlaceRead](
            items=[place_read(p) for p in places[offset : offset + limit]],
            total=len(places),
            limit=limit,
            offset=offset,
        )


def get_place(session: Session, code: str, *, actor: Actor) -> PlaceRead:
    """One place in scope, by code."""
    with session.begin():
        place = repository.find_place_by_code(session, code)
        if place is None or not actor.can_at(Permission.PLACE_READ, place.path):
            raise NotFound(CoreError.CORE_011, code=code)
        places = repository.list_places(session, [place.path])
        return place_read(places[0])
