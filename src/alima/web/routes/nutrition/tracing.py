"""Tracing page: children who missed a visit or defaulted this month, and the tracing visit."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.core.access import Permission
from alima.core.i18n import gettext
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import TracingOutcome
from alima.nutrition.schemas import TracingCreate
from alima.web.contexts import TracingContext, TracingFormContext
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.rendering import render, show

router = APIRouter(default_response_class=HTMLResponse)

TRACING = WebForm(TracingCreate, error_page=is_refusal)
TracingPost = Annotated[Posted, Depends(TRACING)]


@router.get("/nutrition/tracing", name="nutrition:tracing")
def tracing(request: Request, session: SessionDep, actor: WebActor, saved: int = 0) -> HTMLResponse:
    """Children to trace at the actor's sites, as of today, with their caregiver's phone."""
    rows = service.children_to_trace(session, actor=actor)
    return render(
        request,
        "nutrition/tracing.html",
        TracingContext(
            actor=actor,
            rows=rows,
            just_saved=saved == 1,
            can_record=actor.can(Permission.PATIENT_WRITE),
        ),
    )


def _form(
    request: Request, session: SessionDep, actor: WebActor, episode_id: uuid.UUID, posted: Posted
) -> HTMLResponse:
    context = TracingFormContext(
        actor=actor,
        episode=service.get_episode(session, episode_id, actor=actor),
        options={"outcome": [Option(o.value, gettext(o.label)) for o in TracingOutcome]},
        values=posted.values,
    )
    return show(request, "nutrition/tracing_form.html", context, posted)


@router.get("/nutrition/episodes/{episode_id}/tracing", name="nutrition:tracing_form")
def tracing_form(
    request: Request, episode_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record what the tracing visit found."""
    start = Posted({"visited_on": today().isoformat()}, status=200)
    return _form(request, session, actor, episode_id, start)


@router.post("/nutrition/episodes/{episode_id}/tracing", name="nutrition:tracing_post")
def tracing_post(
    request: Request,
    episode_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: TracingPost,
) -> Response:
    """Save the tracing visit (and the exit it calls for), or show the form again."""
    return submit(
        TRACING,
        posted,
        lambda data: service.record_tracing(session, episode_id, data, actor=actor),
        lambda p: _form(request, session, actor, episode_id, p),
        then="/nutrition/tracing?saved=1",
    )
