"""Care pages: a patient's records, consultation (IMCI), maternal health, surgery, mobile clinics.

Patient-level pages sit under ``/patients/{patient_id}/...`` so the access walk covers them;
a refused form comes back filled in with each error next to its field.
"""

import uuid
from datetime import date
from typing import Annotated

from babel.dates import format_date
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from alima.api.deps import SessionDep
from alima.care.catalogue import default_catalogue
from alima.care.enums import (
    Anaesthesia,
    Attendant,
    DangerSign,
    DeliveryMode,
    DeliverySetting,
    MalariaTreatment,
    MobileService,
    MotherOutcome,
    NewbornOutcome,
    PostnatalStatus,
    RdtResult,
    SurgeryIndication,
    SurgeryOutcome,
)
from alima.care.rules import imci
from alima.care.schemas import (
    EARLIEST,
    AntenatalCreate,
    CareFormRead,
    ConsultationCreate,
    DeliveryCreate,
    DisplacedPopulationCreate,
    MobileSessionCreate,
    NewbornRegister,
    PostnatalCreate,
    SurgeryCreate,
    SurgeryFilter,
)
from alima.care.service import consultations, maternal, mobile, records, surgery
from alima.core.access import Permission
from alima.core.errors import AlimaError
from alima.core.i18n import N_, get_locale, gettext
from alima.core.schemas import PatientFilter
from alima.core.service import patients as patient_service
from alima.core.types import LATEST_DATE
from alima.nutrition.enums import Oedema
from alima.web.contexts_treat import (
    CareFormContext,
    CareHomeContext,
    ConsultationContext,
    FormContext,
    MobileContext,
    Option,
    PatientCareContext,
    SurgeryLogContext,
)
from alima.web.deps import WebActor
from alima.web.forms_treat import checked, enum_options, filled, parse, rule_errors, values_of
from alima.web.rendering import redirect, render

router = APIRouter()

NOT_FOUND = 404
DANGER_FIELDS = {f"danger_{sign.value}": sign for sign in DangerSign}


def _form_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    if form.default_place_code:
        values.setdefault("place_code", form.default_place_code)
    return CareFormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        form=form,
        options={"place_code": [Option(p.code, p.name) for p in form.places]},
    )


# --- care home and a patient's records ------------------------------------------------------


@router.get("/care", response_class=HTMLResponse, name="care:home")
def home(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Find the patient to record care for."""
    results = (
        patient_service.search_patients(session, PatientFilter(q=q), actor=actor)
        if q.strip()
        else None
    )
    return render(request, "care/home.html", CareHomeContext(actor=actor, q=q, results=results))


@router.get("/patients/{patient_id}/care", response_class=HTMLResponse, name="care:patient")
def patient_care(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    """Every care record of a patient, with links to record more."""
    context = PatientCareContext(
        actor=actor,
        care=records.patient_care(session, patient_id, actor=actor),
        can_record=actor.can(Permission.PATIENT_WRITE),
        saved=saved or None,
    )
    return render(request, "care/patient.html", context)


class NewbornForm(BaseModel):
    """Register a baby of a delivery, as posted from the mother's care record."""

    delivery_id: str = ""
    position: str = ""
    given_name: str = ""


@router.post(
    "/patients/{patient_id}/newborns", response_class=HTMLResponse, name="care:newborn_post"
)
def register_newborn(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    form: Annotated[NewbornForm, Form()],
) -> Response:
    """Register a baby born alive as a patient in one step, then open the baby's page."""
    try:
        data = NewbornRegister.model_validate(
            {
                "patient_id": patient_id,
                "delivery_id": form.delivery_id.strip()[:60],
                "position": form.position.strip()[:2] or "1",
                "given_name": form.given_name.strip()[:200],
            }
        )
        baby = maternal.register_newborn(session, data, actor=actor)
    except ValidationError:
        error = gettext(N_("Give the baby's first name."))
    except AlimaError as exc:
        if exc.status in {403, 404}:  # refused or outside scope: the error page
            raise
        error = exc.message
    else:
        return redirect(f"/patients/{baby.id}")
    context = PatientCareContext(
        actor=actor,
        care=records.patient_care(session, patient_id, actor=actor),
        can_record=actor.can(Permission.PATIENT_WRITE),
        saved=None,
        error=error,
    )
    return render(request, "care/patient.html", context, status_code=422)


# --- consultation ---------------------------------------------------------------------------


class ConsultationForm(BaseModel):
    """The consultation form as posted."""

    place_code: str = ""
    consulted_on: str = ""
    weight_kg: str = ""
    temperature_c: str = ""
    fever_history: str = ""
    danger_unable_to_drink: str = ""
    danger_vomits_everything: str = ""
    danger_convulsions: str = ""
    danger_lethargic: str = ""
    danger_convulsing_now: str = ""
    cough: str = ""
    breaths_per_minute: str = ""
    chest_indrawing: str = ""
    stridor: str = ""
    stiff_neck: str = ""
    rdt_result: str = ""
    malaria_treatment: str = ""
    muac_mm: str = ""
    oedema: str = ""
    diagnosis_1: str = ""
    diagnosis_2: str = ""
    diagnosis_3: str = ""
    referred: str = ""
    referred_to: str = ""
    note: str = ""


CONSULTATION_TEXT = (
    "place_code",
    "consulted_on",
    "weight_kg",
    "temperature_c",
    "breaths_per_minute",
    "rdt_result",
    "malaria_treatment",
    "muac_mm",
    "oedema",
    "referred_to",
    "note",
)
CONSULTATION_FLAGS = (
    "fever_history",
    "cough",
    "chest_indrawing",
    "stridor",
    "stiff_neck",
    "referred",
)


def _consultation_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = _form_context(request, actor, form, values)
    locale = get_locale()
    diagnoses = [
        Option(d.code, f"{d.label(locale)} ({d.code})") for d in default_catalogue().diagnosis
    ]
    context.options |= {
        "rdt_result": enum_options(RdtResult),
        "malaria_treatment": enum_options(MalariaTreatment),
        "oedema": [Option(o.value, gettext(o.label)) for o in Oedema],
        "diagnosis_1": diagnoses,
        "diagnosis_2": diagnoses,
        "diagnosis_3": diagnoses,
        "danger": [Option(f"danger_{s.value}", s.value) for s in DangerSign],
    }
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


def _consultation_payload(patient_id: uuid.UUID, values: dict[str, str]) -> dict[str, object]:
    payload: dict[str, object] = filled(values, CONSULTATION_TEXT)
    payload |= {name: True for name in CONSULTATION_FLAGS if checked(values, name)}
    payload["patient_id"] = patient_id
    payload["danger_signs"] = [s for name, s in DANGER_FIELDS.items() if checked(values, name)]
    payload["diagnoses"] = [
        values[name].strip()
        for name in ("diagnosis_1", "diagnosis_2", "diagnosis_3")
        if values.get(name, "").strip()
    ]
    return payload


def _diagnosis_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors on ``diagnoses`` (or one of its items) show under the first diagnosis."""
    result: dict[str, str] = {}
    for key, message in errors.items():
        result.setdefault("diagnosis_1" if key.startswith("diagnoses") else key, message)
    return result


@router.get(
    "/patients/{patient_id}/consultations/new",
    response_class=HTMLResponse,
    name="care:consultation_form",
)
def consultation_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """The consultation form: triage, malaria, MUAC, diagnoses, referral."""
    form = consultations.consultation_form(session, patient_id, actor=actor)
    values = {"rdt_result": RdtResult.NOT_DONE.value, "oedema": Oedema.NONE.value}
    context = _consultation_context(request, actor, form, values)
    return render(request, "care/consultation_form.html", context)


@router.post(
    "/patients/{patient_id}/consultations/new",
    response_class=HTMLResponse,
    name="care:consultation_post",
)
def consultation_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[ConsultationForm, Form()],
) -> Response:
    """Save the consultation and show the triage, or the form again with its errors."""
    values = values_of(posted)
    data, errors = parse(ConsultationCreate, _consultation_payload(patient_id, values))
    if data is not None:
        try:
            saved = consultations.record_consultation(session, data, actor=actor)
        except AlimaError as exc:
            if exc.status == NOT_FOUND and not exc.context.get("field"):
                raise
            errors = rule_errors(exc)
        else:
            return redirect(f"/care/consultations/{saved.id}?saved=1")
    form = consultations.consultation_form(session, patient_id, actor=actor)
    context = _consultation_context(request, actor, form, values)
    context.errors = _diagnosis_errors(errors)
    return render(request, "care/consultation_form.html", context, status_code=422)


@router.get(
    "/care/consultations/{consultation_id}",
    response_class=HTMLResponse,
    name="care:consultation",
)
def consultation(
    request: Request,
    consultation_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    saved: int = 0,
) -> HTMLResponse:
    """A consultation: the triage, what to do now, warnings."""
    result = consultations.get_consultation(session, consultation_id, actor=actor)
    context = ConsultationContext(actor=actor, consultation=result, just_saved=saved == 1)
    return render(request, "care/consultation.html", context)


# --- maternal health ------------------------------------------------------------------------


class AntenatalForm(BaseModel):
    """The antenatal form as posted."""

    place_code: str = ""
    visited_on: str = ""
    gestational_age_weeks: str = ""
    systolic_mmhg: str = ""
    diastolic_mmhg: str = ""
    temperature_c: str = ""
    muac_mm: str = ""
    iptp_dose: str = ""
    iron_folic_acid: str = ""
    bednet_given: str = ""
    referred: str = ""
    note: str = ""


@router.get(
    "/patients/{patient_id}/antenatal/new",
    response_class=HTMLResponse,
    name="care:antenatal_form",
)
def antenatal_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record an antenatal visit."""
    form = maternal.maternal_form(session, patient_id, actor=actor, form="antenatal")
    return render(request, "care/antenatal_form.html", _form_context(request, actor, form, {}))


@router.post(
    "/patients/{patient_id}/antenatal/new",
    response_class=HTMLResponse,
    name="care:antenatal_post",
)
def antenatal_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[AntenatalForm, Form()],
) -> Response:
    """Save the antenatal visit, or show the form again with its errors."""
    values = values_of(posted)
    payload = filled(
        values,
        (
            "place_code",
            "visited_on",
            "gestational_age_weeks",
            "systolic_mmhg",
            "diastolic_mmhg",
            "temperature_c",
            "muac_mm",
            "iptp_dose",
            "note",
        ),
    )
    payload |= {
        n: True for n in ("iron_folic_acid", "bednet_given", "referred") if checked(values, n)
    }
    data, errors = parse(AntenatalCreate, {**payload, "patient_id": patient_id})
    if data is not None:
        try:
            maternal.record_antenatal_visit(session, data, actor=actor)
        except AlimaError as exc:
            if exc.status == NOT_FOUND and not exc.context.get("field"):
                raise
            errors = rule_errors(exc)
        else:
            return redirect(f"/patients/{patient_id}/care?saved=antenatal_visit")
    form = maternal.maternal_form(session, patient_id, actor=actor, form="antenatal")
    context = _form_context(request, actor, form, values)
    context.errors = errors
    return render(request, "care/antenatal_form.html", context, status_code=422)


class DeliveryForm(BaseModel):
    """The delivery form as posted (up to three babies on the page)."""

    place_code: str = ""
    delivered_on: str = ""
    setting: str = ""
    attendant: str = ""
    mode: str = ""
    mother_outcome: str = ""
    baby1_outcome: str = ""
    baby1_sex: str = ""
    baby1_weight: str = ""
    baby2_outcome: str = ""
    baby2_sex: str = ""
    baby2_weight: str = ""
    baby3_outcome: str = ""
    baby3_sex: str = ""
    baby3_weight: str = ""
    note: str = ""


BABIES = (1, 2, 3)


def _delivery_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = _form_context(request, actor, form, values)
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


def _delivery_payload(patient_id: uuid.UUID, values: dict[str, str]) -> dict[str, object]:
    payload: dict[str, object] = filled(
        values,
        ("place_code", "delivered_on", "setting", "attendant", "mode", "mother_outcome", "note"),
    )
    babies = []
    for n in BABIES:
        if values.get(f"baby{n}_outcome", "").strip():
            baby = {"outcome": values[f"baby{n}_outcome"].strip()}
            baby |= {
                key: values[f"baby{n}_{name}"].strip()
                for key, name in (("sex", "sex"), ("birth_weight_g", "weight"))
                if values.get(f"baby{n}_{name}", "").strip()
            }
            babies.append(baby)
    return {**payload, "patient_id": patient_id, "newborns": babies}


def _delivery_errors(errors: dict[str, str]) -> dict[str, str]:
    """``newborns.0.birth_weight_g`` shows under the first baby's weight, and so on."""
    names = {"outcome": "outcome", "sex": "sex", "birth_weight_g": "weight"}
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


@router.get(
    "/patients/{patient_id}/deliveries/new",
    response_class=HTMLResponse,
    name="care:delivery_form",
)
def delivery_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record a delivery."""
    form = maternal.maternal_form(session, patient_id, actor=actor, form="delivery")
    values = {
        "setting": DeliverySetting.FACILITY.value,
        "mode": DeliveryMode.SPONTANEOUS_VAGINAL.value,
        "mother_outcome": MotherOutcome.WELL.value,
        "baby1_outcome": NewbornOutcome.LIVE_BIRTH.value,
    }
    context = _delivery_context(request, actor, form, values)
    return render(request, "care/delivery_form.html", context)


@router.post(
    "/patients/{patient_id}/deliveries/new",
    response_class=HTMLResponse,
    name="care:delivery_post",
)
def delivery_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[DeliveryForm, Form()],
) -> Response:
    """Save the delivery, or show the form again with its errors."""
    values = values_of(posted)
    data, errors = parse(DeliveryCreate, _delivery_payload(patient_id, values))
    if data is not None:
        try:
            maternal.record_delivery(session, data, actor=actor)
        except AlimaError as exc:
            if exc.status == NOT_FOUND and not exc.context.get("field"):
                raise
            errors = rule_errors(exc)
        else:
            return redirect(f"/patients/{patient_id}/care?saved=delivery")
    form = maternal.maternal_form(session, patient_id, actor=actor, form="delivery")
    context = _delivery_context(request, actor, form, values)
    context.errors = _delivery_errors(errors)
    return render(request, "care/delivery_form.html", context, status_code=422)


class PostnatalForm(BaseModel):
    """The postnatal form as posted."""

    place_code: str = ""
    visited_on: str = ""
    delivery_id: str = ""
    mother_status: str = ""
    newborn_status: str = ""
    exclusive_breastfeeding: str = ""
    family_planning: str = ""
    note: str = ""


def _postnatal_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = _form_context(request, actor, form, values)
    context.options |= {
        "mother_status": enum_options(PostnatalStatus),
        "newborn_status": enum_options(PostnatalStatus),
        "delivery_id": [Option(str(d.id), d.delivered_on.isoformat()) for d in form.deliveries],
    }
    return context


@router.get(
    "/patients/{patient_id}/postnatal/new",
    response_class=HTMLResponse,
    name="care:postnatal_form",
)
def postnatal_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record a postnatal visit."""
    form = maternal.maternal_form(session, patient_id, actor=actor, form="postnatal")
    values = {"mother_status": "pnc_well", "newborn_status": "pnc_well"}
    if form.deliveries:
        values["delivery_id"] = str(form.deliveries[0].id)
    context = _postnatal_context(request, actor, form, values)
    return render(request, "care/postnatal_form.html", context)


@router.post(
    "/patients/{patient_id}/postnatal/new",
    response_class=HTMLResponse,
    name="care:postnatal_post",
)
def postnatal_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[PostnatalForm, Form()],
) -> Response:
    """Save the postnatal visit, or show the form again with its errors."""
    values = values_of(posted)
    payload = filled(
        values,
        ("place_code", "visited_on", "delivery_id", "mother_status", "newborn_status", "note"),
    )
    payload |= {
        n: True for n in ("exclusive_breastfeeding", "family_planning") if checked(values, n)
    }
    data, errors = parse(PostnatalCreate, {**payload, "patient_id": patient_id})
    if data is not None:
        try:
            maternal.record_postnatal_visit(session, data, actor=actor)
        except AlimaError as exc:
            if exc.status == NOT_FOUND and not exc.context.get("field"):
                raise
            errors = rule_errors(exc)
        else:
            return redirect(f"/patients/{patient_id}/care?saved=postnatal_visit")
    form = maternal.maternal_form(session, patient_id, actor=actor, form="postnatal")
    context = _postnatal_context(request, actor, form, values)
    context.errors = errors
    return render(request, "care/postnatal_form.html", context, status_code=422)


# --- surgery --------------------------------------------------------------------------------


class SurgeryForm(BaseModel):
    """The surgery form as posted."""

    place_code: str = ""
    operated_on: str = ""
    procedure: str = ""
    indication: str = ""
    indication_detail: str = ""
    emergency: str = ""
    anaesthesia: str = ""
    outcome: str = ""
    surgeon: str = ""
    note: str = ""


def _surgery_context(
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = _form_context(request, actor, form, values)
    locale = get_locale()
    context.options |= {
        "procedure": [Option(p.code, p.label(locale)) for p in default_catalogue().procedure],
        "indication": enum_options(SurgeryIndication),
        "anaesthesia": enum_options(Anaesthesia),
        "outcome": enum_options(SurgeryOutcome),
    }
    return context


@router.get(
    "/patients/{patient_id}/surgeries/new",
    response_class=HTMLResponse,
    name="care:surgery_form",
)
def surgery_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Add an operation to the emergency surgery log."""
    form = surgery.surgery_form(session, patient_id, actor=actor)
    values = {"emergency": "yes", "outcome": "recovering"}
    return render(request, "care/surgery_form.html", _surgery_context(request, actor, form, values))


@router.post(
    "/patients/{patient_id}/surgeries/new",
    response_class=HTMLResponse,
    name="care:surgery_post",
)
def surgery_post(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[SurgeryForm, Form()],
) -> Response:
    """Save the operation, or show the form again with its errors."""
    values = values_of(posted)
    payload = filled(
        values,
        (
            "place_code",
            "operated_on",
            "procedure",
            "indication",
            "indication_detail",
            "anaesthesia",
            "outcome",
            "surgeon",
            "note",
        ),
    )
    payload["emergency"] = checked(values, "emergency")
    data, errors = parse(SurgeryCreate, {**payload, "patient_id": patient_id})
    if data is not None:
        try:
            surgery.record_surgery(session, data, actor=actor)
        except AlimaError as exc:
            if exc.status == NOT_FOUND and not exc.context.get("field"):
                raise
            errors = rule_errors(exc)
        else:
            return redirect(f"/patients/{patient_id}/care?saved=surgery")
    form = surgery.surgery_form(session, patient_id, actor=actor)
    context = _surgery_context(request, actor, form, values)
    context.errors = errors
    return render(request, "care/surgery_form.html", context, status_code=422)


@router.get("/care/surgeries", response_class=HTMLResponse, name="care:surgery_log")
def surgery_log(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    place_code: Annotated[str, Query(max_length=60, pattern=r"^[A-Za-z0-9_.-]*$")] = "",
    start: Annotated[date | None, Query(ge=EARLIEST, le=LATEST_DATE)] = None,
    end: Annotated[date | None, Query(ge=EARLIEST, le=LATEST_DATE)] = None,
) -> HTMLResponse:
    """The emergency surgery log of the hospitals in your places."""
    rows, first, last = surgery.surgery_log(
        session,
        SurgeryFilter.model_validate(
            {"place_code": place_code or None, "start": start, "end": end}
        ),
        actor=actor,
    )
    context = SurgeryLogContext(
        actor=actor, surgeries=rows, start=first, end=last, place_code=place_code
    )
    return render(request, "care/surgery_log.html", context)


# --- mobile clinics and displacement sites --------------------------------------------------


@router.get("/care/mobile", response_class=HTMLResponse, name="care:mobile")
def mobile_overview(
    request: Request, session: SessionDep, actor: WebActor, saved: int = 0
) -> HTMLResponse:
    """Displacement sites: displaced population by month, mobile-clinic sessions."""
    result, months = mobile.overview(session, actor=actor)
    context = MobileContext(
        actor=actor,
        overview=result,
        month_labels=[format_date(m, "MMM yyyy", locale=get_locale()) for m in months],
        can_record=actor.can(Permission.PATIENT_WRITE),
        saved=saved == 1,
    )
    return render(request, "care/mobile.html", context)


class SessionForm(BaseModel):
    """The mobile-clinic session form as posted."""

    site_code: str = ""
    mobile_clinic_code: str = ""
    held_on: str = ""
    team: str = ""
    people_reached: str = ""
    consultations: str = ""
    children_screened: str = ""
    service_consultations: str = ""
    service_nutrition_screening: str = ""
    service_nutrition_treatment: str = ""
    service_antenatal_care: str = ""
    service_vaccination: str = ""
    service_malaria_testing: str = ""
    service_health_promotion: str = ""
    service_referrals: str = ""
    note: str = ""


def _session_context(
    request: Request, session: SessionDep, actor: WebActor, values: dict[str, str]
) -> FormContext:
    sites, clinics = mobile.form_options(session, actor=actor)
    return FormContext(
        actor=actor,
        action=str(request.url.path),
        values=values,
        options={
            "site_code": [Option(p.code, p.name) for p in sites],
            "mobile_clinic_code": [Option(p.code, p.name) for p in clinics],
            "services": [
                Option(f"service_{s.value}", text.text)
                for s, text in zip(MobileService, enum_options(MobileService), strict=True)
            ],
        },
    )


@router.get("/care/mobile/sessions/new", response_class=HTMLResponse, name="care:session_form")
def session_form(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Record a mobile-clinic session at a displacement site."""
    context = _session_context(request, session, actor, {"service_consultations": "yes"})
    return render(request, "care/session_form.html", context)


@router.post("/care/mobile/sessions/new", response_class=HTMLResponse, name="care:session_post")
def session_post(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[SessionForm, Form()],
) -> Response:
    """Save the session, or show the form again with its errors."""
    values = values_of(posted)
    context = _session_context(request, session, actor, values)
    payload = filled(
        values,
        (
            "site_code",
            "mobile_clinic_code",
            "held_on",
            "team",
            "people_reached",
            "consultations",
            "children_screened",
            "note",
        ),
    )
    payload["services"] = [s for s in MobileService if checked(values, f"service_{s.value}")]
    data, context.errors = parse(MobileSessionCreate, payload)
    if data is None:
        return render(request, "care/session_form.html", context, status_code=422)
    try:
        mobile.record_session(session, data, actor=actor)
    except AlimaError as exc:
        context.errors = rule_errors(exc)
        return render(request, "care/session_form.html", context, status_code=exc.status)
    return redirect("/care/mobile?saved=1")


class PopulationForm(BaseModel):
    """The displaced-population form as posted."""

    site_code: str = ""
    counted_on: str = ""
    individuals: str = ""
    households: str = ""
    source: str = ""


@router.get("/care/mobile/population/new", response_class=HTMLResponse, name="care:population_form")
def population_form(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Record the displaced population counted at a site."""
    context = _session_context(request, session, actor, {})
    return render(request, "care/population_form.html", context)


@router.post(
    "/care/mobile/population/new", response_class=HTMLResponse, name="care:population_post"
)
def population_post(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    posted: Annotated[PopulationForm, Form()],
) -> Response:
    """Save the count, or show the form again with its errors."""
    values = values_of(posted)
    context = _session_context(request, session, actor, values)
    data, context.errors = parse(
        DisplacedPopulationCreate,
        filled(values, ("site_code", "counted_on", "individuals", "households", "source")),
    )
    if data is None:
        return render(request, "care/population_form.html", context, status_code=422)
    try:
        mobile.record_population(session, data, actor=actor)
    except AlimaError as exc:
        context.errors = rule_errors(exc)
        return render(request, "care/population_form.html", context, status_code=exc.status)
    return redirect("/care/mobile?saved=1")
