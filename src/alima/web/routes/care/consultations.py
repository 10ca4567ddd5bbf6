"""The consultation form (IMCI triage, malaria, MUAC, diagnoses, referral) and its result."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.care.catalogue import default_catalogue
from alima.care.enums import DangerSign, MalariaTreatment, RdtResult
from alima.care.rules import imci
from alima.care.schemas import CareFormRead, ConsultationCreate
from alima.care.service import consultations
from alima.core.i18n import N_, get_locale, gettext
from alima.nutrition.enums import Oedema
from alima.web.contexts_treat import CareFormContext, ConsultationContext, Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, enum_options
from alima.web.rendering import render
from alima.web.routes.care.common import form_context, patient_form_post

router = APIRouter()

DANGER_FIELDS = {f"danger_{sign.value}": sign for sign in DangerSign}
DIAGNOSES = ("diagnosis_1", "diagnosis_2", "diagnosis_3")


def _lists(posted: Posted) -> dict[str, object]:
    """Danger signs are one checkbox each, diagnoses three selects."""
    return {
        "danger_signs": [s for name, s in DANGER_FIELDS.items() if posted.checked(name)],
        "diagnoses": [posted.text(name) for name in DIAGNOSES if posted.text(name)],
    }


CONSULTATION = WebForm(
    ConsultationCreate,
    given=("patient_id",),
    extra=(*DANGER_FIELDS, *DIAGNOSES),
    compose=_lists,
    rule_status=422,
)


def _consultation_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    locale = get_locale()
    diagnoses = [
        Option(d.code, f"{d.label(locale)} ({d.code})") for d in default_catalogue().diagnosis
    ]
    context.options |= {
        "rdt_result": enum_options(RdtResult),
        "malaria_treatment": enum_options(MalariaTreatment),
        "oedema": [Option(o.value, gettext(o.label)) for o in Oedema],
        "danger": [Option(f"danger_{s.value}", s.value) for s in DangerSign],
    }
    context.options |= dict.fromkeys(DIAGNOSES, diagnoses)
    threshold = imci.fast_breathing_threshold(form.patient_age_months)
    context.hints = {
        "temperature_c": gettext(N_("30 to 44 °C; fever from 37.5 °C.")),
        "breaths_per_minute": (
            gettext(
                N_("Count for a full minute. Fast at this age: {rate}/min or more."), rate=threshold
            )
            if threshold
            else gettext(N_("Count for a full minute."))
        ),
        "muac_mm": gettext(N_("50 to 300 mm; required from 6 to 59 months.")),
        "weight_kg": gettext(N_("0.5 to 250 kg.")),
    }
    return context


def _diagnosis_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors on ``diagnoses`` (or one of its items) show under the first diagnosis."""
    result: dict[str, str] = {}
    for key, message in errors.items():
        result.setdefault("diagnosis_1" if key.startswith("diagnoses") else key, message)
    return result


@router.get(
    "/patients/{patient_id}/consultations/new",
    response_class=HTMLResponse,
    name="care:consultation_form",
)
def consultation_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """The consultation form: triage, malaria, MUAC, diagnoses, referral."""
    form = consultations.consultation_form(session, patient_id, actor=actor)
    values = {"rdt_result": RdtResult.NOT_DONE.value, "oedema": Oedema.NONE.value}
    context = _consultation_context(request, actor, form, values)
    return render(request, "care/consultation_form.html", context)


@router.post(
    "/patients/{patient_id}/consultations/new",
    response_class=HTMLResponse,
    name="care:consultation_post",
)
def consultation_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(CONSULTATION)],
) -> Response:
    """Save the consultation and show the triage, or the form again with its errors."""

    def save(data: ConsultationCreate) -> str:
        saved = consultations.record_consultation(session, data, actor=actor)
        return f"/care/consultations/{saved.id}?saved=1"

    return patient_form_post(
        request,
        actor,
        patient_id,
        posted,
        form=CONSULTATION,
        template="care/consultation_form.html",
        load=lambda: consultations.consultation_form(session, patient_id, actor=actor),
        save=save,
        context_of=_consultation_context,
        errors_of=_diagnosis_errors,
    )


@router.get(
    "/care/consultations/{consultation_id}",
    response_class=HTMLResponse,
    name="care:consultation",
)
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
