"""Projects: partners, agreements, funding, the country dashboard; trainings and participants."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.alliance.schemas import (
    AgreementCreate,
    AllocationCreate,
    GrantCreate,
    ParticipantCreate,
    TrainingCreate,
    TrainingRead,
)
from alima.alliance.service import projects, trainings
from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Permission
from alima.core.enums import Role
from alima.core.errors import CoreError, Forbidden
from alima.web.contexts_alliance import (
    CountryContext,
    ProjectContext,
    ProjectFormContext,
    ProjectListContext,
    TrainingContext,
    TrainingFormContext,
    TrainingListContext,
)
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, form_error, is_forbidden, is_refusal, submit
from alima.web.rendering import render

router = APIRouter(default_response_class=HTMLResponse)

#: An unknown organisation is said on the form.
AGREEMENT = WebForm(AgreementCreate, refused=form_error, error_page=is_forbidden)
GRANT = WebForm(GrantCreate, refused=form_error, error_page=is_forbidden)
#: Posted from the project page, which it names to be shown again.
ALLOCATION = WebForm(
    AllocationCreate, extra=("project_code",), refused=form_error, error_page=is_refusal
)


AllocationPost = Annotated[Posted, Depends(ALLOCATION)]


@router.get("/projects", name="alliance:project_list")
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


@router.get("/projects/{project_code}", name="alliance:project")
def project_page(
    request: Request, project_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> HTMLResponse:
    """A co-managed project: partners, agreements in plain words, funding share, trainings."""
    return _project_page(request, session, settings, actor, project_code)


def _project_form(
    session: SessionDep,
    actor: WebActor,
    project_code: str,
    permission: Permission,
    values: dict[str, str],
    **extra: Any,
) -> ProjectFormContext:
    options = projects.form_options(session, project_code, actor=actor, permission=permission)
    return ProjectFormContext(
        actor=actor,
        project_code=options.project_code,
        project_name=options.project_name,
        organisations=options.organisations,
        values=values,
        **extra,
    )


def _agreement_context(asked: Asked[str], values: dict[str, str]) -> ProjectFormContext:
    roles = [r.value for r in Role]
    return _project_form(
        asked.session, asked.actor, asked.key, Permission.AGREEMENT_WRITE, values, roles=roles
    )


RecordForm(
    AGREEMENT,
    FormView("alliance/agreement_form.html", _agreement_context, key=("project_code", str)),
    keyed(projects.record_agreement),
    lambda a, _: f"/projects/{a.key}#agreements",
    start={"data_access": "aggregates", "export_level": "none"},
).add(
    router,
    "/projects/{project_code}/agreements/new",
    ("alliance:agreement_form", "alliance:agreement_create"),
)


def _grant_context(asked: Asked[str], values: dict[str, str]) -> ProjectFormContext:
    currency = asked.settings.reporting_currency
    return _project_form(
        asked.session,
        asked.actor,
        asked.key,
        Permission.FUNDING_WRITE,
        values,
        reporting_currency=currency,
    )


RecordForm(
    GRANT,
    FormView("alliance/grant_form.html", _grant_context, key=("project_code", str)),
    lambda a, data: projects.record_grant(
        a.session, a.key, data, actor=a.actor, settings=a.settings
    ),
    lambda a, _: f"/projects/{a.key}#funding",
    start=lambda a: {"currency": a.settings.reporting_currency},
).add(
    router, "/projects/{project_code}/grants/new", ("alliance:grant_form", "alliance:grant_create")
)


@router.post("/grants/{grant_id}/allocations", name="alliance:allocate")
def allocate(
    request: Request,
    grant_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    posted: AllocationPost,
) -> Response:
    """Allocate part of a grant to an organisation; errors show on the project page."""
    if not actor.can(Permission.FUNDING_WRITE):
        raise Forbidden(CoreError.CORE_002)
    project_code = posted.values["project_code"]

    def save(data: AllocationCreate) -> str:
        grant = projects.allocate(session, grant_id, data, actor=actor)
        return f"/projects/{grant.project_code}#funding"

    def page(posted: Posted) -> HTMLResponse:
        if posted.refusal is not None and not project_code:  # no page to show it on
            raise posted.refusal
        error = "; ".join(posted.errors.values())
        return _project_page(
            request, session, settings, actor, project_code, error=error, status_code=posted.status
        )

    return submit(ALLOCATION, posted, save, page)


@router.get("/countries/{country_code}", name="alliance:country")
def country_page(
    request: Request, country_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> HTMLResponse:
    """A country's funding share to national NGOs and trainings, within my scope."""
    dashboard = projects.country_dashboard(session, country_code, actor=actor, settings=settings)
    return render(
        request, "alliance/country.html", CountryContext(actor=actor, dashboard=dashboard)
    )


TRAINING = WebForm(TrainingCreate, refused=form_error, error_page=is_forbidden)
PARTICIPANT = WebForm(ParticipantCreate, refused=form_error, error_page=is_refusal)
ParticipantPost = Annotated[Posted, Depends(PARTICIPANT)]


@router.get("/trainings", name="alliance:training_list")
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


def _training_form_context(
    session: SessionDep, settings: SettingsDep, actor: WebActor, values: dict[str, str]
) -> TrainingFormContext:
    places, organisations, project_list = trainings.training_form(session, actor=actor)
    return TrainingFormContext(
        actor=actor,
        places=places,
        organisations=organisations,
        projects=project_list,
        topics=list(settings.training_topic_codes),
        values=values,
    )


RecordForm[None, TrainingCreate, TrainingRead](
    TRAINING,
    FormView(
        "alliance/training_form.html",
        lambda a, values: _training_form_context(a.session, a.settings, a.actor, values),
    ),
    lambda a, data: trainings.record_training(a.session, data, actor=a.actor, settings=a.settings),
    lambda _, created: f"/trainings/{created.id}",
).add(router, "/trainings/new", ("alliance:training_form", "alliance:training_create"))


def _training_page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    training_id: uuid.UUID,
    posted: Posted | None = None,
) -> HTMLResponse:
    training = trainings.get_training(session, training_id, actor=actor)
    context = TrainingContext(
        actor=actor,
        training=training,
        can_add=training.editable,
        organisations=projects.organisations(session) if training.editable else [],
        values=posted.values if posted else {},
        errors=posted.errors if posted else {},
    )
    status_code = posted.status if posted else 200
    return render(request, "alliance/training.html", context, status_code=status_code)


@router.get("/trainings/{training_id}", name="alliance:training")
def training_page(
    request: Request, training_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """A training and its participants."""
    return _training_page(request, session, actor, training_id)


@router.post("/trainings/{training_id}/participants", name="alliance:participant_add")
def participant_add(
    request: Request,
    training_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: ParticipantPost,
) -> Response:
    """Add a participant, or show the training again with what is wrong."""
    if not trainings.get_training(session, training_id, actor=actor).editable:
        raise Forbidden(CoreError.CORE_002)

    def save(data: ParticipantCreate) -> str:
        trainings.add_participant(session, training_id, data, actor=actor)
        return f"/trainings/{training_id}#participants"

    return submit(
        PARTICIPANT,
        posted,
        save,
        lambda posted: _training_page(request, session, actor, training_id, posted),
    )
