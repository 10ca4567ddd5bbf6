"""The emergency surgery log: an operation of one patient, and the log of the hospitals."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.care.catalogue import default_catalogue
from alima.care.enums import Anaesthesia, SurgeryIndication, SurgeryOutcome
from alima.care.schemas import EARLIEST, CareFormRead, SurgeryCreate, SurgeryFilter
from alima.care.service import surgery
from alima.core.i18n import get_locale
from alima.core.types import LATEST_DATE
from alima.web.contexts_treat import CareFormContext, Option, SurgeryLogContext
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, enum_options
from alima.web.rendering import render
from alima.web.routes.care.common import form_context, patient_form_post

router = APIRouter()

SURGERY = WebForm(SurgeryCreate, given=("patient_id",), rule_status=422)


def _surgery_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    locale = get_locale()
    context.options |= {
        "procedure": [Option(p.code, p.label(locale)) for p in default_catalogue().procedure],
        "indication": enum_options(SurgeryIndication),
        "anaesthesia": enum_options(Anaesthesia),
        "outcome": enum_options(SurgeryOutcome),
    }
    return context


@router.get(
    "/patients/{patient_id}/surgeries/new",
    response_class=HTMLResponse,
    name="care:surgery_form",
)
def surgery_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Add an operation to the emergency surgery log."""
    form = surgery.surgery_form(session, patient_id, actor=actor)
    values = {"emergency": "yes", "outcome": "recovering"}
    return render(request, "care/surgery_form.html", _surgery_context(request, actor, form, values))


@router.post(
    "/patients/{patient_id}/surgeries/new",
    response_class=HTMLResponse,
    name="care:surgery_post",
)
def surgery_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(SURGERY)],
) -> Response:
    """Save the operation, or show the form again with its errors."""

    def save(data: SurgeryCreate) -> str:
        surgery.record_surgery(session, data, actor=actor)
        return f"/patients/{patient_id}/care?saved=surgery"

    return patient_form_post(
        request,
        actor,
        patient_id,
        posted,
        form=SURGERY,
        template="care/surgery_form.html",
        load=lambda: surgery.surgery_form(session, patient_id, actor=actor),
        save=save,
        context_of=_surgery_context,
    )


@router.get("/care/surgeries", response_class=HTMLResponse, name="care:surgery_log")
def surgery_log(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    place_code: Annotated[str, Query(max_length=60, pattern=r"^[A-Za-z0-9_.-]*$")] = "",
    start: Annotated[date | None, Query(ge=EARLIEST, le=LATEST_DATE)] = None,
    end: Annotated[date | None, Query(ge=EARLIEST, le=LATEST_DATE)] = None,
) -> HTMLResponse:
    """The emergency surgery log of the hospitals in your places."""
    rows, first, last = surgery.surgery_log(
        session,
        SurgeryFilter.model_validate(
            {"place_code": place_code or None, "start": start, "end": end}
        ),
        actor=actor,
    )
    context = SurgeryLogContext(
        actor=actor, surgeries=rows, start=first, end=last, place_code=place_code
    )
    return render(request, "care/surgery_log.html", context)
