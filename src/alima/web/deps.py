"""Web dependencies: the signed-in actor (or a redirect to sign-in) and CSRF checks."""

from typing import Annotated

from fastapi import Depends, Request

from alima.api.deps import SessionDep, SettingsDep, client_ip
from alima.core.access import Actor
from alima.core.errors import CoreError, Forbidden
from alima.core.security import tokens_equal
from alima.core.service import auth
from alima.web.middleware import SESSION_COOKIE

#: Session tokens are 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 200


class LoginRequired(Exception):
    """No live session: the page redirects to sign-in."""


def get_web_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The actor of the session cookie, or ``LoginRequired``."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LoginRequired
    actor = auth.actor_from_session(session, token, ip=client_ip(request), settings=settings)
    if actor is None:
        raise LoginRequired
    # Who asked, for the audit of a refusal (alima.main's error handler).
    request.state.actor, request.state.db = actor, session
    return actor


WebActor = Annotated[Actor, Depends(get_web_actor)]


async def verify_csrf(request: Request) -> None:
    """Refuse a form post whose ``csrf_token`` does not match the CSRF cookie."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.cookies.get("alima_csrf", "")
    if not isinstance(sent, str) or not expected or not tokens_equal(sent, expected):
        raise Forbidden(CoreError.CORE_007)
