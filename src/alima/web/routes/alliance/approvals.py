"""Monthly approval: a site's month submitted, approved by the partners, unlocked with a reason."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.alliance.schemas import PeriodSubmit, UnlockRequest
from alima.alliance.service import periods
from alima.api.deps import SessionDep
from alima.core.access import Permission
from alima.core.errors import AlimaError, CoreError, Forbidden
from alima.web.contexts_alliance import ApprovalsContext
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, form_error, is_refusal, submit
from alima.web.rendering import redirect, render

router = APIRouter()

APPROVALS = "/approvals"
SUBMIT = WebForm(PeriodSubmit, refused=form_error, error_page=is_refusal)
UNLOCK = WebForm(UnlockRequest, refused=form_error, error_page=is_refusal)


def _approvals_page(
    request: Request, session: SessionDep, actor: WebActor, posted: Posted | None = None
) -> HTMLResponse:
    error = "; ".join(posted.errors.values()) if posted else None
    context = ApprovalsContext(
        actor=actor, approvals=periods.approvals_page(session, actor=actor), error=error
    )
    status_code = posted.status if posted else 200
    return render(request, "alliance/approvals.html", context, status_code=status_code)


@router.get(APPROVALS, response_class=HTMLResponse, name="alliance:approvals")
def approvals(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Sites' months: submit, approve, unlock."""
    return _approvals_page(request, session, actor)


@router.post(APPROVALS, response_class=HTMLResponse, name="alliance:period_submit")
def period_submit(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(SUBMIT)],
) -> Response:
    """Submit a site's month (data managers)."""
    if not actor.can(Permission.DATA_SUBMIT):
        raise Forbidden(CoreError.CORE_002)

    def save(data: PeriodSubmit) -> str:
        periods.submit_period(session, data, actor=actor)
        return APPROVALS

    return submit(
        SUBMIT, posted, save, lambda posted: _approvals_page(request, session, actor, posted)
    )


@router.post(
    "/approvals/{period_id}/approve", response_class=HTMLResponse, name="alliance:period_approve"
)
def period_approve(
    request: Request, period_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> Response:
    """Approve a submitted month for my organisation (lead and co-lead coordinators)."""
    try:
        periods.approve_period(session, period_id, actor=actor)
    except AlimaError as exc:
        if is_refusal(exc):
            raise
        return _approvals_page(request, session, actor, Posted({}, form_error(exc), exc.status))
    return redirect(APPROVALS)


@router.post(
    "/approvals/{period_id}/unlock", response_class=HTMLResponse, name="alliance:period_unlock"
)
def period_unlock(
    request: Request,
    period_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(UNLOCK)],
) -> Response:
    """Unlock an approved month, with a reason (coordinators)."""
    data = UNLOCK.parse(posted)
    try:
        if data is None:  # without a reason: refused for who may not unlock, else the form
            periods.check_unlock_allowed(session, period_id, actor=actor)
        else:
            periods.unlock_period(session, period_id, data, actor=actor)
            return redirect(APPROVALS)
    except AlimaError as exc:
        UNLOCK.refuse(posted, exc)
    return _approvals_page(request, session, actor, posted)
