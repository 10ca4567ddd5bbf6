"""Home page: my places, my recently seen patients, and the RUTF stock alerts of my sites."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Permission
from alima.core.service import patients as service
from alima.stock import service as stock_service
from alima.web.contexts import HomeContext
from alima.web.deps import WebActor
from alima.web.rendering import render

router = APIRouter(default_response_class=HTMLResponse)


@router.get("/", name="home:index")
def home(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep
) -> HTMLResponse:
    """What the signed-in user sees first (with the sites about to run out of RUTF)."""
    context = HomeContext(
        actor=actor,
        home=service.home(session, actor=actor),
        can_register=actor.can(Permission.PATIENT_WRITE),
        stock_alerts=stock_service.stock_alerts(
            session, actor=actor, alert_weeks=settings.stock_alert_weeks
        ),
        stock_alert_weeks=settings.stock_alert_weeks,
    )
    return render(request, "home.html", context)
