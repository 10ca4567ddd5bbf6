"""Research pages: studies, a study's dashboard, one child in a study (consent, randomisation)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.core.i18n import N_, gettext
from alima.core.time import today
from alima.nutrition.enums import Oedema
from alima.research import service
from alima.research.enums import (
    ConsentMethod,
    EventStatus,
    FormKind,
    Ineligible,
    NotIncluded,
    Relatedness,
    ReportStatus,
    SaeCategory,
    SaeOutcome,
    WithdrawalUse,
)
from alima.research.schemas import (
    AdverseEventCreate,
    ChildFollowUp,
    ConsentCreate,
    DeclineCreate,
    PatientStudy,
    StudyCreate,
    StudyDashboard,
    StudyVisitCreate,
    UnblindCreate,
    WithdrawalCreate,
)
from alima.web.consort_figure import build_consort
from alima.web.contexts_research import (
    ChildStudyContext,
    MissedContext,
    NewStudyContext,
    SafetyContext,
    StudiesContext,
    StudyContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, again, is_refusal, submit
from alima.web.nutrition_format import oedema_label
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
        may_export=service.export_allowed(session, study_code, actor=actor),
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
    } | _follow_up_options()


def child_context(
    session: Session,
    actor: Actor,
    patient_id: uuid.UUID,
    study_code: str,
    *,
    values: dict[str, str] | None = None,
    failed: str = "",
    saved: str = "",
) -> ChildStudyContext:
    """The context of a child's study page (the forms keep ``values`` after a refusal)."""
    panel = service.child_in_study(session, patient_id, study_code, actor=actor)
    start = {"consented_on": today().isoformat(), "withdrawn_on": today().isoformat()}
    if panel.forms:
        start["form_id"] = str(panel.forms[0].id)
    follow = service.child_follow_up(session, patient_id, study_code, actor=actor)
    start |= _follow_up_start(follow)
    return ChildStudyContext(
        actor=actor,
        patient_id=str(patient_id),
        study=panel,
        reasons=[reason_text(r) for r in panel.reasons],
        options=_options(panel)
        | {"event_code": [Option(e.code, e.label) for e in follow.events if e.may_record]},
        values=values if values is not None else start,
        failed=failed,
        saved=saved,
        episode_id=str(panel.episode_id) if panel.episode_id else "",
        follow=follow,
        labels=follow_up_labels(),
    )


def child_url(study_code: str, patient_id: uuid.UUID, saved: str) -> str:
    """The child's study page, saying what was just saved."""
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
    shown = saved if saved in {*CHILD_FORMS, "randomised"} else ""
    context = child_context(session, actor, patient_id, study_code, saved=shown)
    return render(request, "research/child.html", context)


def _post(
    request: Request,
    session: Session,
    actor: Actor,
    study_code: str,
    patient_id: uuid.UUID,
    posted: Posted,
    name: str,
) -> Response:
    child_form = CHILD_FORMS[name]

    def page(posted: Posted) -> HTMLResponse:
        context = child_context(
            session, actor, patient_id, study_code, values=posted.values, failed=name
        )
        return show(request, "research/child.html", context, posted)

    return submit(
        child_form.form,
        posted,
        lambda data: child_form.save(session, patient_id, study_code, data, actor=actor),
        page,
        then=child_url(study_code, patient_id, name),
    )


@router.post("/studies/{study_code}/patients/{patient_id}/randomisation", name="research:randomise")
def randomise(
    study_code: str, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> Response:
    """Reveal the child's arm once; the page then shows it."""
    service.randomise(session, patient_id, study_code, actor=actor)
    return redirect(child_url(study_code, patient_id, "randomised"))


# --- the monitor: source data verification and queries --------------------------------------


# --- follow-up: the schedule, study visits, serious adverse events ---------------------------

#: What a follow-up code reads as.
FOLLOW_UP_LABELS: dict[str, str] = {
    EventStatus.ROUTINE: N_("Filled by routine care"),
    EventStatus.STUDY_VISIT: N_("Filled by a study visit"),
    EventStatus.DUE: N_("Due: window open"),
    EventStatus.UPCOMING: N_("Upcoming"),
    EventStatus.MISSED: N_("Missed"),
    EventStatus.WITHDRAWN: N_("Not expected: consent withdrawn"),
    SaeCategory.DEATH: N_("Death"),
    SaeCategory.LIFE_THREATENING: N_("Life-threatening"),
    SaeCategory.HOSPITALISATION: N_("Hospitalisation or its prolongation"),
    SaeCategory.DISABILITY: N_("Persistent or significant disability"),
    SaeCategory.CONGENITAL_ANOMALY: N_("Congenital anomaly"),
    SaeCategory.OTHER_IMPORTANT: N_("Other important medical event"),
    SaeOutcome.RECOVERED: N_("Recovered"),
    SaeOutcome.RECOVERING: N_("Recovering"),
    SaeOutcome.NOT_RECOVERED: N_("Not recovered"),
    SaeOutcome.SEQUELAE: N_("Recovered with sequelae"),
    SaeOutcome.FATAL: N_("Fatal"),
    SaeOutcome.UNKNOWN: N_("Unknown"),
    Relatedness.RELATED: N_("Related to the study treatment"),
    Relatedness.POSSIBLY: N_("Possibly related"),
    Relatedness.NOT_RELATED: N_("Not related"),
    ReportStatus.TO_REPORT: N_("To report"),
    ReportStatus.OVERDUE: N_("Overdue"),
    ReportStatus.ON_TIME: N_("Reported on time"),
    ReportStatus.LATE: N_("Reported late"),
}


def follow_up_labels() -> dict[str, str]:
    """Every follow-up code's label in the reader's language."""
    return {str(code): gettext(text) for code, text in FOLLOW_UP_LABELS.items()}


def _choices(codes: list[StrEnum]) -> list[Option]:
    return [Option(c.value, gettext(FOLLOW_UP_LABELS[c])) for c in codes]


def _follow_up_options() -> dict[str, list[Option]]:
    return {
        "oedema": [Option(o.value, oedema_label(o.value)) for o in Oedema],
        "category": _choices(list(SaeCategory)),
        "outcome": _choices(list(SaeOutcome)),
        "relatedness": _choices(list(Relatedness)),
    }


def _follow_up_start(follow: ChildFollowUp) -> dict[str, str]:
    """The study-visit and SAE forms' first values (a death seen in routine care pre-filled)."""
    day = today().isoformat()
    start = {"visit_on": day, "onset_on": day, "aware_on": day, "oedema": Oedema.NONE.value}
    due = [e for e in follow.events if e.may_record]
    if due:
        start["event_code"] = due[0].code
    if follow.deaths_to_report:
        death = follow.deaths_to_report[0]
        start |= {
            "onset_on": death.died_on.isoformat(),
            "aware_on": death.died_on.isoformat(),
            "category": SaeCategory.DEATH.value,
            "outcome": SaeOutcome.FATAL.value,
            "episode_id": str(death.episode_id),
        }
    return start


STUDY_VISIT = WebForm(StudyVisitCreate, error_page=is_refusal, decimal_comma=True)
ADVERSE_EVENT = WebForm(AdverseEventCreate, error_page=is_refusal)


@dataclass(frozen=True)
class ChildForm:
    """A form of the child's study page: the service that records it, where it posts."""

    form: WebForm[Any]
    save: Callable[..., object]
    summary: str
    #: The route's name, when not ``research:<name>``.
    route: str = ""
    #: Where it posts under the child's page, when not at its name.
    path: str = ""


#: The forms of the child's study page, by the name its URL and the page's ``saved`` use.
CHILD_FORMS: dict[str, ChildForm] = {
    "consent": ChildForm(
        CONSENT, service.record_consent, "Record the caregiver's consent, or show the form again."
    ),
    "decline": ChildForm(DECLINE, service.decline, "Record why an eligible child is not included."),
    "withdrawal": ChildForm(
        WITHDRAWAL, service.withdraw, "Withdraw consent, or show the form again."
    ),
    "unblinding": ChildForm(
        UNBLINDING,
        service.unblind,
        "Reveal a blinded child's arm to the clinician, with the reason (emergency).",
        route="research:unblind",
    ),
    "study-visit": ChildForm(
        STUDY_VISIT,
        service.record_study_visit,
        "Record a study visit for a due event that routine care left without measures.",
    ),
    "adverse-event": ChildForm(
        ADVERSE_EVENT,
        service.report_adverse_event,
        "Record a serious adverse event; its report to the sponsor is then due.",
        path="adverse-events",
    ),
}


def _add_child_form(name: str, child_form: ChildForm) -> None:
    """Register the post of one form of the child's study page."""

    def post(
        request: Request,
        study_code: str,
        patient_id: uuid.UUID,
        session: SessionDep,
        actor: WebActor,
        posted: Annotated[Posted, Depends(child_form.form)],
    ) -> Response:
        return _post(request, session, actor, study_code, patient_id, posted, name)

    post.__doc__ = child_form.summary
    router.add_api_route(
        f"/studies/{{study_code}}/patients/{{patient_id}}/{child_form.path or name}",
        post,
        methods=["POST"],
        name=child_form.route or f"research:{name}",
    )


for _name, _form in CHILD_FORMS.items():
    _add_child_form(_name, _form)


@router.get("/studies/{study_code}/missed", name="research:missed")
def missed(request: Request, study_code: str, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """The events whose window closed with nothing recorded, at the sites in your scope."""
    rows = service.missed_windows(session, study_code, actor=actor)
    return render(
        request,
        "research/missed.html",
        MissedContext(actor=actor, study_code=study_code, rows=rows),
    )


@router.get("/studies/{study_code}/safety", name="research:safety")
def safety(
    request: Request, study_code: str, session: SessionDep, actor: WebActor, saved: str = ""
) -> HTMLResponse:
    """The study's serious adverse events, overdue first, and routine deaths to report."""
    context = SafetyContext(
        actor=actor,
        safety=service.study_safety(session, study_code, actor=actor),
        labels=follow_up_labels(),
        saved="reported" if saved == "reported" else "",
    )
    return render(request, "research/safety.html", context)


@router.post("/studies/{study_code}/adverse-events/{sae_id}/reported", name="research:sae-reported")
def sae_reported(
    study_code: str, sae_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> Response:
    """Record that the SAE reached the sponsor now; the list then shows whether it was in time."""
    service.mark_reported(session, study_code, sae_id, actor=actor)
    return redirect(f"/research/studies/{study_code}/safety?saved=reported")
