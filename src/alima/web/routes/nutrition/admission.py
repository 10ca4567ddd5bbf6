"""The caseload of a site and the admission of a registered child."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.protocol import available_protocols
from alima.nutrition.schemas import AdmissionCreate
from alima.web import nutrition_format as fmt
from alima.web.contexts import AdmissionContext, CaseloadContext
from alima.web.deps import WebActor
from alima.web.forms import Posted, submit
from alima.web.rendering import render
from alima.web.routes.nutrition.common import measurement_form, needs_confirmation, oedema_choices

router = APIRouter()

ADMISSION = measurement_form(AdmissionCreate, given=("patient_id",))


@router.get("/nutrition", response_class=HTMLResponse, name="nutrition:caseload")
def caseload(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    site: Annotated[str, Query(max_length=60)] = "",
) -> HTMLResponse:
    """Who is due today, who missed a visit, who comes next."""
    sites = service.nutrition_sites(session, actor=actor)
    chosen = site or (sites[0][0] if len(sites) == 1 else "")
    load = service.caseload(session, chosen, actor=actor) if chosen else None
    context = CaseloadContext(
        actor=actor,
        sites=sites,
        site=chosen,
        caseload=load,
        band_labels={b: fmt.band_label(b) for b in fmt.BAND_CLASS},
        band_classes=fmt.BAND_CLASS,
    )
    return render(request, "nutrition/caseload.html", context)


def _admission_page(
    request: Request,
    actor: Actor,
    patient_id: uuid.UUID,
    session: SessionDep,
    settings_protocol: str,
    posted: Posted | None = None,
) -> HTMLResponse:
    patient = patient_service.get_patient(session, patient_id, actor=actor)
    context = AdmissionContext(
        actor=actor,
        patient=patient,
        protocols=[(p.code, f"{p.title} (v{p.version})") for p in available_protocols()],
        oedema_choices=oedema_choices(),
        values=posted.values
        if posted
        else {
            "admitted_on": today().isoformat(),
            "protocol_code": settings_protocol,
            "oedema": "none",
        },
        errors=posted.errors if posted else {},
        needs_confirmation=needs_confirmation(posted) if posted else False,
    )
    status_code = posted.status if posted else 200
    return render(request, "nutrition/admit.html", context, status_code=status_code)


@router.get(
    "/patients/{patient_id}/nutrition/admit", response_class=HTMLResponse, name="nutrition:admit"
)
def admission_form(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
) -> HTMLResponse:
    """The admission form for a registered child."""
    return _admission_page(request, actor, patient_id, session, settings.nutrition_default_protocol)


@router.post(
    "/patients/{patient_id}/nutrition/admit",
    response_class=HTMLResponse,
    name="nutrition:admit_post",
)
def admit(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    posted: Annotated[Posted, Depends(ADMISSION)],
) -> Response:
    """Admit, or show the form again with the reason in the nurse's language."""

    def save(data: AdmissionCreate) -> str:
        result = service.admit_child(session, data, actor=actor)
        return f"/nutrition/episodes/{result.episode_id}?saved=1"

    def page(posted: Posted) -> HTMLResponse:
        protocol = settings.nutrition_default_protocol
        return _admission_page(request, actor, patient_id, session, protocol, posted)

    return submit(ADMISSION, posted, save, page, patient_id=patient_id)
