"""Sign-in, sign-out and the language switch."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from alima.api.deps import SessionDep, SettingsDep, client_ip
from alima.core.errors import AlimaError
from alima.core.i18n import LOCALES
from alima.core.security import new_token
from alima.core.service import auth
from alima.web.contexts import LoginContext
from alima.web.deps import WebActor, session_cookie_name
from alima.web.middleware import LOCALE_COOKIE
from alima.web.rendering import redirect, render, safe_next

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/login", name="auth:login")
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return render(request, "login.html", LoginContext(next_url=safe_next(next)))


@router.post("/login", name="auth:login_post")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check credentials; on success a new session (new token) replaces any old one."""
    try:
        signed_in = auth.sign_in(
            session, username=username, password=password, ip=client_ip(request), settings=settings
        )
    except AlimaError as exc:
        context = LoginContext(username=username[:80], error=exc.message, next_url=safe_next(next))
        return render(request, "login.html", context, status_code=exc.status)
    response = redirect(safe_next(next))
    response.set_cookie(
        session_cookie_name(request),
        signed_in.token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    request.state.csrf_rotated = new_token()
    response.set_cookie(
        LOCALE_COOKIE, request.state.locale, max_age=365 * 86400, samesite="lax", httponly=True
    )
    return response


@router.post("/logout", name="auth:logout")
def logout(request: Request, session: SessionDep, actor: WebActor) -> RedirectResponse:
    """End the session."""
    name = session_cookie_name(request)
    auth.sign_out(session, request.cookies.get(name, ""), actor)
    response = redirect("/login")
    response.delete_cookie(
        name, secure=request.app.state.settings.secure_cookies, httponly=True, samesite="lax"
    )
    return response


@router.get("/lang/{code}", name="auth:language")
def switch_language(code: str, next: str = "/") -> RedirectResponse:
    """Switch the interface language (French or English)."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LOCALES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
