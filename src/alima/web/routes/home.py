"""Home page: my places and my recently seen patients."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alima.api.deps import SessionDep
from alima.core.access import Permission
from alima.core.service import patients as service
from alima.web.contexts import HomeContext
from alima.web.deps import WebActor
from alima.web.rendering import render

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/", name="home:index")
def home(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """What the signed-in user sees first."""
    context = HomeContext(
        actor=actor,
        home=service.home(session, actor=actor),
        can_register=actor.can(Permission.PATIENT_WRITE),
    )
    return render(request, "home.html", context)
