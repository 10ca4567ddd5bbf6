"""Community pages: MUAC-for-mothers trainings, screenings, referrals and their arrival."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.community import service
from alima.community.enums import ReferralStatus, ScreenerType, TrainerRole
from alima.community.schemas import (
    ArrivalCreate,
    PlaceOption,
    ReferralRead,
    ScreeningCreate,
    StatisticsFilter,
    TrainingCreate,
)
from alima.core.access import Actor
from alima.core.i18n import N_, gettext
from alima.nutrition.enums import Oedema
from alima.web.contexts_treat import (
    ArrivalContext,
    CommunityContext,
    FormContext,
    Option,
    ReferralsContext,
    ScreeningContext,
    StatisticsContext,
)
from alima.web.deps import WebActor
from alima.web.forms import (
    FormPage,
    Posted,
    WebForm,
    enum_options,
    is_forbidden,
    is_refusal,
    submit,
)
from alima.web.params import PlacePeriodFilter
from alima.web.rendering import render, show

router = APIRouter(prefix="/community", default_response_class=HTMLResponse)

#: An unknown place is said on the form.
TRAINING = WebForm(TrainingCreate, error_page=is_forbidden)
SCREENING = WebForm(
    ScreeningCreate, omit=("referral_place_code", "patient_id"), error_page=is_forbidden
)
#: A referral outside the scope is the error page, whatever the field.
ARRIVAL = WebForm(ArrivalCreate, omit=("nutrition_episode_id",), error_page=is_refusal)


def _oedema_options() -> list[Option]:
    return [Option(value=o.value, text=gettext(o.label)) for o in Oedema]


ArrivalPost = Annotated[Posted, Depends(ARRIVAL)]


def _arrivals(referrals: list[ReferralRead], places: list[PlaceOption]) -> frozenset[uuid.UUID]:
    """The pending referrals among ``referrals`` sent to one of ``places`` (where one writes)."""
    codes = {p.code for p in places}
    return frozenset(
        r.id for r in referrals if r.status == ReferralStatus.PENDING and r.place_code in codes
    )


@router.get("", name="community:overview")
def overview(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Referrals waiting for a child, latest screenings and trainings."""
    result = service.overview(session, actor=actor)
    context = CommunityContext(
        actor=actor,
        overview=result,
        can_screen=bool(result.places),
        can_train=bool(service.training_places(session, actor=actor)),
        arrivals=_arrivals(result.pending_referrals, result.places),
    )
    return render(request, "community/overview.html", context)


def _place_form(
    request: Request,
    places: list[PlaceOption],
    actor: Actor,
    values: dict[str, str],
    **options: list[Option],
) -> FormContext:
    """A community form, its place chosen when there is only one."""
    if len(places) == 1:
        values.setdefault("place_code", places[0].code)
    return FormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        options={"place_code": [Option(p.code, p.name) for p in places], **options},
    )


def _training_context(
    request: Request, session: SessionDep, actor: Actor, values: dict[str, str]
) -> FormContext:
    places = service.training_places(session, actor=actor)
    return _place_form(request, places, actor, values, trainer_role=enum_options(TrainerRole))


FormPage(
    TRAINING,
    "community/training.html",
    _training_context,
    lambda session, data, actor: service.record_training(session, data, actor=actor),
    then="/community?saved=training",
    start={"trainer_role": "chw"},
).add(
    router,
    "/trainings/new",
    ("community:training_form", "community:training_post"),
    "Record a MUAC-for-mothers training session.",
)


def _screening_context(
    request: Request, session: SessionDep, actor: Actor, values: dict[str, str]
) -> FormContext:
    return _place_form(
        request,
        service.form_places(session, actor=actor),
        actor,
        values,
        screener_type=enum_options(ScreenerType),
        oedema=_oedema_options(),
        child_sex=[Option("F", gettext(N_("Female"))), Option("M", gettext(N_("Male")))],
    )


FormPage(
    SCREENING,
    "community/screening_form.html",
    _screening_context,
    lambda session, data, actor: service.record_screening(session, data, actor=actor),
    then=lambda saved: f"/community/screenings/{saved.id}?saved=1",
    start={"screener_type": "mother", "oedema": "none"},
).add(
    router,
    "/screenings/new",
    ("community:screening_form", "community:screening_post"),
    "Record a child's MUAC measured by a mother, a community health worker or staff"
    " (a referral is issued when the rules call for one).",
)


@router.get("/screenings/{screening_id}", name="community:screening")
def screening(
    request: Request,
    screening_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: int = 0,
    arrived: int = 0,
) -> HTMLResponse:
    """A screening and its referral."""
    result = service.get_screening(session, screening_id, actor=actor)
    context = ScreeningContext(
        actor=actor,
        screening=result,
        just_saved=saved == 1,
        just_arrived=arrived == 1,
        can_complete=result.referral is not None
        and not result.deleted
        and bool(_arrivals([result.referral], service.form_places(session, actor=actor))),
    )
    return render(request, "community/screening.html", context)


@router.get("/referrals", name="community:referrals")
def referrals(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Referred children the health centre is waiting for, oldest first."""
    pending = service.pending_referrals(session, actor=actor)
    context = ReferralsContext(
        actor=actor,
        referrals=pending,
        arrivals=_arrivals(pending, service.form_places(session, actor=actor)),
    )
    return render(request, "community/referrals.html", context)


def _arrival_context(request: Request, values: dict[str, str], actor: WebActor) -> ArrivalContext:
    return ArrivalContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        options={
            "oedema": _oedema_options(),
            "admitted": [Option("yes", gettext(N_("Yes"))), Option("no", gettext(N_("No")))],
        },
    )


@router.get("/referrals/{referral_id}/arrival", name="community:arrival_form")
def arrival_form(
    request: Request, referral_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """The referred child arrived: measure the arm again and decide."""
    context = _arrival_context(request, {"oedema": "none"}, actor)
    context.referral = service.arrival_form(session, referral_id, actor=actor)
    return render(request, "community/arrival.html", context)


@router.post("/referrals/{referral_id}/arrival", name="community:arrival_post")
def arrival_post(
    request: Request,
    referral_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: ArrivalPost,
) -> Response:
    """Complete the referral, or show the form again with its errors."""

    def page(posted: Posted) -> HTMLResponse:
        context = _arrival_context(request, posted.values, actor)
        context.referral = service.arrival_form(session, referral_id, actor=actor)
        return show(request, "community/arrival.html", context, posted)

    return submit(
        ARRIVAL,
        posted,
        lambda data: service.record_arrival(session, referral_id, data, actor=actor),
        page,
        then=lambda done: f"/community/screenings/{done.screening_id}?arrived=1",
    )


@router.get("/statistics", name="community:statistics")
def statistics(
    request: Request, session: SessionDep, actor: WebActor, period: PlacePeriodFilter
) -> HTMLResponse:
    """Screenings, referrals, completion and MUAC agreement of a place (aggregates only)."""
    criteria = StatisticsFilter.model_validate(period.criteria())
    result = service.statistics(session, criteria, actor=actor)
    places = service.form_places(session, actor=actor)
    context = StatisticsContext(
        actor=actor,
        statistics=result,
        places=[Option(p.code, p.name) for p in places],
    )
    return render(request, "community/statistics.html", context)
