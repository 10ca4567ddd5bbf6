"""The care home (find a patient) and a patient's care records, with a newborn's registration."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.care.schemas import NewbornRegister
from alima.care.service import maternal, records
from alima.core.access import Permission
from alima.core.i18n import N_, gettext
from alima.core.schemas import PatientFilter
from alima.core.service import patients as patient_service
from alima.web.contexts_treat import CareHomeContext, PatientCareContext
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.rendering import render

router = APIRouter()

#: Registered from the mother's care record: a refusal is shown on that record.
NEWBORN = WebForm(
    NewbornRegister, given=("patient_id",), omit=("family_name",), kept=200, error_page=is_refusal
)


@router.get("/care", response_class=HTMLResponse, name="care:home")
def home(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Find the patient to record care for."""
    results = (
        patient_service.search_patients(session, PatientFilter(q=q), actor=actor)
        if q.strip()
        else None
    )
    return render(request, "care/home.html", CareHomeContext(actor=actor, q=q, results=results))


def _care_context(
    session: SessionDep, actor: WebActor, patient_id: uuid.UUID, saved: str | None
) -> PatientCareContext:
    return PatientCareContext(
        actor=actor,
        care=records.patient_care(session, patient_id, actor=actor),
        can_record=actor.can(Permission.PATIENT_WRITE),
        saved=saved,
    )


@router.get("/patients/{patient_id}/care", response_class=HTMLResponse, name="care:patient")
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


@router.post(
    "/patients/{patient_id}/newborns", response_class=HTMLResponse, name="care:newborn_post"
)
def register_newborn(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(NEWBORN)],
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
