"""Care forms of one patient, each one ``PatientForm`` that makes its page and its post.

Consultation (IMCI), antenatal visit, delivery, postnatal visit, operation.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep
from alima.care.catalogue import default_catalogue
from alima.care.enums import (
    Anaesthesia,
    Attendant,
    DangerSign,
    DeliveryMode,
    DeliverySetting,
    MalariaTreatment,
    MotherOutcome,
    NewbornOutcome,
    PostnatalStatus,
    RdtResult,
    SurgeryIndication,
    SurgeryOutcome,
)
from alima.care.rules import imci
from alima.care.schemas import (
    AntenatalCreate,
    CareFormRead,
    ConsultationCreate,
    DeliveryCreate,
    PostnatalCreate,
    SurgeryCreate,
)
from alima.care.service import consultations, maternal, surgery
from alima.core.access import Actor
from alima.core.i18n import N_, get_locale, gettext
from alima.nutrition.enums import Oedema
from alima.web.contexts_treat import CareFormContext, Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, enum_options, submit
from alima.web.rendering import render, show

router = APIRouter(default_response_class=HTMLResponse)

S = TypeVar("S", bound=BaseModel)
ContextOf = Callable[[Request, Actor, CareFormRead, dict[str, str]], CareFormContext]


def form_context(
    request: Request, actor: Actor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    """A care form of one patient, its place chosen when there is only one."""
    if form.default_place_code:
        values.setdefault("place_code", form.default_place_code)
    return CareFormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        form=form,
        options={"place_code": [Option(p.code, p.name) for p in form.places]},
    )


@dataclass(frozen=True)
class PatientForm(Generic[S]):
    """One care form of a patient: ``care:<name>_form`` shows it, ``care:<name>_post`` saves it."""

    name: str
    path: str
    #: What the page is for (its route's summary).
    summary: str
    form: WebForm[S]
    #: The patient's form data (an audited read that refuses a patient out of scope).
    load: Callable[[Session, uuid.UUID, Actor], CareFormRead]
    #: Record the posted form; the URL to go to next.
    save: Callable[[Session, S, Actor], str]
    #: What the empty form shows.
    start: Callable[[CareFormRead], dict[str, str]]
    context_of: ContextOf = form_context
    #: Where each error shows (list items under their inputs).
    errors_of: Callable[[dict[str, str]], dict[str, str]] = dict

    @property
    def template(self) -> str:
        """The form's template."""
        return f"care/{self.name}_form.html"

    def show(
        self, request: Request, session: Session, actor: Actor, patient_id: uuid.UUID
    ) -> HTMLResponse:
        """The empty form."""
        form = self.load(session, patient_id, actor)
        return render(
            request, self.template, self.context_of(request, actor, form, self.start(form))
        )

    def post(
        self,
        request: Request,
        session: Session,
        actor: Actor,
        patient_id: uuid.UUID,
        posted: Posted,
    ) -> Response:
        """Save the form, or show it again with its errors."""

        def page(posted: Posted) -> HTMLResponse:
            form = self.load(session, patient_id, actor)
            context = self.context_of(request, actor, form, posted.values)
            posted.errors = self.errors_of(posted.errors)
            return show(request, self.template, context, posted)

        def save(data: S) -> str:
            return self.save(session, data, actor)

        return submit(self.form, posted, save, page, patient_id=patient_id)


def add(spec: "PatientForm[Any]") -> None:
    """Register the page and the post of ``spec`` on the router."""

    def form_page(
        request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
    ) -> HTMLResponse:
        return spec.show(request, session, actor, patient_id)

    def form_post(
        request: Request,
        patient_id: uuid.UUID,
        session: SessionDep,
        actor: WebActor,
        posted: Annotated[Posted, Depends(spec.form)],
    ) -> Response:
        return spec.post(request, session, actor, patient_id, posted)

    form_page.__doc__, form_post.__doc__ = spec.summary, f"Save: {spec.summary.lower()}"
    for endpoint, method, suffix in ((form_page, "GET", "form"), (form_post, "POST", "post")):
        router.add_api_route(
            spec.path, endpoint, methods=[method], name=f"care:{spec.name}_{suffix}"
        )


# --- consultation ---------------------------------------------------------------------------


DANGER_FIELDS = {f"danger_{sign.value}": sign for sign in DangerSign}
DIAGNOSES = ("diagnosis_1", "diagnosis_2", "diagnosis_3")


def _lists(posted: Posted) -> dict[str, object]:
    """Danger signs are one checkbox each, diagnoses three selects."""
    return {
        "danger_signs": [s for name, s in DANGER_FIELDS.items() if posted.checked(name)],
        "diagnoses": [posted.text(name) for name in DIAGNOSES if posted.text(name)],
    }


CONSULTATION = WebForm(
    ConsultationCreate,
    given=("patient_id",),
    extra=(*DANGER_FIELDS, *DIAGNOSES),
    compose=_lists,
    rule_status=422,
)


def _consultation_context(
    request: Request, actor: Actor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    locale = get_locale()
    diagnoses = [
        Option(d.code, f"{d.label(locale)} ({d.code})") for d in default_catalogue().diagnosis
    ]
    context.options |= {
        "rdt_result": enum_options(RdtResult),
        "malaria_treatment": enum_options(MalariaTreatment),
        "oedema": [Option(o.value, gettext(o.label)) for o in Oedema],
        "danger": [Option(f"danger_{s.value}", s.value) for s in DangerSign],
    }
    context.options |= dict.fromkeys(DIAGNOSES, diagnoses)
    threshold = imci.fast_breathing_threshold(form.patient_age_months)
    context.hints = {
        "temperature_c": gettext(N_("30 to 44 °C; fever from 37.5 °C.")),
        "breaths_per_minute": (
            gettext(
                N_("Count for a full minute. Fast at this age: {rate}/min or more."), rate=threshold
            )
            if threshold
            else gettext(N_("Count for a full minute."))
        ),
        "muac_mm": gettext(N_("50 to 300 mm; required from 6 to 59 months.")),
        "weight_kg": gettext(N_("0.5 to 250 kg.")),
    }
    return context


def _diagnosis_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors on ``diagnoses`` (or one of its items) show under the first diagnosis."""
    result: dict[str, str] = {}
    for key, message in errors.items():
        result.setdefault("diagnosis_1" if key.startswith("diagnoses") else key, message)
    return result


# --- maternal health ------------------------------------------------------------------------


BABIES = (1, 2, 3)
#: Each baby's fields on the delivery page, and the newborn field each one fills.
BABY_FIELDS = {"outcome": "outcome", "sex": "sex", "weight": "birth_weight_g"}


def _newborns(posted: Posted) -> dict[str, object]:
    """Up to three babies on the page; a baby counts once its outcome is chosen."""
    babies = [
        {
            key: posted.text(f"baby{n}_{name}")
            for name, key in BABY_FIELDS.items()
            if posted.text(f"baby{n}_{name}")
        }
        for n in BABIES
        if posted.text(f"baby{n}_outcome")
    ]
    return {"newborns": babies}


ANTENATAL = WebForm(AntenatalCreate, given=("patient_id",), rule_status=422)
DELIVERY = WebForm(
    DeliveryCreate,
    given=("patient_id",),
    extra=tuple(f"baby{n}_{name}" for n in BABIES for name in BABY_FIELDS),
    compose=_newborns,
    rule_status=422,
)
POSTNATAL = WebForm(PostnatalCreate, given=("patient_id",), rule_status=422)


def _delivery_context(
    request: Request, actor: Actor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    sexes = [Option("F", gettext(N_("Girl"))), Option("M", gettext(N_("Boy")))]
    context.options |= {
        "setting": enum_options(DeliverySetting),
        "attendant": enum_options(Attendant),
        "mode": enum_options(DeliveryMode),
        "mother_outcome": enum_options(MotherOutcome),
    }
    for n in BABIES:
        context.options[f"baby{n}_outcome"] = enum_options(NewbornOutcome)
        context.options[f"baby{n}_sex"] = sexes
    return context


def _delivery_errors(errors: dict[str, str]) -> dict[str, str]:
    """``newborns.0.birth_weight_g`` shows under the first baby's weight, and so on."""
    names = {key: name for name, key in BABY_FIELDS.items()}
    result: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        target = key
        if parts[0] == "newborns" and len(parts) == 3 and parts[1].isdigit():  # noqa: PLR2004
            target = f"baby{int(parts[1]) + 1}_{names.get(parts[2], 'outcome')}"
        elif parts[0] in {"newborns", "babies"}:
            target = "baby1_outcome"
        result.setdefault(target, message)
    return result


def _postnatal_context(
    request: Request, actor: Actor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    context.options |= {
        "mother_status": enum_options(PostnatalStatus),
        "newborn_status": enum_options(PostnatalStatus),
        "delivery_id": [Option(str(d.id), d.delivered_on.isoformat()) for d in form.deliveries],
    }
    return context


# --- surgery --------------------------------------------------------------------------------


SURGERY = WebForm(SurgeryCreate, given=("patient_id",), rule_status=422)


def _surgery_context(
    request: Request, actor: Actor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    locale = get_locale()
    context.options |= {
        "procedure": [Option(p.code, p.label(locale)) for p in default_catalogue().procedure],
        "indication": enum_options(SurgeryIndication),
        "anaesthesia": enum_options(Anaesthesia),
        "outcome": enum_options(SurgeryOutcome),
    }
    return context


# --- the forms ------------------------------------------------------------------------------


def _consultation_saved(session: Session, data: ConsultationCreate, actor: Actor) -> str:
    saved = consultations.record_consultation(session, data, actor=actor)
    return f"/care/consultations/{saved.id}?saved=1"


def _recorded(record: Callable[..., object], kind: str) -> Callable[[Session, Any, Actor], str]:
    """Record with ``record``, then back to the patient's care record saying what was saved."""

    def save(session: Session, data: Any, actor: Actor) -> str:
        record(session, data, actor=actor)
        return f"/patients/{data.patient_id}/care?saved={kind}"

    return save


def _maternal(kind: str) -> Callable[[Session, uuid.UUID, Actor], CareFormRead]:
    return lambda session, patient_id, actor: maternal.maternal_form(
        session, patient_id, actor=actor, form=kind
    )


def _postnatal_start(form: CareFormRead) -> dict[str, str]:
    values = {"mother_status": "pnc_well", "newborn_status": "pnc_well"}
    if form.deliveries:
        values["delivery_id"] = str(form.deliveries[0].id)
    return values


FORMS: list[PatientForm[Any]] = [
    PatientForm(
        "consultation",
        "/patients/{patient_id}/consultations/new",
        "The consultation form: triage, malaria, MUAC, diagnoses, referral.",
        CONSULTATION,
        lambda session, patient_id, actor: consultations.consultation_form(
            session, patient_id, actor=actor
        ),
        _consultation_saved,
        lambda _: {"rdt_result": RdtResult.NOT_DONE.value, "oedema": Oedema.NONE.value},
        _consultation_context,
        _diagnosis_errors,
    ),
    PatientForm(
        "antenatal",
        "/patients/{patient_id}/antenatal/new",
        "Record an antenatal visit.",
        ANTENATAL,
        _maternal("antenatal"),
        _recorded(maternal.record_antenatal_visit, "antenatal_visit"),
        lambda _: {},
    ),
    PatientForm(
        "delivery",
        "/patients/{patient_id}/deliveries/new",
        "Record a delivery.",
        DELIVERY,
        _maternal("delivery"),
        _recorded(maternal.record_delivery, "delivery"),
        lambda _: {
            "setting": DeliverySetting.FACILITY.value,
            "mode": DeliveryMode.SPONTANEOUS_VAGINAL.value,
            "mother_outcome": MotherOutcome.WELL.value,
            "baby1_outcome": NewbornOutcome.LIVE_BIRTH.value,
        },
        _delivery_context,
        _delivery_errors,
    ),
    PatientForm(
        "postnatal",
        "/patients/{patient_id}/postnatal/new",
        "Record a postnatal visit.",
        POSTNATAL,
        _maternal("postnatal"),
        _recorded(maternal.record_postnatal_visit, "postnatal_visit"),
        _postnatal_start,
        _postnatal_context,
    ),
    PatientForm(
        "surgery",
        "/patients/{patient_id}/surgeries/new",
        "Add an operation to the emergency surgery log.",
        SURGERY,
        lambda session, patient_id, actor: surgery.surgery_form(session, patient_id, actor=actor),
        _recorded(surgery.record_surgery, "surgery"),
        lambda _: {"emergency": "yes", "outcome": "recovering"},
        _surgery_context,
    ),
]
for _spec in FORMS:
    add(_spec)
