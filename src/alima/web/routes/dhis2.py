"""The DHIS2 page: what was sent to the national DHIS2 and what it answered, and the mapping."""

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.core.i18n import gettext
from alima.interop.dhis2 import service
from alima.interop.dhis2.figures import figure_labels
from alima.interop.dhis2.schemas import Dhis2Overview
from alima.web.deps import WebActor
from alima.web.rendering import render

router = APIRouter(default_response_class=HTMLResponse)


@dataclass
class Dhis2Context:
    """The pushes the reader may see, newest first, and the mappings an administrator edits."""

    actor: Actor
    overview: Dhis2Overview
    figure_labels: dict[str, str]


@router.get("/dhis2", name="dhis2:overview")
def overview(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Pushes to DHIS2 and their import summaries (data managers, administrators)."""
    context = Dhis2Context(
        actor=actor,
        overview=service.overview(session, actor=actor),
        figure_labels={code: gettext(label) for code, label in figure_labels().items()},
    )
    return render(request, "dhis2/overview.html", context)
