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
from alima.research.enums import ConsentMethod, FormKind, Ineligible, NotIncluded, WithdrawalUse
from alima.research.schemas import (
    ConsentCreate,
    ConsentFormIn,
    DeclineCreate,
    EthicsApprovalIn,
    PatientStudy,
    QueryAnswer,
    QueryCreate,
    StudyCreate,
    StudyDashboard,
    UnblindCreate,
    WithdrawalCreate,
)
from alima.web.consort_figure import build_consort
from alima.web.contexts_research import (
    ChildStudyContext,
    MonitoringContext,
    NewStudyContext,
    SetupContext,
    SourceContext,
    StudiesContext,
    StudyContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, again, is_refusal, submit
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
    context = StudiesContext(
        actor=actor,
        studies=service.list_studies(session, actor=actor),
        may_create=service.may_set_up(actor),
    )
    return render(request, "research/studies.html", context)


#: A study has two arms at least; the form offers a third, used when its code is given.
REQUIRED_ARMS, OFFERED_ARMS = 2, 3
ARM_FIELDS = tuple(
    f"arm{i}_{part}" for i in range(1, OFFERED_ARMS + 1) for part in ("code", "label", "protocol")
)


def _compose_study(posted: Posted) -> dict[str, object]:
    """The lists of a new study from the form: sites, arms (two or three), first consent form."""
    arms = [
        {
            "code": posted.text(f"arm{i}_code"),
            "label": posted.text(f"arm{i}_label"),
            "protocol_code": posted.text(f"arm{i}_protocol") or None,
        }
        for i in range(1, OFFERED_ARMS + 1)
        if i <= REQUIRED_ARMS or posted.text(f"arm{i}_code")
    ]
    sites = [c for c in posted.text("site_list").replace(",", " ").split() if c]
    out: dict[str, object] = {"arms": arms, "site_codes": sites}
    if posted.text("form_version"):
        out["forms"] = [
            {
                "kind": FormKind.CONSENT.value,
                "version": posted.text("form_version"),
                "language": posted.text("form_language") or "fr",
                "approved_on": posted.text("starts_on"),
            }
        ]
    return out


NEW_STUDY = WebForm(
    StudyCreate,
    extra=("site_list", *ARM_FIELDS, "form_version", "form_language"),
    omit=("recruiting",),
    compose=_compose_study,
)


def _new_study_values() -> dict[str, str]:
    return {
        "starts_on": today().isoformat(),
        "age_min_months": "6",
        "age_max_months": "59",
        "no_complication": "yes",
        "form_language": "fr",
        "form_version": "1.0",
    }


@router.get("/studies/new", name="research:new_study")
def new_study(request: Request, actor: WebActor) -> HTMLResponse:
    """The form that sets a study up (administrators of its sites)."""
    service.require_setup_right(actor)
    context = NewStudyContext(actor=actor, values=_new_study_values())
    return render(request, "research/new.html", context)


@router.post("/studies/new", name="research:create_study")
def create_study(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(NEW_STUDY)],
) -> Response:
    """Set the study up; its sequence is then drawn by the statistician's command."""
    service.require_setup_right(actor)
    return submit(
        NEW_STUDY,
        posted,
        lambda data: service.create_study(session, data, actor=actor),
        again(request, "research/new.html", NewStudyContext(actor=actor, values=posted.values)),
        then=lambda study: f"/research/studies/{study.code}/setup",
    )


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
        figure=build_consort(board, {code: reason_text(code) for code in REASONS}),
        site_targets=[
            (
                s.place_name,
                s.counts.included,
                s.target_size,
                round(100 * s.counts.included / s.target_size, 1) if s.target_size else None,
            )
            for s in board.sites
        ],
        arm_targets=[] if board.study.blinded else _arm_targets(board),
    )
    return render(request, "research/study.html", context)


def _arm_targets(board: StudyDashboard) -> list[tuple[str, int, float, float]]:
    """Each arm's share of the study's target (by its ratio) and how far it got."""
    total = sum(a.ratio for a in board.study.arms) or 1
    out = []
    for arm in board.study.arms:
        target = round(board.study.target_size * arm.ratio / total, 1)
        done = board.included_per_arm.get(arm.code, 0)
        out.append((arm.label, done, target, round(100 * done / target, 1) if target else 0.0))
    return out


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


# --- the monitor: source data verification and queries --------------------------------------

QUERY = WebForm(QueryCreate, error_page=is_refusal)
ANSWER = WebForm(QueryAnswer, error_page=is_refusal)


@router.get("/studies/{study_code}/monitoring", name="research:monitoring")
def monitoring(
    request: Request, study_code: str, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """The monitor's list: the children included at its sites, with their open queries."""
    children = service.monitored_children(session, study_code, actor=actor)
    context = MonitoringContext(actor=actor, study_code=study_code, children=children)
    return render(request, "research/monitoring.html", context)


def _source_url(study_code: str, patient_id: uuid.UUID, saved: str) -> str:
    return f"/research/studies/{study_code}/patients/{patient_id}/source?saved={saved}"


@router.get("/studies/{study_code}/patients/{patient_id}/source", name="research:source")
def source(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: str = "",
) -> HTMLResponse:
    """An included child's record, read-only, for the monitor; its queries."""
    record = service.source_record(session, study_code, patient_id, actor=actor)
    shown = saved if saved in {"query", "closed"} else ""
    context = SourceContext(actor=actor, record=record, saved=shown)
    return render(request, "research/source.html", context)


@router.post("/studies/{study_code}/patients/{patient_id}/queries", name="research:query")
def raise_query(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(QUERY)],
) -> Response:
    """The monitor raises a query on a data point, or sees the form again."""

    def page(posted: Posted) -> HTMLResponse:
        record = service.source_record(session, study_code, patient_id, actor=actor)
        context = SourceContext(
            actor=actor, record=record, values=posted.values, errors=posted.errors
        )
        return show(request, "research/source.html", context, posted)

    return submit(
        QUERY,
        posted,
        lambda data: service.raise_query(session, study_code, patient_id, data, actor=actor),
        page,
        then=_source_url(study_code, patient_id, "query"),
    )


@router.post(
    "/studies/{study_code}/patients/{patient_id}/queries/{query_id}/answer",
    name="research:answer",
)
def answer_query(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    query_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(ANSWER)],
) -> Response:
    """The site answers a monitor's query on the child's study page."""

    def page(posted: Posted) -> HTMLResponse:
        context = _child_context(
            session, actor, patient_id, study_code, values=posted.values, failed="answer"
        )
        return show(request, "research/child.html", context, posted)

    return submit(
        ANSWER,
        posted,
        lambda data: service.answer_query(
            session, study_code, patient_id, query_id, data, actor=actor
        ),
        page,
        then=_child_url(study_code, patient_id, "answer"),
    )


@router.post(
    "/studies/{study_code}/patients/{patient_id}/queries/{query_id}/close",
    name="research:close_query",
)
def close_query(
    study_code: str,
    patient_id: uuid.UUID,
    query_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
) -> Response:
    """The monitor closes an answered query."""
    service.close_query(session, study_code, patient_id, query_id, actor=actor)
    return redirect(_source_url(study_code, patient_id, "closed"))


# --- set-up after the start: ethics approvals, form versions -------------------------------

ETHICS = WebForm(EthicsApprovalIn, error_page=is_refusal)
FORM = WebForm(ConsentFormIn, error_page=is_refusal)
KINDS = {FormKind.CONSENT: N_("Consent form"), FormKind.INFORMATION: N_("Information sheet")}
SETUP_SAVES: dict[str, Callable[..., object]] = {
    "ethics": service.add_ethics_approval,
    "form": service.add_consent_form,
}


def _setup_context(
    session: Session,
    actor: Actor,
    study_code: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    failed: str = "",
    saved: str = "",
) -> SetupContext:
    setup = service.study_setup(session, study_code, actor=actor)
    return SetupContext(
        actor=actor,
        setup=setup,
        options={"kind": [Option(k.value, gettext(text)) for k, text in KINDS.items()]},
        values=values if values is not None else {"approved_on": today().isoformat()},
        errors=errors or {},
        failed=failed,
        saved=saved,
    )


@router.get("/studies/{study_code}/setup", name="research:setup")
def setup(
    request: Request, study_code: str, session: SessionDep, actor: WebActor, saved: str = ""
) -> HTMLResponse:
    """A study's sites, arms, ethics approvals and form versions; administrators add the last two."""
    shown = saved if saved in SETUP_SAVES else ""
    return render(
        request, "research/setup.html", _setup_context(session, actor, study_code, saved=shown)
    )


def _setup_post(
    request: Request,
    session: Session,
    actor: Actor,
    study_code: str,
    posted: Posted,
    form: WebForm[Any],
    name: str,
) -> Response:
    save = SETUP_SAVES[name]

    def page(posted: Posted) -> HTMLResponse:
        context = _setup_context(
            session, actor, study_code, values=posted.values, errors=posted.errors, failed=name
        )
        return show(request, "research/setup.html", context, posted)

    return submit(
        form,
        posted,
        lambda data: save(session, study_code, data, actor=actor),
        page,
        then=f"/research/studies/{study_code}/setup?saved={name}",
    )


@router.post("/studies/{study_code}/ethics", name="research:ethics")
def add_ethics(
    request: Request,
    study_code: str,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(ETHICS)],
) -> Response:
    """Record an ethics approval (administrators of every site of the study)."""
    return _setup_post(request, session, actor, study_code, posted, ETHICS, "ethics")


@router.post("/studies/{study_code}/forms", name="research:form")
def add_form(
    request: Request,
    study_code: str,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(FORM)],
) -> Response:
    """A new approved form version, in force from now on (consents on older ones: re-consent)."""
    return _setup_post(request, session, actor, study_code, posted, FORM, "form")
