"""Community pages: MUAC-for-mothers trainings, screenings, referrals and their arrival."""

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep, SettingsDep
from alima.community import service
from alima.community.enums import ReferralStatus, ScreenerType, TrainerRole
from alima.community.errors import CommunityError
from alima.community.schemas import (
    ArrivalCreate,
    PatientLink,
    PlaceOption,
    ReferralClose,
    ReferralRead,
    ScreeningCreate,
    StatisticsFilter,
    TrainingCreate,
)
from alima.core.access import Actor
from alima.core.errors import RuleViolation
from alima.core.i18n import N_, gettext
from alima.core.schemas import PatientCreate
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.nutrition.enums import Oedema
from alima.web.contexts import RegisterContext
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
from alima.web.form_pages import Asked, FormPage, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, enum_options, is_forbidden, is_refusal, submit
from alima.web.params import PlacePeriodFilter, SearchText
from alima.web.rendering import render, show
from alima.web.routes.nutrition.card import ADMISSION, AdmissionPost, admission_page
from alima.web.routes.patients import REGISTER, RegisterPost, find_patients

router = APIRouter(prefix="/community", default_response_class=HTMLResponse)

#: An unknown place is said on the form.
TRAINING = WebForm(TrainingCreate, error_page=is_forbidden)
SCREENING = WebForm(
    ScreeningCreate, omit=("referral_place_code", "patient_id"), error_page=is_forbidden
)
#: A referral outside the scope is the error page, whatever the field. The child is linked
#: from the arrival page (registered or found by a search), never by typing an identifier.
ARRIVAL = WebForm(
    ArrivalCreate, omit=("nutrition_episode_id", "patient_identifier"), error_page=is_refusal
)
CLOSE = WebForm(ReferralClose, error_page=is_refusal)
LINK = WebForm(PatientLink, error_page=is_refusal)


def _oedema_options() -> list[Option]:
    return [Option(value=o.value, text=gettext(o.label)) for o in Oedema]


#: Candidates shown by the search of the arrival page.
CANDIDATES = 10


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
    closed: int = 0,
) -> HTMLResponse:
    """A screening and its referral."""
    result = service.get_screening(session, screening_id, actor=actor)
    places = service.form_places(session, actor=actor)
    context = ScreeningContext(
        actor=actor,
        screening=result,
        just_saved=saved == 1,
        just_arrived=arrived == 1,
        just_closed=closed == 1,
        can_complete=result.referral is not None
        and not result.deleted
        and bool(_arrivals([result.referral], places)),
        can_follow=result.referral is not None
        and not result.deleted
        and result.referral.status == ReferralStatus.COMPLETED
        and result.referral.place_code in {p.code for p in places},
    )
    return render(request, "community/screening.html", context)


@router.get("/referrals", name="community:referrals")
def referrals(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep
) -> HTMLResponse:
    """Referred children the health centre is waiting for, oldest first."""
    pending = service.pending_referrals(
        session, actor=actor, close_after_days=settings.referral_close_after_days
    )
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


def _arrival(
    asked: Asked[uuid.UUID], values: dict[str, str], *, q: str = "", just: str = ""
) -> ArrivalContext:
    """The referral's page at the health centre: arrival, child's record, admission, closing."""
    context = _arrival_context(asked.request, values, asked.actor)
    context.action = f"/community/referrals/{asked.key}/arrival"
    referral = service.arrival_form(
        asked.session,
        asked.key,
        actor=asked.actor,
        close_after_days=asked.settings.referral_close_after_days,
    )
    context.referral = referral
    context.q = q
    context.just = just
    if q.strip() and referral.patient_id is None:
        found = find_patients(asked.session, asked.actor, q, limit=CANDIDATES)
        context.candidates = found.items if found else []
    return context


ARRIVAL_PAGE = FormView(
    "community/arrival.html", _arrival, key=("referral_id", uuid.UUID), context_first=False
)


@router.get("/referrals/{referral_id}/arrival", name="community:arrival_form")
def arrival_form(
    request: Request,
    referral_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    q: SearchText = "",
    done: Annotated[str, Query(max_length=20, pattern=r"^[a-z]*$")] = "",
) -> HTMLResponse:
    """The referred child arrived: measure the arm again, register or find the child, admit."""
    start = {"oedema": "none", "arrived_on": today().isoformat()}
    asked = Asked(request, session, actor, referral_id)
    return render(request, ARRIVAL_PAGE.template, _arrival(asked, start, q=q, just=done))


def _back(done: str) -> Callable[[Asked[uuid.UUID], object], str]:
    return lambda asked, _: f"/community/referrals/{asked.key}/arrival?done={done}"


# Complete the referral; link a registered child, found by the search of the arrival page.
RecordForm(ARRIVAL, ARRIVAL_PAGE, keyed(service.record_arrival), _back("arrival")).post(
    router, "/referrals/{referral_id}/arrival", "community:arrival_post"
)
RecordForm(LINK, ARRIVAL_PAGE, keyed(service.link_patient), _back("linked")).post(
    router, "/referrals/{referral_id}/patient", "community:link_post"
)
# Close a referral whose child never arrived, with the reason.
RecordForm(
    CLOSE,
    ARRIVAL_PAGE,
    lambda a, data: service.close_not_arrived(
        a.session, a.key, data, actor=a.actor, after_days=a.settings.referral_close_after_days
    ),
    lambda _, closed: f"/community/screenings/{closed.screening_id}?closed=1",
).post(router, "/referrals/{referral_id}/close", "community:close_post")


def _register_page(
    session: SessionDep,
    actor: Actor,
    referral_id: uuid.UUID,
    posted: Posted | None,
) -> tuple[RegisterContext, Posted]:
    referral, start = service.register_form_values(session, referral_id, actor=actor)
    context = RegisterContext(
        actor=actor,
        places=patient_service.registration_places(session, actor=actor),
        values=posted.values if posted else start,
        action=f"/community/referrals/{referral_id}/register",
        referral_child=referral.child_name,
    )
    return context, posted or Posted(start, status=200)


@router.get("/referrals/{referral_id}/register", name="community:register_form")
def register_form(
    request: Request, referral_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Register the referred child, the form filled from the community screening."""
    context, posted = _register_page(session, actor, referral_id, None)
    return show(request, "patients/register.html", context, posted)


@router.post("/referrals/{referral_id}/register", name="community:register_post")
def register_post(
    request: Request,
    referral_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: RegisterPost,
) -> Response:
    """Register the child and link it to the referral, or show the form or the duplicates."""
    context, _ = _register_page(session, actor, referral_id, posted)

    def save(data: PatientCreate) -> str:
        service.register_referred_child(session, referral_id, data, actor=actor)
        return f"/community/referrals/{referral_id}/arrival?done=registered"

    try:
        return submit(
            REGISTER,
            posted,
            save,
            lambda p: show(request, "patients/register.html", context, p),
        )
    except patient_service.DuplicateSuspected as exc:
        context.duplicate_message = exc.warning.message
        context.duplicates = exc.warning.candidates
        return render(request, "patients/register.html", context, status_code=409)


def _referred_patient(session: SessionDep, actor: Actor, referral_id: uuid.UUID) -> ReferralRead:
    referral = service.arrival_form(session, referral_id, actor=actor)
    if referral.patient_id is None:
        raise RuleViolation(CommunityError.COM_012)
    return referral


@router.get("/referrals/{referral_id}/admit", name="community:admit_form")
def admit_form(
    request: Request,
    referral_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
) -> HTMLResponse:
    """Admit the referred child, the form filled with the arm measured at arrival."""
    referral = _referred_patient(session, actor, referral_id)
    start = {
        "admitted_on": (referral.arrived_on or today()).isoformat(),
        "protocol_code": settings.nutrition_default_protocol,
        "oedema": (referral.arrival_oedema or Oedema.NONE).value,
    }
    if referral.arrival_muac_mm is not None:
        start["muac_mm"] = str(referral.arrival_muac_mm)
    assert referral.patient_id is not None  # noqa: S101 - checked by _referred_patient
    return admission_page(
        request,
        actor,
        referral.patient_id,
        session,
        Posted(start, status=200),
        action=f"/community/referrals/{referral_id}/admit",
    )


@router.post("/referrals/{referral_id}/admit", name="community:admit_post")
def admit_post(
    request: Request,
    referral_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: AdmissionPost,
) -> Response:
    """Admit the child; the referral keeps the episode. The card opens for the first visit."""
    referral = _referred_patient(session, actor, referral_id)
    patient_id = referral.patient_id
    assert patient_id is not None  # noqa: S101 - checked by _referred_patient

    def page(posted: Posted) -> HTMLResponse:
        return admission_page(
            request,
            actor,
            patient_id,
            session,
            posted,
            action=f"/community/referrals/{referral_id}/admit",
        )

    return submit(
        ADMISSION,
        posted,
        lambda data: service.admit_referred_child(session, referral_id, data, actor=actor),
        page,
        then=lambda result: f"/nutrition/episodes/{result.episode_id}?saved=1",
        patient_id=patient_id,
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
