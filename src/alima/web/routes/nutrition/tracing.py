"""Tracing page: children who missed a visit or defaulted this month, and the tracing visit."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

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
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import WebForm, is_refusal
from alima.web.rendering import render
from alima.web.routes.nutrition.card import EPISODE_KEY

router = APIRouter(default_response_class=HTMLResponse)

TRACING = WebForm(TracingCreate, error_page=is_refusal)


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


def _form(asked: Asked[uuid.UUID], values: dict[str, str]) -> TracingFormContext:
    return TracingFormContext(
        actor=asked.actor,
        episode=service.get_episode(asked.session, asked.key, actor=asked.actor),
        options={"outcome": [Option(o.value, gettext(o.label)) for o in TracingOutcome]},
        values=values,
    )


RecordForm(
    TRACING,
    FormView("nutrition/tracing_form.html", _form, EPISODE_KEY, context_first=False),
    keyed(service.record_tracing),
    lambda _, __: "/nutrition/tracing?saved=1",
    start=lambda _: {"visited_on": today().isoformat()},
).add(
    router,
    "/nutrition/episodes/{episode_id}/tracing",
    ("nutrition:tracing_form", "nutrition:tracing_post"),
    "Record what the tracing visit found (and the exit it calls for).",
)
