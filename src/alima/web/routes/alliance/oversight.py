"""Break-the-glass access to a patient outside my scope, and the audit of patient reads."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.alliance.schemas import EmergencyAccessCreate, ReadAuditFilter
from alima.alliance.service import oversight
from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Permission
from alima.core.errors import AlimaError, CoreError, Forbidden
from alima.web.contexts_alliance import EmergencyContext, ReadAuditContext
from alima.web.deps import WebActor
from alima.web.forms import FORBIDDEN, Posted, WebForm, form_error, submit
from alima.web.rendering import render, show

router = APIRouter()


def _is_forbidden(exc: AlimaError) -> bool:
    """Only a refusal is an error page: an unknown patient is said on the form."""
    return exc.status == FORBIDDEN


EMERGENCY = WebForm(EmergencyAccessCreate, refused=form_error, error_page=_is_forbidden)


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


@router.get("/break-glass", response_class=HTMLResponse, name="alliance:emergency")
def emergency(
    request: Request, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> HTMLResponse:
    """Open a patient outside my scope in an emergency; coordinators see every such access."""
    return render(request, "alliance/emergency.html", _emergency_context(session, settings, actor))


@router.post("/break-glass", response_class=HTMLResponse, name="alliance:emergency_open")
def emergency_open(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(EMERGENCY)],
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
        lambda posted: show(request, "alliance/emergency.html", context, posted),
    )


def _query(criteria: ReadAuditFilter, **changes: object) -> str:
    values = criteria.model_dump(exclude_defaults=True) | changes
    return urlencode({k: v for k, v in values.items() if v not in (None, "", 0)})


@router.get("/audit/reads", response_class=HTMLResponse, name="alliance:read_audit")
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
    text = oversight.export_read_audit(session, criteria, actor=actor)
    return Response(
        content="\ufeff" + text,  # a byte-order mark so spreadsheets read the accents
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="read-audit.csv"'},
    )
