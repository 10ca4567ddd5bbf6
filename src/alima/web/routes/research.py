"""Research pages: studies, a study's dashboard, one child in a study (consent, randomisation)."""

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor
from alima.core.i18n import N_, gettext
from alima.core.time import today
from alima.nutrition.enums import Oedema
from alima.research import service
from alima.research.enums import (
    ConsentMethod,
    EventStatus,
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
    StudyVisitCreate,
    WithdrawalCreate,
)
from alima.web.contexts_research import (
    ChildStudyContext,
    MissedContext,
    ParticipantsContext,
    SafetyContext,
    StudiesContext,
    StudyContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, is_refusal, submit
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
        may_export=service.export_allowed(session, study_code, actor=actor),
    )
    return render(request, "research/study.html", context)


# --- one child in one study -----------------------------------------------------------------

CONSENT = WebForm(ConsentCreate, error_page=is_refusal)
DECLINE = WebForm(DeclineCreate, error_page=is_refusal)
WITHDRAWAL = WebForm(WithdrawalCreate, error_page=is_refusal)


def _options(panel: PatientStudy) -> dict[str, list[Option]]:
    return {
        "form_id": [Option(str(f.id), f"{f.language.upper()} · v{f.version}") for f in panel.forms],
        "method": [Option(m.value, gettext(text)) for m, text in METHODS.items()],
        "use": [Option(u.value, gettext(text)) for u, text in USES.items()],
        "reason": [Option(r.value, gettext(text)) for r, text in DECLINES.items()],
    } | _follow_up_options()


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
    shown = saved if saved in {*SAVES, "randomised"} else ""
    context = _child_context(session, actor, patient_id, study_code, saved=shown)
    return render(request, "research/child.html", context)


#: The service that records each form of the child's study page.
SAVES: dict[str, Callable[..., object]] = {
    "consent": service.record_consent,
    "decline": service.decline,
    "withdrawal": service.withdraw,
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


# --- exports for analysis and the researchers' list (pseudonymised) -------------------------


def _download(file: service.ExportFile) -> Response:
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"content-disposition": f'attachment; filename="{file.filename}"'},
    )


@router.get("/studies/{study_code}/export.zip", name="research:export_csv")
def export_csv(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> Response:
    """The study's data for analysis as CSV files with their dictionary (audited)."""
    secret = settings.secret_key.get_secret_value()
    return _download(service.export_study(session, study_code, "csv", actor=actor, secret=secret))


@router.get("/studies/{study_code}/export.xml", name="research:export_odm")
def export_odm(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> Response:
    """The study's data for analysis as one CDISC ODM 1.3.2 document (audited)."""
    secret = settings.secret_key.get_secret_value()
    return _download(service.export_study(session, study_code, "odm", actor=actor, secret=secret))


@router.get("/studies/{study_code}/participants", name="research:participants")
def participants(
    request: Request,
    study_code: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
) -> HTMLResponse:
    """The study's included children under their research ids (never a name)."""
    secret = settings.secret_key.get_secret_value()
    listed = service.participants(session, study_code, actor=actor, secret=secret)
    return render(
        request, "research/participants.html", ParticipantsContext(actor, participants=listed)
    )


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
SAVES |= {
    "study-visit": service.record_study_visit,
    "adverse-event": service.report_adverse_event,
}


@router.post("/studies/{study_code}/patients/{patient_id}/study-visit", name="research:study-visit")
def study_visit(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(STUDY_VISIT)],
) -> Response:
    """Record a study visit for a due event that routine care left without measures."""
    return _post(
        request, session, actor, study_code, patient_id, posted, STUDY_VISIT, "study-visit"
    )


@router.post(
    "/studies/{study_code}/patients/{patient_id}/adverse-events", name="research:adverse-event"
)
def adverse_event(
    request: Request,
    study_code: str,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(ADVERSE_EVENT)],
) -> Response:
    """Record a serious adverse event; its report to the sponsor is then due."""
    return _post(
        request, session, actor, study_code, patient_id, posted, ADVERSE_EVENT, "adverse-event"
    )


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
