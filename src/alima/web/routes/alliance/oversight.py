"""Oversight: monthly approval of sites' data, break-the-glass access and the read audit."""

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.alliance.schemas import (
    EmergencyAccessCreate,
    PeriodSubmit,
    ReadAuditFilter,
    UnlockRequest,
)
from alima.alliance.service import oversight, periods
from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Permission
from alima.core.errors import AlimaError, CoreError, Forbidden
from alima.web.contexts_alliance import ApprovalsContext, EmergencyContext, ReadAuditContext
from alima.web.deps import WebActor
from alima.web.forms import (
    Posted,
    WebForm,
    again,
    form_error,
    is_forbidden,
    is_refusal,
    submit,
)
from alima.web.rendering import redirect, render
from alima.web.spreadsheet import csv_response

router = APIRouter(default_response_class=HTMLResponse)

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


SubmitPost = Annotated[Posted, Depends(SUBMIT)]
UnlockPost = Annotated[Posted, Depends(UNLOCK)]


@router.get(APPROVALS, name="alliance:approvals")
def approvals(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Sites' months: submit, approve, unlock."""
    return _approvals_page(request, session, actor)


@router.post(APPROVALS, name="alliance:period_submit")
def period_submit(
    request: Request, session: SessionDep, actor: WebActor, posted: SubmitPost
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


@router.post("/approvals/{period_id}/approve", name="alliance:period_approve")
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


@router.post("/approvals/{period_id}/unlock", name="alliance:period_unlock")
def period_unlock(
    request: Request, period_id: uuid.UUID, session: SessionDep, actor: WebActor, posted: UnlockPost
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


#: An unknown patient is said on the form.
EMERGENCY = WebForm(EmergencyAccessCreate, refused=form_error, error_page=is_forbidden)
EmergencyPost = Annotated[Posted, Depends(EMERGENCY)]


def _emergency_context(
    session: SessionDep, settings: SettingsDep, actor: WebActor
) -> EmergencyContext:
    return EmergencyContext(
        actor=actor,
        accesses=oversight.emergency_accesses(session, actor=actor),
        can_open=actor.can(Permission.BREAK_GLASS),
        hours=settings.break_glass_hours,
        alerts=oversight.emergency_alerts(session, actor=actor),
    )


@router.get("/break-glass", name="alliance:emergency")
def emergency(
    request: Request, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> HTMLResponse:
    """Open a patient outside my scope in an emergency; coordinators see every such access."""
    return render(request, "alliance/emergency.html", _emergency_context(session, settings, actor))


@router.post("/break-glass", name="alliance:emergency_open")
def emergency_open(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    posted: EmergencyPost,
) -> Response:
    """Open the patient for a limited time (audited), or show the form with what is wrong."""
    context = _emergency_context(session, settings, actor)
    if not context.can_open:
        raise Forbidden(CoreError.CORE_002)
    context.values = posted.values

    def save(data: EmergencyAccessCreate) -> str:
        opened = oversight.open_emergency_access(session, data, actor=actor, settings=settings)
        return f"/patients/{opened.patient_id}"

    return submit(
        EMERGENCY,
        posted,
        save,
        again(request, "alliance/emergency.html", context),
    )


def _query(criteria: ReadAuditFilter, **changes: object) -> str:
    values = criteria.model_dump(exclude_defaults=True) | changes
    return urlencode({k: v for k, v in values.items() if v not in (None, "", 0)})


@router.get("/audit/reads", name="alliance:read_audit")
def read_audit(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    criteria: Annotated[ReadAuditFilter, Query()],
) -> HTMLResponse:
    """Who opened which patient record, and when (coordinators and data managers)."""
    audit = oversight.read_audit(session, criteria, actor=actor)
    shown_until = criteria.offset + len(audit.items)
    context = ReadAuditContext(
        actor=actor,
        audit=audit,
        values={
            "since": criteria.since.isoformat() if criteria.since else "",
            "until": criteria.until.isoformat() if criteria.until else "",
            "username": criteria.username,
            "identifier": criteria.identifier,
        },
        can_export=actor.can(Permission.PATIENT_EXPORT),
        export_query=_query(criteria, offset=0, limit=None),
        previous_query=_query(criteria, offset=max(0, criteria.offset - criteria.limit))
        if criteria.offset
        else None,
        next_query=_query(criteria, offset=shown_until) if shown_until < audit.total else None,
    )
    return render(request, "alliance/read_audit.html", context)


@router.get("/audit/reads.csv", name="alliance:read_audit_export")
def read_audit_export(
    session: SessionDep, actor: WebActor, criteria: Annotated[ReadAuditFilter, Query()]
) -> Response:
    """The read audit as a CSV file (the export is itself audited)."""
    rows = oversight.export_read_audit(session, criteria, actor=actor)
    return csv_response(rows, "read-audit.csv")
