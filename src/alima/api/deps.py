"""Dependencies shared by the API and the web pages: settings, database session, API actor."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.config import Settings
from alima.core.errors import BadRequest, CoreError, Unauthenticated
from alima.core.service import auth
from alima.core.types import is_storable

# The two dependencies below do no I/O (a session connects at its first query, inside a
# service's transaction, and has given its connection back by the time it is closed), so they
# are coroutines: FastAPI runs them on the event loop instead of handing each one to a thread.


async def get_settings_dep(request: Request) -> Settings:
    """Settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A database session for this request; services open their own transactions."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]

#: Tokens are 49 characters; anything much longer is refused before it is hashed.
MAX_TOKEN_LENGTH = 200
SessionDep = Annotated[Session, Depends(get_session)]


def client_ip(request: Request) -> str | None:
    """The caller's address (as seen by this server)."""
    return request.client.host if request.client else None


def get_api_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The actor behind ``Authorization: Bearer <token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated(CoreError.CORE_003)
    actor = auth.actor_from_api_token(
        session,
        token.strip(),
        ip=client_ip(request),
        cache_seconds=settings.api_actor_cache_seconds,
    )
    # Who asked, for the audit of a refusal (alima.main's error handler).
    request.state.actor, request.state.db = actor, session
    return actor


ApiActor = Annotated[Actor, Depends(get_api_actor)]


#: Content types whose body FastAPI reads as form fields.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_unstorable_text(request: Request) -> None:
    """Refuse, with a clear 400, any query, path or form value a database cannot store.

    PostgreSQL cannot store or even compare a NUL byte (nor an unpaired surrogate), so such a
    value in a search box, a user name or a filter would fail deep in a query. Checked once
    here for every route (pages and API), before any route runs.
    """
    values: list[object] = [v for _, v in request.query_params.multi_items()]
    values += list(request.path_params.values())
    content_type = request.headers.get("content-type", "")
    if request.method not in {"GET", "HEAD"} and content_type.startswith(FORM_TYPES):
        form = await request.form()
        values += [v for _, v in form.multi_items()]
    if any(isinstance(v, str) and not is_storable(v) for v in values):
        raise BadRequest(CoreError.CORE_021)
