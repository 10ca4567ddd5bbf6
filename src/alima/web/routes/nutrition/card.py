"""A child in CMAM: the caseload, admission, the child's card (visits, referral decision, exit)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor, Permission
from alima.core.errors import AlimaError
from alima.core.i18n import N_, gettext
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import Oedema, Outcome, ReferralDecision
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import available_protocols
from alima.nutrition.schemas import (
    AdmissionCreate,
    EpisodeRead,
    ExitCreate,
    ReferralResolve,
    VisitCreate,
)
from alima.research import service as research_service
from alima.web import nutrition_format as fmt
from alima.web.contexts import (
    AdmissionContext,
    CaseloadContext,
    EpisodeContext,
    ExitContext,
    VisitRow,
)
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.params import PlaceCode
from alima.web.rendering import render, show
from alima.web.templating import fmt_date

router = APIRouter(default_response_class=HTMLResponse)
#: An episode named in the path.
EPISODE_KEY = ("episode_id", uuid.UUID)

S = TypeVar("S", bound=BaseModel)

#: A posted value is shown again up to this length.
SHOWN = 200


def oedema_choices() -> list[tuple[str, str]]:
    """The oedema grades with their labels."""
    return [(o.value, fmt.oedema_label(o.value)) for o in Oedema]


def rule_errors(exc: AlimaError) -> dict[str, str]:
    """A refused rule under its field; unusual measurements under each one, and above."""
    errors = {str(exc.context.get("field", "__all__")): exc.message}
    fields = exc.context.get("fields")
    if exc.code is NutritionError.NUT_016 and isinstance(fields, list):
        errors = {str(f): exc.message for f in fields}
        errors["__all__"] = exc.message
    return errors


def needs_confirmation(posted: Posted) -> bool:
    """Whether the nurse is asked to confirm unusual measurements."""
    return posted.refusal is not None and posted.refusal.code is NutritionError.NUT_016


def measurement_form(schema: type[S], *, given: tuple[str, ...] = ()) -> WebForm[S]:
    """A form with the measurement fields (decimal commas welcome, oedema none by default)."""
    return WebForm(
        schema,
        given=given,
        omit=("place_code",),
        defaults={"oedema": Oedema.NONE.value},
        kept=SHOWN,
        decimal_comma=True,
        refused=rule_errors,
        error_page=is_refusal,
    )


ADMISSION = measurement_form(AdmissionCreate, given=("patient_id",))


AdmissionPost = Annotated[Posted, Depends(ADMISSION)]


@router.get("/nutrition", name="nutrition:caseload")
def caseload(
    request: Request, session: SessionDep, actor: WebActor, site: PlaceCode = ""
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
        can_trace=actor.can(Permission.PATIENT_READ),
    )
    return render(request, "nutrition/caseload.html", context)


def admission_page(
    request: Request,
    actor: Actor,
    patient_id: uuid.UUID,
    session: SessionDep,
    posted: Posted,
    *,
    action: str = "",
) -> HTMLResponse:
    """The admission form of a patient, posting to ``action`` (default: the patient's)."""
    patient = patient_service.get_patient(session, patient_id, actor=actor)
    context = AdmissionContext(
        actor=actor,
        patient=patient,
        protocols=[
            (p.code, f"{fmt.protocol_title(p.title)} (v{p.version})") for p in available_protocols()
        ],
        oedema_choices=oedema_choices(),
        values=posted.values,
        needs_confirmation=needs_confirmation(posted),
        action=action or f"/patients/{patient_id}/nutrition/admit",
    )
    return show(request, "nutrition/admit.html", context, posted)


_admission_page = admission_page


@router.get("/patients/{patient_id}/nutrition/admit", name="nutrition:admit")
def admission_form(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
) -> HTMLResponse:
    """The admission form for a registered child."""
    protocol = settings.nutrition_default_protocol
    start = {"admitted_on": today().isoformat(), "protocol_code": protocol, "oedema": "none"}
    return _admission_page(request, actor, patient_id, session, Posted(start, status=200))


@router.post("/patients/{patient_id}/nutrition/admit", name="nutrition:admit_post")
def admit(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: AdmissionPost,
) -> Response:
    """Admit, or show the form again with the reason in the nurse's language."""

    def save(data: AdmissionCreate) -> str:
        result = service.admit_child(session, data, actor=actor)
        return f"/nutrition/episodes/{result.episode_id}?saved=1"

    def page(posted: Posted) -> HTMLResponse:
        return _admission_page(request, actor, patient_id, session, posted)

    return submit(ADMISSION, posted, save, page, patient_id=patient_id)


EXIT_OUTCOMES = (
    Outcome.DIED,
    Outcome.MEDICAL_TRANSFER,
    Outcome.TRANSFER_OUT,
    Outcome.DEFAULTED,
    Outcome.NON_RESPONDER,
    Outcome.CURED,
)


def _on_card(exc: AlimaError) -> dict[str, str]:
    """A refused decision shows next to its field and at the top of the card."""
    return {str(exc.context.get("field", "__all__")): exc.message, "__all__": exc.message}


def _on_exit(exc: AlimaError) -> dict[str, str]:
    return {"__all__": exc.message} | rule_errors(exc)


def _choice_form(
    schema: type[S], refused: Callable[[AlimaError], dict[str, str]], choice: str, message: str
) -> WebForm[S]:
    """A form of an episode deciding one ``choice``; ``message`` when none is chosen."""
    return WebForm(
        schema, kept=SHOWN, refused=refused, error_page=is_refusal, messages={choice: message}
    )


VISIT = measurement_form(VisitCreate)
REFERRAL = _choice_form(
    ReferralResolve, _on_card, "decision", N_("Choose the decision on the referral.")
)
#: No outcome is chosen for the nurse.
EXIT = _choice_form(ExitCreate, _on_exit, "outcome", N_("Choose how the treatment ended."))
Visit = Annotated[Posted, Depends(VISIT)]
Referral = Annotated[Posted, Depends(REFERRAL)]
#: The referral's fields on the card are named ``referral_*``.
REFERRAL_PREFIX = "referral_"


def _episode_context(
    actor: Actor, e: EpisodeRead, *, just_saved: bool = False, values: dict[str, str] | None = None
) -> EpisodeContext:
    rows = [
        VisitRow(
            visit_on=fmt_date(v.visit_on),
            kind=gettext("Admission") if v.is_admission else gettext("Visit"),
            weight=fmt.number(v.weight_kg) if v.weight_kg is not None else "",
            muac=str(v.muac_mm) if v.muac_mm is not None else "",
            oedema=v.oedema.symbol or "—",
            zwfl=fmt.number(v.zwfl) if v.zwfl is not None else "",
            band=fmt.band_label(v.band),
            band_class=fmt.BAND_CLASS.get(v.band, ""),
            sachets=str(v.sachets_given),
            alerts=fmt.alert_labels(v.alerts),
        )
        for v in e.visits
    ]
    return EpisodeContext(
        actor=actor,
        episode=e,
        band=fmt.band_label(e.band),
        band_class=fmt.BAND_CLASS.get(e.band, ""),
        criteria=fmt.criteria_labels(e.admission_criteria),
        severity=fmt.severity_label(e.severity),
        outcome=fmt.outcome_label(e.outcome),
        rows=rows,
        chart=fmt.trajectory(e),
        ration=fmt.ration_view(e.current_ration),
        last_alerts=fmt.alert_labels(e.visits[-1].alerts) if e.visits else [],
        just_saved=just_saved,
        can_write=actor.can(Permission.PATIENT_WRITE)
        and (e.status == "open" or e.late_entry_before is not None),
        oedema_choices=oedema_choices(),
        values=values or {"visit_on": today().isoformat(), "oedema": "none"},
        awaited=fmt.awaited_lines(e.awaited),
        referral_pending=e.status == "open" and e.referred_on is not None,
        referral_choices=[
            (d.value, fmt.label(ReferralDecision, d.value)) for d in ReferralDecision
        ],
    )


# --- the child's card and visits ----------------------------------------------------------------


@router.get("/nutrition/episodes/{episode_id}", name="nutrition:episode")
def episode(
    request: Request, episode_id: uuid.UUID, session: SessionDep, actor: WebActor, saved: int = 0
) -> HTMLResponse:
    """The child's card: trajectory, visits, current ration and the visit form."""
    e = service.get_episode(session, episode_id, actor=actor)
    context = _episode_context(actor, e, just_saved=saved == 1)
    context.studies = research_service.study_panel(session, e.patient_id, actor=actor)
    return render(request, "nutrition/episode.html", context)


@dataclass(frozen=True)
class CardForm(Generic[S]):
    """A form of the child's card: saved, the card shows the result; refused, the card again."""

    form: WebForm[S]
    #: Record the form with the service (session, episode id, data, actor).
    save: Callable[..., object]
    #: Put the refused form's values and errors on the card.
    shown: Callable[[EpisodeContext, Posted], None]

    def post(
        self,
        request: Request,
        session: Session,
        actor: Actor,
        episode_id: uuid.UUID,
        posted: Posted,
    ) -> Response:
        """Save the form, or show the card again with the form's errors."""

        def page(posted: Posted) -> HTMLResponse:
            e = service.get_episode(session, episode_id, actor=actor)
            context = _episode_context(actor, e)
            self.shown(context, posted)
            return show(request, "nutrition/episode.html", context, posted)

        return submit(
            self.form,
            posted,
            lambda data: self.save(session, episode_id, data, actor=actor),
            page,
            then=f"/nutrition/episodes/{episode_id}?saved=1#result",
        )


def _visit_shown(context: EpisodeContext, posted: Posted) -> None:
    context.values = posted.values or context.values
    context.needs_confirmation = needs_confirmation(posted)


def _referral_shown(context: EpisodeContext, posted: Posted) -> None:
    """The referral's fields on the card are named ``referral_*``."""
    context.values |= {REFERRAL_PREFIX + k: v for k, v in posted.values.items()}
    if not posted.refusal:
        posted.errors = {REFERRAL_PREFIX + k: v for k, v in posted.errors.items()}


VISIT_CARD = CardForm(VISIT, service.record_visit, _visit_shown)
REFERRAL_CARD = CardForm(REFERRAL, service.resolve_referral, _referral_shown)


@router.post("/nutrition/episodes/{episode_id}/visits", name="nutrition:visit_post")
def visit(
    request: Request, episode_id: uuid.UUID, session: SessionDep, actor: WebActor, posted: Visit
) -> Response:
    """Save a visit; on success the card shows band, dose and next date."""
    return VISIT_CARD.post(request, session, actor, episode_id, posted)


@router.post("/nutrition/episodes/{episode_id}/referral", name="nutrition:referral_post")
def referral(
    request: Request, episode_id: uuid.UUID, session: SessionDep, actor: WebActor, posted: Referral
) -> Response:
    """Record the medical transfer of a referred child, or keep the child with a reason."""
    return REFERRAL_CARD.post(request, session, actor, episode_id, posted)


def _exit_context(asked: Asked[uuid.UUID], values: dict[str, str]) -> ExitContext:
    return ExitContext(
        actor=asked.actor,
        episode=service.get_episode(asked.session, asked.key, actor=asked.actor),
        outcomes=[(o.value, fmt.outcome_label(o.value)) for o in EXIT_OUTCOMES],
        values=values,
    )


RecordForm(
    EXIT,
    FormView("nutrition/exit.html", _exit_context, EPISODE_KEY, context_first=False),
    keyed(service.exit_episode),
    lambda a, _: f"/nutrition/episodes/{a.key}",
    start=lambda _: {"closed_on": today().isoformat()},
).add(
    router,
    "/nutrition/episodes/{episode_id}/exit",
    ("nutrition:exit", "nutrition:exit_post"),
    "Close an episode (death, transfer, default...).",
)
