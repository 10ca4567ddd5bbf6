"""CMAM pages: caseload, admission, the child's card with the visit form, exit, monthly report.

The visit form is built for speed: keyboard only, large inputs, and right after saving the
card shows the band colour, the ration with its arithmetic and the next visit date.
"""

import csv
import io
import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError

from alima.api.deps import SessionDep, SettingsDep
from alima.api.errors import field_errors
from alima.core.access import Actor, Permission
from alima.core.errors import AlimaError
from alima.core.i18n import gettext
from alima.core.service import patients as patient_service
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import AdmissionCriterion, Oedema, Outcome, ReferralDecision
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import available_protocols
from alima.nutrition.schemas import (
    AdmissionCreate,
    EpisodeRead,
    ExitCreate,
    MonthlyReport,
    ReferralResolve,
    VisitCreate,
)
from alima.web import nutrition_format as fmt
from alima.web.contexts import (
    AdmissionContext,
    CaseloadContext,
    EpisodeContext,
    ExitContext,
    ReportContext,
    VisitRow,
)
from alima.web.deps import WebActor
from alima.web.rendering import redirect, render

router = APIRouter()

MEASUREMENT_FIELDS = (
    "weight_kg",
    "height_cm",
    "measure",
    "muac_mm",
    "oedema",
    "temperature_c",
    "appetite_test_passed",
    "danger_signs",
    "complications",
    "confirm_unusual",
    "note",
)
CHECKBOXES = {"danger_signs", "complications", "confirm_unusual", "transfer_in"}
EXIT_OUTCOMES = (
    Outcome.DIED,
    Outcome.MEDICAL_TRANSFER,
    Outcome.TRANSFER_OUT,
    Outcome.DEFAULTED,
    Outcome.NON_RESPONDER,
    Outcome.CURED,
)


class MeasurementForm(BaseModel):
    """The measurement fields as posted (strings; validated by the API schemas)."""

    visit_on: str = ""
    admitted_on: str = ""
    protocol_code: str = ""
    weight_kg: str = ""
    height_cm: str = ""
    measure: str = ""
    muac_mm: str = ""
    oedema: str = "none"
    temperature_c: str = ""
    appetite_test_passed: str = ""
    danger_signs: str = ""
    complications: str = ""
    confirm_unusual: str = ""
    transfer_in: str = ""
    note: str = ""


def _payload(form: MeasurementForm, names: tuple[str, ...]) -> dict[str, object]:
    payload: dict[str, object] = {}
    for name in names:
        raw = str(getattr(form, name)).strip()[:4000]
        if name in CHECKBOXES:
            payload[name] = raw == "yes"
        elif raw:
            payload[name] = (
                raw.replace(",", ".") if name.endswith(("_kg", "_cm", "_c", "_mm")) else raw
            )
    return payload


def _values(form: MeasurementForm) -> dict[str, str]:
    return {k: str(v)[:200] for k, v in form.model_dump().items()}


def _oedema_choices() -> list[tuple[str, str]]:
    return [(o.value, fmt.oedema_label(o.value)) for o in Oedema]


def _rule_errors(exc: AlimaError) -> tuple[dict[str, str], bool]:
    field = str(exc.context.get("field", "__all__"))
    fields = exc.context.get("fields")
    needs_confirmation = exc.code is NutritionError.NUT_016
    errors = {field: exc.message}
    if needs_confirmation and isinstance(fields, list):
        errors = {str(f): exc.message for f in fields}
        errors["__all__"] = exc.message
    return errors, needs_confirmation


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
        oedema_choices=_oedema_choices(),
        values=values or {"visit_on": today().isoformat(), "oedema": "none"},
        awaited=fmt.awaited_lines(e.awaited),
        referral_pending=e.status == "open" and e.referred_on is not None,
        referral_choices=[
            (d.value, fmt.label(ReferralDecision, d.value)) for d in ReferralDecision
        ],
    )


# --- caseload ----------------------------------------------------------------------------------


@router.get("/nutrition", response_class=HTMLResponse, name="nutrition:caseload")
def caseload(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    site: Annotated[str, Query(max_length=60)] = "",
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
    )
    return render(request, "nutrition/caseload.html", context)


# --- admission ---------------------------------------------------------------------------------


def _admission_page(
    request: Request,
    actor: Actor,
    patient_id: uuid.UUID,
    session: SessionDep,
    settings_protocol: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    needs_confirmation: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    patient = patient_service.get_patient(session, patient_id, actor=actor)
    context = AdmissionContext(
        actor=actor,
        patient=patient,
        protocols=[(p.code, f"{p.title} (v{p.version})") for p in available_protocols()],
        oedema_choices=_oedema_choices(),
        values=values
        or {
            "admitted_on": today().isoformat(),
            "protocol_code": settings_protocol,
            "oedema": "none",
        },
        errors=errors or {},
        needs_confirmation=needs_confirmation,
    )
    return render(request, "nutrition/admit.html", context, status_code=status_code)


@router.get(
    "/patients/{patient_id}/nutrition/admit", response_class=HTMLResponse, name="nutrition:admit"
)
def admission_form(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
) -> HTMLResponse:
    """The admission form for a registered child."""
    return _admission_page(request, actor, patient_id, session, settings.nutrition_default_protocol)


@router.post(
    "/patients/{patient_id}/nutrition/admit",
    response_class=HTMLResponse,
    name="nutrition:admit_post",
)
def admit(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    form: Annotated[MeasurementForm, Form()],
) -> Response:
    """Admit, or show the form again with the reason in the nurse's language."""
    values = _values(form)
    payload = _payload(form, (*MEASUREMENT_FIELDS, "admitted_on", "protocol_code", "transfer_in"))
    try:
        data = AdmissionCreate.model_validate({**payload, "patient_id": patient_id})
    except ValidationError as exc:
        return _admission_page(
            request,
            actor,
            patient_id,
            session,
            settings.nutrition_default_protocol,
            values,
            field_errors(list(exc.errors())),
            status_code=422,
        )
    try:
        result = service.admit_child(session, data, actor=actor)
    except AlimaError as exc:
        if exc.status == 404:  # noqa: PLR2004 - outside scope: the error page, not the form
            raise
        errors, confirm = _rule_errors(exc)
        return _admission_page(
            request,
            actor,
            patient_id,
            session,
            settings.nutrition_default_protocol,
            values,
            errors,
            confirm,
            status_code=exc.status,
        )
    return redirect(f"/nutrition/episodes/{result.episode_id}?saved=1")


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
    form: Annotated[MeasurementForm, Form()],
) -> Response:
    """Save a visit; on success the card shows band, dose and next date."""
    values = _values(form)
    payload = _payload(form, (*MEASUREMENT_FIELDS, "visit_on"))
    try:
        data = VisitCreate.model_validate(payload)
        service.record_visit(session, episode_id, data, actor=actor)
    except ValidationError as exc:
        context = _episode_context(
            actor, service.get_episode(session, episode_id, actor=actor), values=values
        )
        context.errors = field_errors(list(exc.errors()))
        return render(request, "nutrition/episode.html", context, status_code=422)
    except AlimaError as exc:
        if exc.status == 404:  # noqa: PLR2004 - outside scope: the error page, not the form
            raise
        context = _episode_context(
            actor, service.get_episode(session, episode_id, actor=actor), values=values
        )
        context.errors, context.needs_confirmation = _rule_errors(exc)
        return render(request, "nutrition/episode.html", context, status_code=exc.status)
    return redirect(f"/nutrition/episodes/{episode_id}?saved=1#result")


class ReferralForm(BaseModel):
    """The referral decision as posted from the child's card."""

    decision: str = ""
    decided_on: str = ""
    note: str = ""


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
    form: Annotated[ReferralForm, Form()],
) -> Response:
    """Record the medical transfer of a referred child, or keep the child with a reason."""
    values = {f"referral_{k}": str(v)[:200] for k, v in form.model_dump().items()}
    payload = {k: v.strip()[:4000] for k, v in form.model_dump().items() if v.strip()}
    errors: dict[str, str] = {}
    try:
        data = ReferralResolve.model_validate(payload)
        service.resolve_referral(session, episode_id, data, actor=actor)
    except ValidationError as exc:
        errors = {f"referral_{k}": v for k, v in field_errors(list(exc.errors())).items()}
        if "referral_decision" in errors:
            errors["referral_decision"] = gettext("Choose the decision on the referral.")
        status_code = 422
    except AlimaError as exc:
        if exc.status == 404:  # noqa: PLR2004 - outside scope: the error page, not the form
            raise
        field = str(exc.context.get("field", "__all__"))
        errors = {field: exc.message, "__all__": exc.message}
        status_code = exc.status
    if errors:
        context = _episode_context(actor, service.get_episode(session, episode_id, actor=actor))
        context.values |= values
        context.errors = errors
        return render(request, "nutrition/episode.html", context, status_code=status_code)
    return redirect(f"/nutrition/episodes/{episode_id}?saved=1#result")


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


class ExitForm(BaseModel):
    """The exit form as posted (no outcome is chosen for the nurse)."""

    outcome: str = ""
    closed_on: str = ""
    transfer_place_code: str = ""
    note: str = ""
    confirm_death: str = ""


@router.post(
    "/nutrition/episodes/{episode_id}/exit", response_class=HTMLResponse, name="nutrition:exit_post"
)
def exit_episode(
    request: Request,
    episode_id: uuid.UUID,
    session: SessionDep,
    actor: WebActor,
    form: Annotated[ExitForm, Form()],
) -> Response:
    """Record the exit, or show the form again with the reason."""
    values = {k: str(v)[:200] for k, v in form.model_dump().items()}
    payload: dict[str, object] = {
        k: v.strip() for k, v in form.model_dump().items() if v.strip() and k != "confirm_death"
    }
    payload["confirm_death"] = form.confirm_death == "yes"
    errors: dict[str, str] = {}
    try:
        service.exit_episode(session, episode_id, ExitCreate.model_validate(payload), actor=actor)
    except ValidationError as exc:
        errors = field_errors(list(exc.errors()))
        if "outcome" in errors:
            errors["outcome"] = gettext("Choose how the treatment ended.")
        status_code = 422
    except AlimaError as exc:
        if exc.status == 404:  # noqa: PLR2004 - outside scope: the error page, not the form
            raise
        errors, _ = _rule_errors(exc)
        errors.setdefault("__all__", exc.message)
        status_code = exc.status
    if errors:
        context = ExitContext(
            actor=actor,
            episode=service.get_episode(session, episode_id, actor=actor),
            outcomes=[(o.value, fmt.outcome_label(o.value)) for o in EXIT_OUTCOMES],
            values=values,
            errors=errors,
        )
        return render(request, "nutrition/exit.html", context, status_code=status_code)
    return redirect(f"/nutrition/episodes/{episode_id}")


# --- monthly report ----------------------------------------------------------------------------


def _report(
    session: SessionDep, actor: Actor, settings: SettingsDep, month: str, place: str, project: str
) -> MonthlyReport:
    return service.monthly_report(
        session,
        month=month,
        place_code=place or None,
        project_code=project or None,
        actor=actor,
        include_medical_transfers=settings.nutrition_rates_include_medical_transfers,
    )


def _last_month() -> str:
    first = today().replace(day=1)
    previous = date.fromordinal(first.toordinal() - 1)
    return f"{previous:%Y-%m}"


@router.get("/nutrition/reports/monthly", response_class=HTMLResponse, name="nutrition:report")
def report_page(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    month: Annotated[str, Query(max_length=7)] = "",
    place: Annotated[str, Query(max_length=60)] = "",
    project: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """The monthly CMAM report of a site or a project, against Sphere standards."""
    month = month or _last_month()
    report = None
    error = None
    if place or project:
        try:
            report = _report(session, actor, settings, month, place, project)
        except AlimaError as exc:
            if exc.status == 404:  # noqa: PLR2004 - outside scope: the error page
                raise
            error = exc.message
    places, projects = service.report_scopes(session, actor=actor)
    context = ReportContext(
        actor=actor,
        sites=places,
        projects=projects,
        place=place,
        project=project,
        month=month,
        report=report,
        criterion_labels={
            c.value: fmt.label(AdmissionCriterion, c.value) for c in AdmissionCriterion
        },
        outcome_labels={o.value: fmt.outcome_label(o.value) for o in Outcome},
        error=error,
    )
    return render(request, "nutrition/report.html", context, status_code=422 if error else 200)


def report_rows(report: MonthlyReport) -> list[tuple[str, str]]:
    """The report as (indicator, value) rows, in the reader's language (CSV and XLSX)."""
    rows: list[tuple[str, str]] = [
        (gettext("Scope"), report.scope_name),
        (gettext("Month"), report.month),
        (gettext("In treatment at start of month"), str(report.at_start)),
    ]
    rows += [
        (
            gettext("New admissions: %(criterion)s")
            % {"criterion": fmt.label(AdmissionCriterion, c)},
            str(n),
        )
        for c, n in report.admissions_by_criterion.items()
    ]
    rows += [
        (gettext("Relapses"), str(report.relapses)),
        (gettext("Transfers in"), str(report.transfers_in)),
        (gettext("Total admissions"), str(report.total_admissions)),
    ]
    rows += [
        (gettext("Exits: %(outcome)s") % {"outcome": fmt.outcome_label(o)}, str(n))
        for o, n in report.exits_by_outcome.items()
    ]
    rows += [
        (gettext("Total exits"), str(report.total_exits)),
        (gettext("In treatment at end of month"), str(report.at_end)),
    ]
    rows += [
        (
            gettext("%(outcome)s rate (%%)") % {"outcome": fmt.outcome_label(r.outcome)},
            "" if r.rate is None else f"{r.rate}",
        )
        for r in report.rates
    ]
    rows += [
        (
            gettext("Average length of stay (days)"),
            ""
            if report.average_length_of_stay_days is None
            else str(report.average_length_of_stay_days),
        ),
        (
            gettext("RUTF sachets per child cured"),
            ""
            if report.rutf_sachets_per_child_cured is None
            else str(report.rutf_sachets_per_child_cured),
        ),
        (gettext("Sachets given this month"), str(report.rutf_sachets_given)),
        (gettext("RUTF sachets needed next month"), str(report.next_month_rutf_sachets)),
    ]
    return rows


def _filename(report: MonthlyReport, extension: str) -> str:
    return f"cmam-{report.scope_code}-{report.month}.{extension}"


@router.get("/nutrition/reports/monthly.csv", name="nutrition:report_csv")
def report_csv(
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    month: Annotated[str, Query(max_length=7)],
    place: Annotated[str, Query(max_length=60)] = "",
    project: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The monthly report as CSV."""
    report = _report(session, actor, settings, month, place, project)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([gettext("Indicator"), gettext("Value")])
    writer.writerows(report_rows(report))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{_filename(report, "csv")}"'},
    )


@router.get("/nutrition/reports/monthly.xlsx", name="nutrition:report_xlsx")
def report_xlsx(
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    month: Annotated[str, Query(max_length=7)],
    place: Annotated[str, Query(max_length=60)] = "",
    project: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The monthly report as an Excel workbook."""
    from openpyxl import Workbook

    report = _report(session, actor, settings, month, place, project)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has a sheet
    sheet.title = report.month
    sheet.append([gettext("Indicator"), gettext("Value")])
    for name, value in report_rows(report):
        sheet.append([name, float(value) if value.replace(".", "", 1).isdigit() else value])
    sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{_filename(report, "xlsx")}"'},
    )
