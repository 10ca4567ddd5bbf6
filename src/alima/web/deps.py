"""Web dependencies: the signed-in actor (or a redirect to sign-in) and CSRF checks."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request

from alima.api.deps import SessionDep, SettingsDep, client_ip
from alima.core.access import Actor
from alima.core.errors import CoreError, Forbidden
from alima.core.security import csrf_form_token, tokens_equal
from alima.core.service import auth
from alima.web.middleware import CSRF_COOKIE, SESSION_COOKIE, cookie_name

#: Session tokens are 43 characters; anything much longer is not ours.
MAX_TOKEN_LENGTH = 200


class LoginRequired(Exception):
    """No live session: the page redirects to sign-in."""


def session_cookie_name(request: Request) -> str:
    """The session cookie's name (``__Host-`` prefixed behind TLS)."""
    return cookie_name(SESSION_COOKIE, secure=request.app.state.settings.secure_cookies)


def get_web_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor:
    """The actor of the session cookie, or ``LoginRequired``."""
    token = request.cookies.get(session_cookie_name(request))
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LoginRequired
    actor = auth.actor_from_session(session, token, ip=client_ip(request), settings=settings)
    if actor is None:
        raise LoginRequired
    # Who asked, for the audit of a refusal (alima.main's error handler).
    request.state.actor, request.state.db = actor, session
    return actor


WebActor = Annotated[Actor, Depends(get_web_actor)]


def get_visitor_actor(request: Request, session: SessionDep, settings: SettingsDep) -> Actor | None:
    """On a public page: the signed-in actor (who keeps the menu), or ``None`` for a visitor."""
    try:
        return get_web_actor(request, session, settings)
    except LoginRequired:
        return None


VisitorActor = Annotated[Actor | None, Depends(get_visitor_actor)]


def signed_in_actor(request: Request) -> Actor | None:
    """The signed-in actor of an error page, as the route resolved it, or ``None``.

    Only an actor already resolved for this request is used: the error page does no database
    work of its own (a 500 may come from the database itself).
    """
    known = getattr(request.state, "actor", None)
    return known if isinstance(known, Actor) else None


def _same_origin(request: Request, url: str) -> bool:
    """Whether ``url`` (an ``Origin`` or ``Referer``) names this server as the browser sees it."""
    host = request.headers.get("host", "").lower()
    return bool(host) and urlsplit(url).netloc.lower() == host


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request from another site, or without this session's CSRF token.

    1. ``Origin`` (or, without it, ``Referer``) must name this server when the browser sends
       one. Every current browser sends ``Origin`` on a cross-site POST, so a forged form
       posted from elsewhere is refused here. When both are absent (old browsers, privacy
       tools that strip them, scripts) the request is not refused for that alone: the token
       below is still required, and it cannot be obtained from another site.
    2. The form's ``csrf_token`` must be the HMAC of this browser's CSRF cookie and session
       cookie (``alima.core.security.csrf_form_token``): a cookie value chosen by an attacker,
       or a token taken from another session, does not match.
    """
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None:
        if origin == "null" or not _same_origin(request, origin):
            raise Forbidden(CoreError.CORE_007)
    elif referer and not _same_origin(request, referer):
        raise Forbidden(CoreError.CORE_007)
    form = await request.form()
    sent = form.get("csrf_token")
    settings = request.app.state.settings
    nonce = request.cookies.get(cookie_name(CSRF_COOKIE, secure=settings.secure_cookies), "")
    if not isinstance(sent, str) or not nonce:
        raise Forbidden(CoreError.CORE_007)
    session_token = request.cookies.get(session_cookie_name(request), "")
    expected = csrf_form_token(settings.secret_key.get_secret_value(), nonce, session_token)
    if not tokens_equal(sent, expected):
        raise Forbidden(CoreError.CORE_007)
