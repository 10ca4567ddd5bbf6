"""Co-management pages.

Projects with their agreements and funding, the country dashboard, trainings, monthly
approval, break-the-glass and the read audit.
"""

import uuid
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from alima.alliance.schemas import (
    AgreementCreate,
    AllocationCreate,
    EmergencyAccessCreate,
    GrantCreate,
    ParticipantCreate,
    PeriodSubmit,
    ReadAuditFilter,
    TrainingCreate,
    UnlockRequest,
)
from alima.alliance.service import oversight, periods, projects, trainings
from alima.api.deps import SessionDep, SettingsDep
from alima.api.errors import field_errors
from alima.core.access import Permission
from alima.core.enums import Role
from alima.core.errors import AlimaError, CoreError, Forbidden
from alima.web.contexts_alliance import (
    AgreementFormContext,
    ApprovalsContext,
    CountryContext,
    EmergencyContext,
    GrantFormContext,
    ProjectContext,
    ProjectListContext,
    ReadAuditContext,
    TrainingContext,
    TrainingFormContext,
    TrainingListContext,
)
from alima.web.deps import WebActor
from alima.web.rendering import redirect, render

router = APIRouter()

M = TypeVar("M", bound=BaseModel)

#: Longest value a form field is kept at when re-shown.
MAX_FIELD = 4000


def _values(form: BaseModel) -> dict[str, str]:
    return {name: str(value)[:MAX_FIELD] for name, value in form.model_dump().items()}


def _parse(schema: type[M], values: dict[str, object]) -> tuple[M | None, dict[str, str]]:
    """Validate a posted form into ``schema``; empty fields count as absent."""
    payload = {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}
    try:
        return schema.model_validate(payload), {}
    except ValidationError as exc:
        return None, field_errors(list(exc.errors()))


# --- projects, agreements, funding, country --------------------------------------------------


@router.get("/projects", response_class=HTMLResponse, name="alliance:project_list")
def project_list(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Projects whose aggregates I may see."""
    context = ProjectListContext(actor=actor, projects=projects.list_projects(session, actor=actor))
    return render(request, "alliance/projects.html", context)


def _project_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    project_code: str,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    overview = projects.project_overview(session, project_code, actor=actor, settings=settings)
    can_fund = actor.can(Permission.FUNDING_WRITE)
    context = ProjectContext(
        actor=actor,
        project=overview,
        can_record_agreement=actor.can(Permission.AGREEMENT_WRITE),
        can_record_funding=can_fund,
        organisations=projects.organisations(session) if can_fund else [],
        error=error,
    )
    return render(request, "alliance/project.html", context, status_code=status_code)


@router.get("/projects/{project_code}", response_class=HTMLResponse, name="alliance:project")
def project_page(
    request: Request,
    project_code: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
) -> HTMLResponse:
    """A co-managed project: partners, agreements in plain words, funding share, trainings."""
    return _project_page(request, session, settings, actor, project_code)


class AgreementForm(BaseModel):
    """The agreement form as posted."""

    organisation_code: str = ""
    role: str = ""
    data_access: str = ""
    may_capture: str = ""
    may_approve: str = ""
    export_level: str = ""
    effective_from: str = ""
    effective_to: str = ""
    reference: str = ""


def _agreement_context(
    session: SessionDep, actor: WebActor, project_code: str
) -> AgreementFormContext:
    options = projects.form_options(
        session, project_code, actor=actor, permission=Permission.AGREEMENT_WRITE
    )
    return AgreementFormContext(
        actor=actor,
        project_code=options.project_code,
        project_name=options.project_name,
        organisations=options.organisations,
        roles=[r.value for r in Role],
    )


@router.get(
    "/projects/{project_code}/agreements/new",
    response_class=HTMLResponse,
    name="alliance:agreement_form",
)
def agreement_form(
    request: Request, project_code: str, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record an agreement signed by a partner (administrators)."""
    context = _agreement_context(session, actor, project_code)
    context.values = {"data_access": "aggregates", "export_level": "none"}
    return render(request, "alliance/agreement_form.html", context)


@router.post(
    "/projects/{project_code}/agreements/new",
    response_class=HTMLResponse,
    name="alliance:agreement_create",
)
def agreement_create(
    request: Request,
    project_code: str,
    session: SessionDep,
    actor: WebActor,
    form: Annotated[AgreementForm, Form()],
) -> Response:
    """Save the agreement, or show the form again with what is wrong."""
    context = _agreement_context(session, actor, project_code)
    context.values = _values(form)
    values: dict[str, object] = dict(context.values)
    values["may_capture"] = form.may_capture == "yes"
    values["may_approve"] = form.may_approve == "yes"
    data, context.errors = _parse(AgreementCreate, values)
    if data is None:
        return render(request, "alliance/agreement_form.html", context, status_code=422)
    try:
        projects.record_agreement(session, project_code, data, actor=actor)
    except AlimaError as exc:
        context.errors = {"__all__": exc.message}
        return render(request, "alliance/agreement_form.html", context, status_code=exc.status)
    return redirect(f"/projects/{context.project_code}#agreements")


class GrantForm(BaseModel):
    """The grant form as posted."""

    donor_code: str = ""
    reference: str = ""
    title: str = ""
    currency: str = ""
    amount: str = ""
    reporting_amount: str = ""
    starts_on: str = ""
    ends_on: str = ""


def _grant_context(
    session: SessionDep, settings: SettingsDep, actor: WebActor, project_code: str
) -> GrantFormContext:
    options = projects.form_options(
        session, project_code, actor=actor, permission=Permission.FUNDING_WRITE
    )
    return GrantFormContext(
        actor=actor,
        project_code=options.project_code,
        project_name=options.project_name,
        organisations=options.organisations,
        reporting_currency=settings.reporting_currency,
    )


@router.get(
    "/projects/{project_code}/grants/new", response_class=HTMLResponse, name="alliance:grant_form"
)
def grant_form(
    request: Request,
    project_code: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
) -> HTMLResponse:
    """Record a donor's grant (coordinators)."""
    context = _grant_context(session, settings, actor, project_code)
    context.values = {"currency": settings.reporting_currency}
    return render(request, "alliance/grant_form.html", context)


@router.post(
    "/projects/{project_code}/grants/new",
    response_class=HTMLResponse,
    name="alliance:grant_create",
)
def grant_create(
    request: Request,
    project_code: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    form: Annotated[GrantForm, Form()],
) -> Response:
    """Save the grant, or show the form again with what is wrong."""
    context = _grant_context(session, settings, actor, project_code)
    context.values = _values(form)
    data, context.errors = _parse(GrantCreate, dict(context.values))
    if data is None:
        return render(request, "alliance/grant_form.html", context, status_code=422)
    try:
        projects.record_grant(session, project_code, data, actor=actor, settings=settings)
    except AlimaError as exc:
        context.errors = {"__all__": exc.message}
        return render(request, "alliance/grant_form.html", context, status_code=exc.status)
    return redirect(f"/projects/{context.project_code}#funding")


class AllocationForm(BaseModel):
    """An allocation as posted from the project page."""

    project_code: str = ""
    organisation_code: str = ""
    amount: str = ""
    note: str = ""


@router.post(
    "/grants/{grant_id}/allocations", response_class=HTMLResponse, name="alliance:allocate"
)
def allocate(
    request: Request,
    grant_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    form: Annotated[AllocationForm, Form()],
) -> Response:
    """Allocate part of a grant to an organisation; errors show on the project page."""
    if not actor.can(Permission.FUNDING_WRITE):
        raise Forbidden(CoreError.CORE_002)
    values = _values(form)
    data, errors = _parse(
        AllocationCreate, {k: v for k, v in values.items() if k != "project_code"}
    )
    if data is None:
        return _project_page(
            request,
            session,
            settings,
            actor,
            form.project_code,
            error="; ".join(errors.values()),
            status_code=422,
        )
    try:
        grant = projects.allocate(session, grant_id, data, actor=actor)
    except AlimaError as exc:
        if exc.status == 404 or not form.project_code:  # noqa: PLR2004 - not found: no page to show
            raise
        return _project_page(
            request,
            session,
            settings,
            actor,
            form.project_code,
            error=exc.message,
            status_code=exc.status,
        )
    return redirect(f"/projects/{grant.project_code}#funding")


@router.get("/countries/{country_code}", response_class=HTMLResponse, name="alliance:country")
def country_page(
    request: Request,
    country_code: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
) -> HTMLResponse:
    """A country's funding share to national NGOs and trainings, within my scope."""
    dashboard = projects.country_dashboard(session, country_code, actor=actor, settings=settings)
    return render(
        request, "alliance/country.html", CountryContext(actor=actor, dashboard=dashboard)
    )


# --- trainings -------------------------------------------------------------------------------


@router.get("/trainings", response_class=HTMLResponse, name="alliance:training_list")
def training_list(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """Trainings in my scope and this year's figures."""
    context = TrainingListContext(
        actor=actor,
        trainings=trainings.list_trainings(session, actor=actor, offset=offset),
        can_record=actor.can(Permission.TRAINING_WRITE),
    )
    return render(request, "alliance/trainings.html", context)


class TrainingForm(BaseModel):
    """The training form as posted."""

    title: str = ""
    topic: str = ""
    organisation_code: str = ""
    place_code: str = ""
    project_code: str = ""
    started_on: str = ""
    ended_on: str = ""
    trainer: str = ""


def _training_form_context(
    session: SessionDep, settings: SettingsDep, actor: WebActor
) -> TrainingFormContext:
    places, organisations, project_list_ = trainings.training_form(session, actor=actor)
    return TrainingFormContext(
        actor=actor,
        places=places,
        organisations=organisations,
        projects=project_list_,
        topics=list(settings.training_topic_codes),
    )


@router.get("/trainings/new", response_class=HTMLResponse, name="alliance:training_form")
def training_form(
    request: Request, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> HTMLResponse:
    """Record a training; participants are added on its page."""
    context = _training_form_context(session, settings, actor)
    return render(request, "alliance/training_form.html", context)


@router.post("/trainings/new", response_class=HTMLResponse, name="alliance:training_create")
def training_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    form: Annotated[TrainingForm, Form()],
) -> Response:
    """Save the training, or show the form again with what is wrong."""
    context = _training_form_context(session, settings, actor)
    context.values = _values(form)
    data, context.errors = _parse(TrainingCreate, dict(context.values))
    if data is None:
        return render(request, "alliance/training_form.html", context, status_code=422)
    try:
        created = trainings.record_training(session, data, actor=actor, settings=settings)
    except AlimaError as exc:
        context.errors = {"__all__": exc.message}
        return render(request, "alliance/training_form.html", context, status_code=exc.status)
    return redirect(f"/trainings/{created.id}")


def _training_page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    training_id: uuid.UUID,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    training = trainings.get_training(session, training_id, actor=actor)
    context = TrainingContext(
        actor=actor,
        training=training,
        can_add=training.editable,
        organisations=projects.organisations(session) if training.editable else [],
        values=values or {},
        errors=errors or {},
    )
    return render(request, "alliance/training.html", context, status_code=status_code)


@router.get("/trainings/{training_id}", response_class=HTMLResponse, name="alliance:training")
def training_page(
    request: Request, training_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """A training and its participants."""
    return _training_page(request, session, actor, training_id)


class ParticipantForm(BaseModel):
    """A participant as posted."""

    full_name: str = ""
    cadre: str = ""
    organisation_code: str = ""
    sex: str = ""


@router.post(
    "/trainings/{training_id}/participants",
    response_class=HTMLResponse,
    name="alliance:participant_add",
)
def participant_add(
    request: Request,
    training_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    form: Annotated[ParticipantForm, Form()],
) -> Response:
    """Add a participant, or show the training again with what is wrong."""
    if not trainings.get_training(session, training_id, actor=actor).editable:
        raise Forbidden(CoreError.CORE_002)
    values = _values(form)
    data, errors = _parse(ParticipantCreate, dict(values))
    if data is None:
        return _training_page(
            request, session, actor, training_id, values=values, errors=errors, status_code=422
        )
    try:
        trainings.add_participant(session, training_id, data, actor=actor)
    except AlimaError as exc:
        if exc.status in {403, 404}:  # refusals are error pages
            raise
        return _training_page(
            request,
            session,
            actor,
            training_id,
            values=values,
            errors={"__all__": exc.message},
            status_code=exc.status,
        )
    return redirect(f"/trainings/{training_id}#participants")


# --- monthly approval ------------------------------------------------------------------------


def _approvals_page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = ApprovalsContext(
        actor=actor, approvals=periods.approvals_page(session, actor=actor), error=error
    )
    return render(request, "alliance/approvals.html", context, status_code=status_code)


@router.get("/approvals", response_class=HTMLResponse, name="alliance:approvals")
def approvals(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Sites' months: submit, approve, unlock."""
    return _approvals_page(request, session, actor)


class SubmitForm(BaseModel):
    """A month submitted for approval."""

    place_code: str = ""
    month: str = ""


@router.post("/approvals", response_class=HTMLResponse, name="alliance:period_submit")
def period_submit(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    form: Annotated[SubmitForm, Form()],
) -> Response:
    """Submit a site's month (data managers)."""
    if not actor.can(Permission.DATA_SUBMIT):
        raise Forbidden(CoreError.CORE_002)
    data, errors = _parse(PeriodSubmit, dict(_values(form)))
    if data is None:
        return _approvals_page(
            request, session, actor, error="; ".join(errors.values()), status_code=422
        )
    try:
        periods.submit_period(session, data, actor=actor)
    except AlimaError as exc:
        if exc.status in {403, 404}:  # refusals are error pages
            raise
        return _approvals_page(request, session, actor, error=exc.message, status_code=exc.status)
    return redirect("/approvals")


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
        if exc.status in {403, 404}:  # refusals are error pages
            raise
        return _approvals_page(request, session, actor, error=exc.message, status_code=exc.status)
    return redirect("/approvals")


class UnlockForm(BaseModel):
    """An unlock request as posted."""

    reason: str = ""


@router.post(
    "/approvals/{period_id}/unlock", response_class=HTMLResponse, name="alliance:period_unlock"
)
def period_unlock(
    request: Request,
    period_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    form: Annotated[UnlockForm, Form()],
) -> Response:
    """Unlock an approved month, with a reason (coordinators)."""
    data, errors = _parse(UnlockRequest, dict(_values(form)))
    try:
        if data is None:
            periods.check_unlock_allowed(session, period_id, actor=actor)
            return _approvals_page(
                request, session, actor, error="; ".join(errors.values()), status_code=422
            )
        periods.unlock_period(session, period_id, data, actor=actor)
    except AlimaError as exc:
        if exc.status in {403, 404}:  # refusals are error pages
            raise
        return _approvals_page(request, session, actor, error=exc.message, status_code=exc.status)
    return redirect("/approvals")


# --- break-the-glass and the read audit ------------------------------------------------------


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


class EmergencyForm(BaseModel):
    """An emergency access request as posted."""

    identifier: str = ""
    reason: str = ""


@router.post("/break-glass", response_class=HTMLResponse, name="alliance:emergency_open")
def emergency_open(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    form: Annotated[EmergencyForm, Form()],
) -> Response:
    """Open the patient for a limited time (audited), or show the form with what is wrong."""
    context = _emergency_context(session, settings, actor)
    if not context.can_open:
        raise Forbidden(CoreError.CORE_002)
    context.values = _values(form)
    data, context.errors = _parse(EmergencyAccessCreate, dict(context.values))
    if data is None:
        return render(request, "alliance/emergency.html", context, status_code=422)
    try:
        opened = oversight.open_emergency_access(session, data, actor=actor, settings=settings)
    except AlimaError as exc:
        if exc.status == 403:  # noqa: PLR2004 - a refusal is an error page
            raise
        context.errors = {"__all__": exc.message}
        return render(request, "alliance/emergency.html", context, status_code=exc.status)
    return redirect(f"/patients/{opened.patient_id}")


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
