"""Account administration pages: what the command line does, for administrators in scope.

Create a user, give and take back roles, set a new password, deactivate a user, create and
revoke API tokens, through the same services (``alima.core.service.accounts``), audited.
"""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor
from alima.core.enums import Role
from alima.core.errors import AlimaError, CoreError
from alima.core.i18n import gettext
from alima.core.schemas import (
    AccountCreate,
    ApiTokenCreate,
    PasswordReset,
    RoleGrant,
    RoleWithdrawal,
)
from alima.core.service import accounts, auth
from alima.web.contexts_admin import (
    AccountContext,
    AccountFormContext,
    AccountsContext,
    TokenShownContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, act, again, enum_options, rule_errors
from alima.web.rendering import redirect, render

router = APIRouter(default_response_class=HTMLResponse)


def _account_errors(exc: AlimaError) -> dict[str, str]:
    """A refusal next to the field it is about: password, user name, or place."""
    if exc.code in auth.PASSWORD_POLICY_CODES:
        return {"password": exc.message}
    if exc.code == CoreError.CORE_014:
        return {"username": exc.message}
    return rule_errors(exc)


NEW_ACCOUNT = WebForm(AccountCreate, refused=_account_errors, kept=200)
GRANT = WebForm(RoleGrant)
WITHDRAW = WebForm(RoleWithdrawal)
PASSWORD = WebForm(PasswordReset, refused=_account_errors, kept=0)
TOKEN = WebForm(ApiTokenCreate)


def _form(
    request: Request,
    session: SessionDep,
    actor: Actor,
    values: dict[str, str],
    account: accounts.AccountRow | None = None,
) -> AccountFormContext:
    places = accounts.administered_places(session, actor=actor)
    return AccountFormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        options={
            "role": enum_options(Role),
            "place_code": [Option(code, name) for code, name in places],
        },
        account=account,
        hints={
            "password": gettext(
                "A short sentence is easier to remember than a code; the user name and "
                "common passwords are refused."
            )
        },
    )


@router.get("/admin/users", name="admin:users")
def users(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """The accounts whose every role lies in the administrator's places."""
    return render(
        request,
        "admin/users.html",
        AccountsContext(actor=actor, accounts=accounts.list_accounts(session, actor=actor)),
    )


def _account_page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    user_id: uuid.UUID,
    *,
    error: str | None = None,
    status_code: int = 200,
    saved: str = "",
) -> HTMLResponse:
    account = accounts.get_account(session, user_id, actor=actor)
    context = AccountContext(actor=actor, account=account, is_self=account.id == actor.id)
    context.error = error
    context.saved = saved
    return render(request, "admin/user.html", context, status_code=status_code)


RecordForm[None, AccountCreate, uuid.UUID](
    NEW_ACCOUNT,
    FormView("admin/user_new.html", lambda a, values: _form(a.request, a.session, a.actor, values)),
    lambda a, data: accounts.create_account(a.session, data, actor=a.actor, settings=a.settings),
    lambda _, user_id: f"/admin/users/{user_id}",
).add(router, "/admin/users/new", ("admin:user_new", "admin:user_create"))


@router.get("/admin/users/{user_id}", name="admin:user")
def user(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    user_id: uuid.UUID,
    saved: Annotated[Literal["", "password"], Query()] = "",
) -> Response:
    """One account: its state, its roles and its API tokens."""
    return _account_page(request, session, actor, user_id, saved=saved)


@router.post("/admin/users/{user_id}/active", name="admin:user_active")
def set_active(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    user_id: uuid.UUID,
    active: Annotated[bool, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Deactivate (sessions end, tokens revoked at once) or reactivate the account."""
    return act(
        lambda: accounts.set_active(session, user_id, active=active, reason=reason, actor=actor),
        lambda exc: _account_page(
            request, session, actor, user_id, error=exc.message, status_code=exc.status
        ),
        f"/admin/users/{user_id}",
    )


@router.post("/admin/tokens/{token_id}/revoke", name="admin:token_revoke")
def revoke_token(session: SessionDep, actor: WebActor, token_id: uuid.UUID) -> Response:
    """Revoke an API token: refused from the next request on."""
    token = accounts.revoke_token(session, token_id, actor=actor)
    owner = accounts.user_id_by_name(session, token.username)
    return redirect(f"/admin/users/{owner}")


def _account_form(asked: Asked[uuid.UUID], values: dict[str, str]) -> AccountFormContext:
    account = accounts.get_account(asked.session, asked.key, actor=asked.actor)
    return _form(asked.request, asked.session, asked.actor, values, account)


ROLE_NEW = FormView("admin/role_new.html", _account_form, key=("user_id", uuid.UUID))
RecordForm(GRANT, ROLE_NEW, keyed(accounts.grant_role), lambda a, _: f"/admin/users/{a.key}").add(
    router, "/admin/users/{user_id}/roles/new", ("admin:role_new", "admin:role_grant")
)


@router.post("/admin/roles/{assignment_id}/withdraw", name="admin:role_withdraw")
def withdraw_role(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    assignment_id: uuid.UUID,
    posted: Annotated[Posted, Depends(WITHDRAW)],
) -> Response:
    """Take the role back (with a reason), or show the account again with the refusal."""

    def page(error: str, status_code: int) -> Response:
        user_id = accounts.assignment_user(session, assignment_id, actor=actor)
        return _account_page(request, session, actor, user_id, error=error, status_code=status_code)

    data = WITHDRAW.parse(posted)
    if data is None:
        return page(next(iter(posted.errors.values())), posted.status)
    return act(
        lambda: accounts.withdraw_role(session, assignment_id, data, actor=actor),
        lambda exc: page(exc.message, exc.status),
        lambda user_id: f"/admin/users/{user_id}",
    )


RecordForm(
    PASSWORD,
    # The password typed is never shown again.
    FormView("admin/password.html", lambda a, _: _account_form(a, {}), key=ROLE_NEW.key),
    lambda a, data: accounts.reset_password(
        a.session, a.key, data, actor=a.actor, settings=a.settings
    ),
    lambda a, _: f"/admin/users/{a.key}?saved=password",
).add(router, "/admin/users/{user_id}/password", ("admin:password", "admin:password_reset"))


@router.get("/admin/users/{user_id}/tokens/new", name="admin:token_new")
def new_token(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    user_id: uuid.UUID,
) -> HTMLResponse:
    """The form to create an API token for the user."""
    account = accounts.get_account(session, user_id, actor=actor)
    values = {"name": "api", "days": str(settings.api_token_days)}
    return render(request, "admin/token_new.html", _form(request, session, actor, values, account))


@router.post("/admin/users/{user_id}/tokens/new", name="admin:token_create")
def create_token(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    user_id: uuid.UUID,
    posted: Annotated[Posted, Depends(TOKEN)],
) -> Response:
    """Create the token and show it once (200: it is never shown again), or the form again."""
    account = accounts.get_account(session, user_id, actor=actor)
    page = again(
        request, "admin/token_new.html", _form(request, session, actor, posted.values, account)
    )
    data = TOKEN.parse(posted)
    if data is None:
        return page(posted)
    try:
        created = accounts.create_token(session, user_id, data, actor=actor)
    except AlimaError as exc:
        TOKEN.refuse(posted, exc)
        return page(posted)
    return render(
        request,
        "admin/token_shown.html",
        TokenShownContext(actor=actor, account=account, created=created),
    )
