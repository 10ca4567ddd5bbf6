"""Patient pages: register (with duplicate warning), search, the patient page, its audit trail."""

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.core.access import Actor, Permission
from alima.core.schemas import Page, PatientCreate, PatientFilter, PatientSummary
from alima.core.service import patients as service
from alima.nutrition import service as nutrition_service
from alima.nutrition.enums import EpisodeStatus
from alima.web import nutrition_format
from alima.web.contexts import (
    AuditContext,
    EpisodeSummary,
    PatientContext,
    RegisterContext,
    SearchContext,
)
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, form_error, is_forbidden, submit
from alima.web.params import SearchText
from alima.web.rendering import redirect, render, show
from alima.web.templating import fmt_date

router = APIRouter(prefix="/patients", default_response_class=HTMLResponse)

TEMPLATE = "patients/register.html"
#: An unknown place is said on the form.
REGISTER = WebForm(PatientCreate, kept=300, refused=form_error, error_page=is_forbidden)


RegisterPost = Annotated[Posted, Depends(REGISTER)]


#: Patients shown on one page of search results.
PAGE_SIZE = 20
#: Query parameter of the first result shown (paging).
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def find_patients(
    session: SessionDep, actor: Actor, q: str, *, offset: int = 0, limit: int = 50
) -> Page[PatientSummary] | None:
    """The patients in scope matching ``q`` (``None`` when nothing was typed)."""
    criteria = PatientFilter(q=q, offset=offset, limit=limit)
    return service.search_patients(session, criteria, actor=actor) if q.strip() else None


def _page_link(q: str, offset: int) -> str:
    return f"/patients?{urlencode({'q': q, 'offset': offset})}"


@router.get("", name="patients:search")
def search(
    request: Request, session: SessionDep, actor: WebActor, q: SearchText = "", offset: Offset = 0
) -> HTMLResponse:
    """Search by name, caregiver, identifier (or its last characters) or phone, page by page."""
    results = find_patients(session, actor, q, offset=offset, limit=PAGE_SIZE)
    context = SearchContext(
        actor=actor, q=q, results=results, can_register=actor.can(Permission.PATIENT_WRITE)
    )
    if results is not None and results.items:
        context.first = offset + 1
        context.last = offset + len(results.items)
        if offset > 0:
            context.previous_url = _page_link(q, max(0, offset - PAGE_SIZE))
        if context.last < results.total:
            context.next_url = _page_link(q, context.last)
    return render(request, "patients/search.html", context)


@router.get("/new", name="patients:register")
def register_form(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """The registration form (a referred child registers from the referral's arrival page)."""
    places = service.registration_places(session, actor=actor)
    values = {"place_code": places[0].code} if len(places) == 1 else {}
    return render(
        request,
        "patients/register.html",
        RegisterContext(actor=actor, places=places, values=values),
    )


@router.post("/new", name="patients:register_post")
def register(
    request: Request, session: SessionDep, actor: WebActor, posted: RegisterPost
) -> Response:
    """Register, or show the form again with errors or the likely duplicates."""
    places = service.registration_places(session, actor=actor)
    context = RegisterContext(actor=actor, places=places, values=posted.values)

    def save(data: PatientCreate) -> str:
        return f"/patients/{service.register_patient(session, data, actor=actor).id}?registered=1"

    try:
        return submit(REGISTER, posted, save, lambda p: show(request, TEMPLATE, context, p))
    except service.DuplicateSuspected as exc:
        context.duplicate_message = exc.warning.message
        context.duplicates = exc.warning.candidates
        return render(request, TEMPLATE, context, status_code=409)


@router.get("/{patient_id}", name="patients:detail")
def detail(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    registered: int = 0,
) -> Response:
    """The patient page (a duplicate merged into another patient leads to that patient)."""
    patient = service.get_patient(session, patient_id, actor=actor)
    kept = patient.merged_into_id
    if kept is not None and service.can_open(session, kept, actor=actor):
        return redirect(f"/patients/{kept}")  # else the card says whom it was merged into
    episodes = nutrition_service.patient_episodes(session, patient_id, actor=actor)
    context = PatientContext(
        actor=actor,
        patient=patient,
        just_registered=registered == 1,
        can_see_audit=actor.can(Permission.AUDIT_READ),
        episodes=[
            EpisodeSummary(
                id=str(e.id),
                admitted_on=fmt_date(e.admitted_on),
                protocol=f"{e.protocol_code} v{e.protocol_version}",
                status=nutrition_format.label(EpisodeStatus, e.status),
                band=nutrition_format.band_label(e.band),
                band_class=nutrition_format.BAND_CLASS.get(e.band, ""),
                outcome=nutrition_format.outcome_label(e.outcome),
            )
            for e in episodes
        ],
        can_admit=actor.can(Permission.PATIENT_WRITE)
        and not patient.deleted
        and all(e.status != "open" for e in episodes),
    )
    return render(request, "patients/detail.html", context)


@router.get("/{patient_id}/audit", name="patients:audit")
def audit(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Who read or changed this record, and when (data managers and coordinators)."""
    patient, events = service.patient_audit_trail(session, patient_id, actor=actor)
    return render(
        request, "patients/audit.html", AuditContext(actor=actor, patient=patient, events=events)
    )
