"""The signed-in user's own account: a new password, given with the current one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep, SettingsDep, client_ip
from alima.core.errors import AlimaError
from alima.core.i18n import gettext
from alima.core.schemas import PasswordChange
from alima.core.service import auth
from alima.web.contexts_admin import OwnPasswordContext
from alima.web.deps import WebActor, session_cookie_name
from alima.web.forms import Posted, WebForm, again, rule_errors, submit
from alima.web.rendering import render

router = APIRouter(default_response_class=HTMLResponse)


def _refused(exc: AlimaError) -> dict[str, str]:
    """A refusal of the password policy next to the new password, any other at its field."""
    if exc.code in auth.PASSWORD_POLICY_CODES:
        return {"password": exc.message}
    return rule_errors(exc)


#: Neither password is ever written back into the page.
OWN_PASSWORD = WebForm(PasswordChange, refused=_refused, kept=0)


def _context(request: Request, actor: WebActor, saved: bool = False) -> OwnPasswordContext:
    return OwnPasswordContext(
        actor=actor,
        action=str(request.url.path),
        values={},
        saved=saved,
        hints={
            "password": gettext(
                "A short sentence is easier to remember than a code; your user name and "
                "common passwords are refused."
            )
        },
    )


@router.get("/account/password", name="account:password")
def password_form(
    request: Request,
    actor: WebActor,
    saved: Annotated[Literal["", "yes"], Query()] = "",
) -> HTMLResponse:
    """The form to change one's own password."""
    return render(request, "account/password.html", _context(request, actor, saved == "yes"))


@router.post("/account/password", name="account:password_change")
def change_password(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    posted: Annotated[Posted, Depends(OWN_PASSWORD)],
) -> Response:
    """Set the new password (other sessions end, this one stays), or show the form again."""
    token = request.cookies.get(session_cookie_name(request), "")
    return submit(
        OWN_PASSWORD,
        posted,
        lambda data: auth.change_own_password(
            session, data, actor=actor, token=token, ip=client_ip(request), settings=settings
        ),
        again(request, "account/password.html", _context(request, actor)),
        then="/account/password?saved=yes",
    )
