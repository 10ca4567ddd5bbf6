"""Trainings of co-managed projects and their participants."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.alliance.schemas import ParticipantCreate, TrainingCreate
from alima.alliance.service import projects, trainings
from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Permission
from alima.core.errors import CoreError, Forbidden
from alima.web.contexts_alliance import TrainingContext, TrainingFormContext, TrainingListContext
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, form_error, is_refusal, submit
from alima.web.rendering import render, show

router = APIRouter()

TRAINING = WebForm(TrainingCreate, refused=form_error)
PARTICIPANT = WebForm(ParticipantCreate, refused=form_error, error_page=is_refusal)


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


@router.get("/trainings/new", response_class=HTMLResponse, name="alliance:training_form")
def training_form(
    request: Request, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> HTMLResponse:
    """Record a training; participants are added on its page."""
    context = _training_form_context(session, settings, actor, {})
    return render(request, "alliance/training_form.html", context)


@router.post("/trainings/new", response_class=HTMLResponse, name="alliance:training_create")
def training_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(TRAINING)],
) -> Response:
    """Save the training, or show the form again with what is wrong."""
    context = _training_form_context(session, settings, actor, posted.values)

    def save(data: TrainingCreate) -> str:
        created = trainings.record_training(session, data, actor=actor, settings=settings)
        return f"/trainings/{created.id}"

    return submit(
        TRAINING,
        posted,
        save,
        lambda posted: show(request, "alliance/training_form.html", context, posted),
    )


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


@router.get("/trainings/{training_id}", response_class=HTMLResponse, name="alliance:training")
def training_page(
    request: Request, training_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """A training and its participants."""
    return _training_page(request, session, actor, training_id)


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
    posted: Annotated[Posted, Depends(PARTICIPANT)],
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
