"""Research pages: studies, a study's dashboard, one child in a study (consent, randomisation)."""

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.core.i18n import N_, gettext
from alima.core.time import today
from alima.research import service
from alima.research.enums import ConsentMethod, Ineligible, NotIncluded, WithdrawalUse
from alima.research.schemas import (
    ConsentCreate,
    DeclineCreate,
    PatientStudy,
    UnblindCreate,
    WithdrawalCreate,
)
from alima.web.contexts_research import ChildStudyContext, StudiesContext, StudyContext
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.rendering import redirect, render, show

router = APIRouter(prefix="/research", default_response_class=HTMLResponse)

#: What a screening reason or a reason not included reads as.
REASONS: dict[str, str] = {
    Ineligible.AGE_BELOW: N_("younger than the study's age range"),
    Ineligible.AGE_ABOVE: N_("older than the study's age range"),
    Ineligible.MUAC_MISSING: N_("MUAC not measured"),
    Ineligible.MUAC_ABOVE: N_("MUAC at or above the study's cut-off"),
    Ineligible.OEDEMA: N_("oedema"),
    Ineligible.COMPLICATION: N_("medical complication or danger sign"),
    Ineligible.OUTSIDE_CATCHMENT: N_("outside the study's sites"),
    NotIncluded.INELIGIBLE: N_("not eligible"),
    NotIncluded.NOT_APPROACHED: N_("caregiver not approached"),
    NotIncluded.DECLINED: N_("caregiver declined"),
    NotIncluded.OTHER: N_("other reason"),
}
METHODS = {
    ConsentMethod.SIGNED: N_("Signed"),
    ConsentMethod.THUMBPRINT: N_("Thumbprint, before a witness"),
}
USES = {
    WithdrawalUse.COLLECTED: N_("Data collected until today may still be used"),
    WithdrawalUse.NONE: N_("No data may be used"),
}
DECLINES = {
    NotIncluded.DECLINED: N_("The caregiver declined"),
    NotIncluded.NOT_APPROACHED: N_("The caregiver was not approached"),
    NotIncluded.OTHER: N_("Other reason"),
}


def reason_text(code: str) -> str:
    """A reason's label in the reader's language."""
    return gettext(REASONS[code]) if code in REASONS else code


@router.get("", name="research:studies")
def studies(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """The studies with a site in your scope."""
    context = StudiesContext(actor=actor, studies=service.list_studies(session, actor=actor))
    return render(request, "research/studies.html", context)


@router.get("/studies/{study_code}", name="research:study")
def study(request: Request, study_code: str, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Recruitment against target and the CONSORT flow (counts only, never a child)."""
    board = service.study_dashboard(session, study_code, actor=actor)
    c = board.counts
    context = StudyContext(
        actor=actor,
        board=board,
        flow=[
            (gettext("Screened"), c.screened),
            (gettext("Eligible"), c.eligible),
            (gettext("Approached"), c.approached),
            (gettext("Consented"), c.consented),
            (gettext("Randomised"), c.included),
            (gettext("Withdrawn since"), c.withdrawn),
        ],
        not_included=[(code, reason_text(code), n) for code, n in c.not_included.items()],
        arms=[
            (next((a.label for a in board.study.arms if a.code == code), code), n)
            for code, n in board.included_per_arm.items()
        ],
    )
    return render(request, "research/study.html", context)


# --- one child in one study -----------------------------------------------------------------

CONSENT = WebForm(ConsentCreate, error_page=is_refusal)
DECLINE = WebForm(DeclineCreate, error_page=is_refusal)
WITHDRAWAL = WebForm(WithdrawalCreate, error_page=is_refusal)
UNBLINDING = WebForm(UnblindCreate, error_page=is_refusal)


def _options(panel: PatientStudy) -> dict[str, list[Option]]:
    return {
        "form_id": [Option(str(f.id), f"{f.language.upper()} · v{f.version}") for f in panel.forms],
        "method": [Option(m.value, gettext(text)) for m, text in METHODS.items()],
        "use": [Option(u.value, gettext(text)) for u, text in USES.items()],
        "reason": [Option(r.value, gettext(text)) for r, text in DECLINES.items()],
    }


def _child_context(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    study_code: str,
    *,
    values: dict[str, str] | None = None,
    failed: str = "",
    saved: str = "",
) -> ChildStudyContext:
    panel = service.child_in_study(session, patient_id, study_code, actor=actor)
    start = {"consented_on": today().isoformat(), "withdrawn_on": today().isoformat()}
    if panel.forms:
        start["form_id"] = str(panel.forms[0].id)
    return ChildStudyContext(
        actor=actor,
        patient_id=str(patient_id),
        study=panel,
        reasons=[reason_text(r) for r in panel.reasons],
        options=_options(panel),
        values=values if values is not None else start,
        failed=failed,
        saved=saved,
        episode_id=str(panel.episode_id) if panel.episode_id else "",
    )


def _child_url(study_code: str, patient_id: uuid.UUID, saved: str) -> str:
    return f"/research/studies/{study_code}/patients/{patient_id}?saved={saved}"


@router.get("/studies/{study_code}/patients/{patient_id}", name="research:child")
def child(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: str = "",
) -> HTMLResponse:
    """A child in a study: why eligible or not, the consent form, the randomisation."""
    shown = (
        saved if saved in {"consent", "decline", "withdrawal", "randomised", "unblinding"} else ""
    )
    context = _child_context(session, actor, patient_id, study_code, saved=shown)
    return render(request, "research/child.html", context)


#: The service that records each form of the child's study page.
SAVES: dict[str, Callable[..., PatientStudy]] = {
    "consent": service.record_consent,
    "decline": service.decline,
    "withdrawal": service.withdraw,
    "unblinding": service.unblind,
}


def _post(
    request: Request,
    session: Session,
    actor: Actor,
    study_code: str,
    patient_id: uuid.UUID,
    posted: Posted,
    form: WebForm[Any],
    name: str,
) -> Response:
    save = SAVES[name]

    def page(posted: Posted) -> HTMLResponse:
        context = _child_context(
            session, actor, patient_id, study_code, values=posted.values, failed=name
        )
        return show(request, "research/child.html", context, posted)

    return submit(
        form,
        posted,
        lambda data: save(session, patient_id, study_code, data, actor=actor),
        page,
        then=_child_url(study_code, patient_id, name),
    )


@router.post("/studies/{study_code}/patients/{patient_id}/consent", name="research:consent")
def consent(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(CONSENT)],
) -> Response:
    """Record the caregiver's consent, or show the form again."""
    return _post(request, session, actor, study_code, patient_id, posted, CONSENT, "consent")


@router.post("/studies/{study_code}/patients/{patient_id}/decline", name="research:decline")
def decline(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(DECLINE)],
) -> Response:
    """Record why an eligible child is not included."""
    return _post(request, session, actor, study_code, patient_id, posted, DECLINE, "decline")


@router.post("/studies/{study_code}/patients/{patient_id}/withdrawal", name="research:withdrawal")
def withdrawal(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(WITHDRAWAL)],
) -> Response:
    """Withdraw consent, or show the form again."""
    return _post(request, session, actor, study_code, patient_id, posted, WITHDRAWAL, "withdrawal")


@router.post("/studies/{study_code}/patients/{patient_id}/randomisation", name="research:randomise")
def randomise(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> Response:
    """Reveal the child's arm once; the page then shows it."""
    service.randomise(session, patient_id, study_code, actor=actor)
    return redirect(_child_url(study_code, patient_id, "randomised"))


@router.post("/studies/{study_code}/patients/{patient_id}/unblinding", name="research:unblind")
def unblinding(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(UNBLINDING)],
) -> Response:
    """Reveal a blinded child's arm to the clinician, with the reason (emergency)."""
    return _post(request, session, actor, study_code, patient_id, posted, UNBLINDING, "unblinding")
