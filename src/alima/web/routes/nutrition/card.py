"""The child's card: trajectory and visits, the visit form, the referral decision, the exit."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.core.access import Actor, Permission
from alima.core.errors import AlimaError
from alima.core.i18n import N_, gettext
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import Outcome, ReferralDecision
from alima.nutrition.schemas import EpisodeRead, ExitCreate, ReferralResolve, VisitCreate
from alima.web import nutrition_format as fmt
from alima.web.contexts import EpisodeContext, ExitContext, VisitRow
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, is_refusal, submit
from alima.web.rendering import render
from alima.web.routes.nutrition.common import (
    SHOWN,
    measurement_form,
    needs_confirmation,
    oedema_choices,
    rule_errors,
)

router = APIRouter()

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


VISIT = measurement_form(VisitCreate)
REFERRAL = WebForm(
    ReferralResolve,
    kept=SHOWN,
    refused=_on_card,
    error_page=is_refusal,
    messages={"decision": N_("Choose the decision on the referral.")},
)
#: No outcome is chosen for the nurse.
EXIT = WebForm(
    ExitCreate,
    kept=SHOWN,
    refused=_on_exit,
    error_page=is_refusal,
    messages={"outcome": N_("Choose how the treatment ended.")},
)
#: The referral's fields on the card are named ``referral_*``.
REFERRAL_PREFIX = "referral_"


def _episode_context(
    actor: Actor, e: EpisodeRead, *, just_saved: bool = False, values: dict[str, str] | None = None
) -> EpisodeContext:
    rows = [
        VisitRow(
            visit_on=f"{v.visit_on:%d/%m/%Y}",
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


@router.get(
    "/nutrition/episodes/{episode_id}", response_class=HTMLResponse, name="nutrition:episode"
)
def episode(
    request: Request, episode_id: uuid.UUID, session: SessionDep, actor: WebActor, saved: int = 0
) -> HTMLResponse:
    """The child's card: trajectory, visits, current ration and the visit form."""
    e = service.get_episode(session, episode_id, actor=actor)
    return render(
        request, "nutrition/episode.html", _episode_context(actor, e, just_saved=saved == 1)
    )


@router.post(
    "/nutrition/episodes/{episode_id}/visits",
    response_class=HTMLResponse,
    name="nutrition:visit_post",
)
def visit(
    request: Request,
    episode_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(VISIT)],
) -> Response:
    """Save a visit; on success the card shows band, dose and next date."""

    def save(data: VisitCreate) -> str:
        service.record_visit(session, episode_id, data, actor=actor)
        return f"/nutrition/episodes/{episode_id}?saved=1#result"

    def page(posted: Posted) -> HTMLResponse:
        e = service.get_episode(session, episode_id, actor=actor)
        context = _episode_context(actor, e, values=posted.values)
        context.errors, context.needs_confirmation = posted.errors, needs_confirmation(posted)
        return render(request, "nutrition/episode.html", context, status_code=posted.status)

    return submit(VISIT, posted, save, page)


@router.post(
    "/nutrition/episodes/{episode_id}/referral",
    response_class=HTMLResponse,
    name="nutrition:referral_post",
)
def referral(
    request: Request,
    episode_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(REFERRAL)],
) -> Response:
    """Record the medical transfer of a referred child, or keep the child with a reason."""

    def save(data: ReferralResolve) -> str:
        service.resolve_referral(session, episode_id, data, actor=actor)
        return f"/nutrition/episodes/{episode_id}?saved=1#result"

    def page(posted: Posted) -> HTMLResponse:
        context = _episode_context(actor, service.get_episode(session, episode_id, actor=actor))
        context.values |= {REFERRAL_PREFIX + k: v for k, v in posted.values.items()}
        context.errors = (
            posted.errors
            if posted.refusal
            else {REFERRAL_PREFIX + k: v for k, v in posted.errors.items()}
        )
        return render(request, "nutrition/episode.html", context, status_code=posted.status)

    return submit(REFERRAL, posted, save, page)


@router.get(
    "/nutrition/episodes/{episode_id}/exit", response_class=HTMLResponse, name="nutrition:exit"
)
def exit_form(
    request: Request, episode_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Close an episode (death, transfer, default...)."""
    e = service.get_episode(session, episode_id, actor=actor)
    context = ExitContext(
        actor=actor,
        episode=e,
        outcomes=[(o.value, fmt.outcome_label(o.value)) for o in EXIT_OUTCOMES],
        values={"closed_on": today().isoformat()},
    )
    return render(request, "nutrition/exit.html", context)


@router.post(
    "/nutrition/episodes/{episode_id}/exit", response_class=HTMLResponse, name="nutrition:exit_post"
)
def exit_episode(
    request: Request,
    episode_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[Posted, Depends(EXIT)],
) -> Response:
    """Record the exit, or show the form again with the reason."""

    def save(data: ExitCreate) -> str:
        service.exit_episode(session, episode_id, data, actor=actor)
        return f"/nutrition/episodes/{episode_id}"

    def page(posted: Posted) -> HTMLResponse:
        context = ExitContext(
            actor=actor,
            episode=service.get_episode(session, episode_id, actor=actor),
            outcomes=[(o.value, fmt.outcome_label(o.value)) for o in EXIT_OUTCOMES],
            values=posted.values,
            errors=posted.errors,
        )
        return render(request, "nutrition/exit.html", context, status_code=posted.status)

    return submit(EXIT, posted, save, page)
