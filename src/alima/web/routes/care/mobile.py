"""Displacement sites: mobile-clinic sessions and the displaced population counted."""

from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.care.enums import MobileService
from alima.care.schemas import DisplacedPopulationCreate, MobileSessionCreate
from alima.care.service import mobile
from alima.core.access import Permission
from alima.core.i18n import get_locale
from alima.web.contexts_treat import FormContext, MobileContext, Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, enum_options, submit
from alima.web.rendering import render

router = APIRouter()

SERVICE_FIELDS = {f"service_{s.value}": s for s in MobileService}


def _services(posted: Posted) -> dict[str, object]:
    """One checkbox a service."""
    return {"services": [s for name, s in SERVICE_FIELDS.items() if posted.checked(name)]}


SESSION = WebForm(MobileSessionCreate, extra=tuple(SERVICE_FIELDS), compose=_services)
POPULATION = WebForm(DisplacedPopulationCreate)


@router.get("/care/mobile", response_class=HTMLResponse, name="care:mobile")
def mobile_overview(
    request: Request, session: SessionDep, actor: WebActor, saved: int = 0
) -> HTMLResponse:
    """Displacement sites: displaced population by month, mobile-clinic sessions."""
    result, months = mobile.overview(session, actor=actor)
    context = MobileContext(
        actor=actor,
        overview=result,
        month_labels=[format_date(m, "MMM yyyy", locale=get_locale()) for m in months],
        can_record=actor.can(Permission.PATIENT_WRITE),
        saved=saved == 1,
    )
    return render(request, "care/mobile.html", context)


def _page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    template: str,
    values: dict[str, str],
    posted: Posted | None = None,
) -> HTMLResponse:
    sites, clinics = mobile.form_options(session, actor=actor)
    context = FormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        errors=posted.errors if posted else {},
        options={
            "site_code": [Option(p.code, p.name) for p in sites],
            "mobile_clinic_code": [Option(p.code, p.name) for p in clinics],
            "services": [
                Option(name, text.text)
                for name, text in zip(SERVICE_FIELDS, enum_options(MobileService), strict=True)
            ],
        },
    )
    return render(request, template, context, status_code=posted.status if posted else 200)


@router.get("/care/mobile/sessions/new", response_class=HTMLResponse, name="care:session_form")
def session_form(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Record a mobile-clinic session at a displacement site."""
    values = {"service_consultations": "yes"}
    return _page(request, session, actor, "care/session_form.html", values)


@router.post("/care/mobile/sessions/new", response_class=HTMLResponse, name="care:session_post")
def session_post(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(SESSION)],
) -> Response:
    """Save the session, or show the form again with its errors."""

    def save(data: MobileSessionCreate) -> str:
        mobile.record_session(session, data, actor=actor)
        return "/care/mobile?saved=1"

    def page(posted: Posted) -> HTMLResponse:
        return _page(request, session, actor, "care/session_form.html", posted.values, posted)

    return submit(SESSION, posted, save, page)


@router.get("/care/mobile/population/new", response_class=HTMLResponse, name="care:population_form")
def population_form(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Record the displaced population counted at a site."""
    return _page(request, session, actor, "care/population_form.html", {})


@router.post(
    "/care/mobile/population/new", response_class=HTMLResponse, name="care:population_post"
)
def population_post(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(POPULATION)],
) -> Response:
    """Save the count, or show the form again with its errors."""

    def save(data: DisplacedPopulationCreate) -> str:
        mobile.record_population(session, data, actor=actor)
        return "/care/mobile?saved=1"

    def page(posted: Posted) -> HTMLResponse:
        return _page(request, session, actor, "care/population_form.html", posted.values, posted)

    return submit(POPULATION, posted, save, page)
