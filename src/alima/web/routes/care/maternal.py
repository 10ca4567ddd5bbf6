"""Maternal health forms of one patient: antenatal visit, delivery, postnatal visit."""

import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.care.enums import (
    Attendant,
    DeliveryMode,
    DeliverySetting,
    MotherOutcome,
    NewbornOutcome,
    PostnatalStatus,
)
from alima.care.schemas import AntenatalCreate, CareFormRead, DeliveryCreate, PostnatalCreate
from alima.care.service import maternal
from alima.core.i18n import N_, gettext
from alima.web.contexts_treat import CareFormContext, Option
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, enum_options
from alima.web.rendering import render
from alima.web.routes.care.common import ContextOf, form_context, patient_form_post

router = APIRouter()

BABIES = (1, 2, 3)
#: Each baby's fields on the delivery page, and the newborn field each one fills.
BABY_FIELDS = {"outcome": "outcome", "sex": "sex", "weight": "birth_weight_g"}
Kind = Literal["antenatal", "delivery", "postnatal"]


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
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
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
    request: Request, actor: WebActor, form: CareFormRead, values: dict[str, str]
) -> CareFormContext:
    context = form_context(request, actor, form, values)
    context.options |= {
        "mother_status": enum_options(PostnatalStatus),
        "newborn_status": enum_options(PostnatalStatus),
        "delivery_id": [Option(str(d.id), d.delivered_on.isoformat()) for d in form.deliveries],
    }
    return context


def _page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    patient_id: uuid.UUID,
    kind: Kind,
    values: Callable[[CareFormRead], dict[str, str]],
    context_of: ContextOf = form_context,
) -> HTMLResponse:
    form = maternal.maternal_form(session, patient_id, actor=actor, form=kind)
    context = context_of(request, actor, form, values(form))
    return render(request, f"care/{kind}_form.html", context)


@router.get(
    "/patients/{patient_id}/antenatal/new",
    response_class=HTMLResponse,
    name="care:antenatal_form",
)
def antenatal_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record an antenatal visit."""
    return _page(request, session, actor, patient_id, "antenatal", lambda _: {})


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
    posted: Annotated[Posted, Depends(ANTENATAL)],
) -> Response:
    """Save the antenatal visit, or show the form again with its errors."""

    def save(data: AntenatalCreate) -> str:
        maternal.record_antenatal_visit(session, data, actor=actor)
        return f"/patients/{patient_id}/care?saved=antenatal_visit"

    return patient_form_post(
        request,
        actor,
        patient_id,
        posted,
        form=ANTENATAL,
        template="care/antenatal_form.html",
        load=lambda: maternal.maternal_form(session, patient_id, actor=actor, form="antenatal"),
        save=save,
    )


@router.get(
    "/patients/{patient_id}/deliveries/new",
    response_class=HTMLResponse,
    name="care:delivery_form",
)
def delivery_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record a delivery."""
    values = {
        "setting": DeliverySetting.FACILITY.value,
        "mode": DeliveryMode.SPONTANEOUS_VAGINAL.value,
        "mother_outcome": MotherOutcome.WELL.value,
        "baby1_outcome": NewbornOutcome.LIVE_BIRTH.value,
    }
    return _page(
        request, session, actor, patient_id, "delivery", lambda _: values, _delivery_context
    )


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
    posted: Annotated[Posted, Depends(DELIVERY)],
) -> Response:
    """Save the delivery, or show the form again with its errors."""

    def save(data: DeliveryCreate) -> str:
        maternal.record_delivery(session, data, actor=actor)
        return f"/patients/{patient_id}/care?saved=delivery"

    return patient_form_post(
        request,
        actor,
        patient_id,
        posted,
        form=DELIVERY,
        template="care/delivery_form.html",
        load=lambda: maternal.maternal_form(session, patient_id, actor=actor, form="delivery"),
        save=save,
        context_of=_delivery_context,
        errors_of=_delivery_errors,
    )


def _postnatal_values(form: CareFormRead) -> dict[str, str]:
    values = {"mother_status": "pnc_well", "newborn_status": "pnc_well"}
    if form.deliveries:
        values["delivery_id"] = str(form.deliveries[0].id)
    return values


@router.get(
    "/patients/{patient_id}/postnatal/new",
    response_class=HTMLResponse,
    name="care:postnatal_form",
)
def postnatal_form(
    request: Request, patient_id: uuid.UUID, session: SessionDep, actor: WebActor
) -> HTMLResponse:
    """Record a postnatal visit."""
    return _page(
        request, session, actor, patient_id, "postnatal", _postnatal_values, _postnatal_context
    )


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
    posted: Annotated[Posted, Depends(POSTNATAL)],
) -> Response:
    """Save the postnatal visit, or show the form again with its errors."""

    def save(data: PostnatalCreate) -> str:
        maternal.record_postnatal_visit(session, data, actor=actor)
        return f"/patients/{patient_id}/care?saved=postnatal_visit"

    return patient_form_post(
        request,
        actor,
        patient_id,
        posted,
        form=POSTNATAL,
        template="care/postnatal_form.html",
        load=lambda: maternal.maternal_form(session, patient_id, actor=actor, form="postnatal"),
        save=save,
        context_of=_postnatal_context,
    )
