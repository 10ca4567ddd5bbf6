"""Care pages besides a patient's forms.

Find a patient, a patient's records (a newborn registered from them), a consultation's
result, the surgery log, displacement sites and their mobile clinics.
"""

import uuid
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.care.enums import MobileService
from alima.care.schemas import (
    DisplacedPopulationCreate,
    MobileSessionCreate,
    NewbornRegister,
    SurgeryFilter,
)
from alima.care.service import consultations, maternal, mobile, records, surgery
from alima.core.access import Permission
from alima.core.i18n import N_, get_locale, gettext
from alima.web.contexts_treat import (
    CareHomeContext,
    ConsultationContext,
    FormContext,
    MobileContext,
    Option,
    PatientCareContext,
    SurgeryLogContext,
)
from alima.web.deps import WebActor
from alima.web.form_pages import FormPage
from alima.web.forms import Posted, WebForm, enum_options, is_forbidden, is_refusal, submit
from alima.web.params import PlacePeriodFilter, SearchText
from alima.web.rendering import render
from alima.web.routes.patients import find_patients

router = APIRouter(default_response_class=HTMLResponse)

#: Registered from the mother's care record: a refusal is shown on that record.
NEWBORN = WebForm(
    NewbornRegister, given=("patient_id",), omit=("family_name",), kept=200, error_page=is_refusal
)


NewbornPost = Annotated[Posted, Depends(NEWBORN)]


@router.get("/care", name="care:home")
def home(
    request: Request, session: SessionDep, actor: WebActor, q: SearchText = ""
) -> HTMLResponse:
    """Find the patient to record care for."""
    context = CareHomeContext(
        actor=actor,
        q=q,
        results=find_patients(session, actor, q),
        can_see_surgeries=actor.can(Permission.PATIENT_READ),
    )
    return render(request, "care/home.html", context)


def _care_context(
    session: SessionDep, actor: WebActor, patient_id: uuid.UUID, saved: str | None
) -> PatientCareContext:
    return PatientCareContext(
        actor=actor,
        care=records.patient_care(session, patient_id, actor=actor),
        can_record=actor.can(Permission.PATIENT_WRITE),
        saved=saved,
    )


@router.get("/patients/{patient_id}/care", name="care:patient")
def patient_care(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    """Every care record of a patient, with links to record more."""
    context = _care_context(session, actor, patient_id, saved or None)
    return render(request, "care/patient.html", context)


@router.post("/patients/{patient_id}/newborns", name="care:newborn_post")
def register_newborn(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: NewbornPost,
) -> Response:
    """Register a baby born alive as a patient in one step, then open the baby's page."""

    def save(data: NewbornRegister) -> str:
        return f"/patients/{maternal.register_newborn(session, data, actor=actor).id}"

    def page(posted: Posted) -> HTMLResponse:
        context = _care_context(session, actor, patient_id, None)
        context.error = (
            posted.refusal.message if posted.refusal else gettext(N_("Give the baby's first name."))
        )
        return render(request, "care/patient.html", context, status_code=422)

    return submit(NEWBORN, posted, save, page, patient_id=patient_id)


@router.get("/care/consultations/{consultation_id}", name="care:consultation")
def consultation(
    request: Request,
    consultation_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: int = 0,
) -> HTMLResponse:
    """A consultation: the triage, what to do now, warnings."""
    result = consultations.get_consultation(session, consultation_id, actor=actor)
    context = ConsultationContext(actor=actor, consultation=result, just_saved=saved == 1)
    return render(request, "care/consultation.html", context)


@router.get("/care/surgeries", name="care:surgery_log")
def surgery_log(
    request: Request, session: SessionDep, actor: WebActor, period: PlacePeriodFilter
) -> HTMLResponse:
    """The emergency surgery log of the hospitals in your places."""
    criteria = SurgeryFilter.model_validate(period.criteria())
    rows, first, last = surgery.surgery_log(session, criteria, actor=actor)
    context = SurgeryLogContext(
        actor=actor, surgeries=rows, start=first, end=last, place_code=period.place_code
    )
    return render(request, "care/surgery_log.html", context)


# --- mobile clinics and displacement sites --------------------------------------------------


SERVICE_FIELDS = {f"service_{s.value}": s for s in MobileService}


def _services(posted: Posted) -> dict[str, object]:
    """One checkbox a service."""
    return {"services": [s for name, s in SERVICE_FIELDS.items() if posted.checked(name)]}


#: An unknown site is said on the form.
SESSION = WebForm(
    MobileSessionCreate, extra=tuple(SERVICE_FIELDS), compose=_services, error_page=is_forbidden
)
POPULATION = WebForm(DisplacedPopulationCreate, error_page=is_forbidden)
SITES = "/care/mobile?saved=1"


@router.get("/care/mobile", name="care:mobile")
def mobile_overview(
    request: Request, session: SessionDep, actor: WebActor, saved: int = 0
) -> HTMLResponse:
    """Displacement sites: displaced population by month, mobile-clinic sessions."""
    result, months = mobile.overview(session, actor=actor)
    sites, _clinics = mobile.form_options(session, actor=actor)
    context = MobileContext(
        actor=actor,
        overview=result,
        month_labels=[format_date(m, "MMM yyyy", locale=get_locale()) for m in months],
        can_record=bool(sites),
        saved=saved == 1,
    )
    return render(request, "care/mobile.html", context)


def _site_form(
    request: Request, session: SessionDep, actor: WebActor, values: dict[str, str]
) -> FormContext:
    sites, clinics = mobile.form_options(session, actor=actor)
    return FormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        options={
            "site_code": [Option(p.code, p.name) for p in sites],
            "mobile_clinic_code": [Option(p.code, p.name) for p in clinics],
            "services": [
                Option(name, text.text)
                for name, text in zip(SERVICE_FIELDS, enum_options(MobileService), strict=True)
            ],
        },
    )


FormPage(
    SESSION,
    "care/session_form.html",
    _site_form,
    lambda session, data, actor: mobile.record_session(session, data, actor=actor),
    then=SITES,
    start={"service_consultations": "yes"},
).add(
    router,
    "/care/mobile/sessions/new",
    ("care:session_form", "care:session_post"),
    "Record a mobile-clinic session at a displacement site.",
)
FormPage(
    POPULATION,
    "care/population_form.html",
    _site_form,
    lambda session, data, actor: mobile.record_population(session, data, actor=actor),
    then=SITES,
).add(
    router,
    "/care/mobile/population/new",
    ("care:population_form", "care:population_post"),
    "Record the displaced population counted at a site.",
)
