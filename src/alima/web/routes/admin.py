"""Account administration: deactivate a user, revoke an API token (administrators, in scope)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.core.errors import AlimaError
from alima.core.service import accounts
from alima.web.contexts_admin import AccountContext, AccountsContext
from alima.web.deps import WebActor
from alima.web.rendering import redirect, render

router = APIRouter(default_response_class=HTMLResponse)


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
) -> HTMLResponse:
    account = accounts.get_account(session, user_id, actor=actor)
    context = AccountContext(actor=actor, account=account, is_self=account.id == actor.id)
    context.error = error
    return render(request, "admin/user.html", context, status_code=status_code)


@router.get("/admin/users/{user_id}", name="admin:user")
def user(request: Request, session: SessionDep, actor: WebActor, user_id: uuid.UUID) -> Response:
    """One account, its state and its API tokens."""
    return _account_page(request, session, actor, user_id)


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
    try:
        accounts.set_active(session, user_id, active=active, reason=reason, actor=actor)
    except AlimaError as exc:
        if exc.status in {403, 404}:  # refusals are error pages
            raise
        return _account_page(
            request, session, actor, user_id, error=exc.message, status_code=exc.status
        )
    return redirect(f"/admin/users/{user_id}")


@router.post("/admin/tokens/{token_id}/revoke", name="admin:token_revoke")
def revoke_token(session: SessionDep, actor: WebActor, token_id: uuid.UUID) -> Response:
    """Revoke an API token: refused from the next request on."""
    token = accounts.revoke_token(session, token_id, actor=actor)
    owner = accounts.user_id_by_name(session, token.username)
    return redirect(f"/admin/users/{owner}")
