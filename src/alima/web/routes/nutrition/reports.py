"""The monthly CMAM report of a site or a project, on the page, as CSV and as Excel."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor
from alima.core.errors import AlimaError, RuleViolation
from alima.core.i18n import gettext
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import AdmissionCriterion, Outcome
from alima.nutrition.errors import NutritionError
from alima.nutrition.rules.report import reportable_month
from alima.nutrition.schemas import MonthlyReport
from alima.web import nutrition_format as fmt
from alima.web.contexts import ReportContext
from alima.web.deps import WebActor
from alima.web.params import PlaceCode
from alima.web.rendering import render
from alima.web.spreadsheet import Cell, csv_response, xlsx_response

router = APIRouter(default_response_class=HTMLResponse)

#: A project's code, empty for none.
ProjectCode = Annotated[str, Query(max_length=40)]
#: A month as ``YYYY-MM`` (a month picker, or a text box in older browsers): any text up to
#: 100 characters comes back to the form with a message, not to an error page.
MonthText = Annotated[str, Query(max_length=100)]


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


def checked_month(month: str) -> tuple[str, str | None]:
    """The month as typed (trimmed) and why it cannot be reported, None when it can.

    The current month can (it is in progress); a later one cannot.
    """
    text = month.strip()
    try:
        reportable_month(text, today())
    except RuleViolation as exc:
        return text[:20] if exc.code == NutritionError.NUT_029 else text, exc.message
    return text, None


@dataclass(frozen=True)
class ReportQuery:
    """The report asked for: a month as typed, and a site's or a project's code."""

    month: str
    place: str
    project: str


def _asked(month: MonthText = "", place: PlaceCode = "", project: ProjectCode = "") -> ReportQuery:
    return ReportQuery(month=month, place=place, project=project)


Asked = Annotated[ReportQuery, Depends(_asked)]


@router.get("/nutrition/reports/monthly", name="nutrition:report")
def report_page(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep, asked: Asked
) -> HTMLResponse:
    """The monthly CMAM report of a site or a project, against Sphere standards."""
    return _page(request, session, actor, settings, asked.month or _last_month(), asked)


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    settings: SettingsDep,
    month: str,
    asked: ReportQuery,
) -> HTMLResponse:
    """The report page for ``month``, or the form back (422) when it cannot be reported."""
    place, project = asked.place, asked.project
    month, month_error = checked_month(month)
    report = None
    error = None
    if month_error is None and (place or project):
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
        month_error=month_error,
        latest_month=f"{today():%Y-%m}",
    )
    failed = error or month_error
    return render(request, "nutrition/report.html", context, status_code=422 if failed else 200)


def report_rows(report: MonthlyReport) -> list[tuple[str, Cell]]:
    """The report as (indicator, value) rows, in the reader's language (CSV and XLSX).

    Figures stay numbers (None when there is none), written by each file in its own way.
    """
    rows: list[tuple[str, Cell]] = [
        (gettext("Scope"), report.scope_name),
        (gettext("Month"), report.month),
        (gettext("In treatment at start of month"), report.at_start),
    ]
    rows += [
        (
            gettext("New admissions: %(criterion)s")
            % {"criterion": fmt.label(AdmissionCriterion, c)},
            n,
        )
        for c, n in report.admissions_by_criterion.items()
    ]
    rows += [
        (gettext("Relapses"), report.relapses),
        (gettext("Transfers in"), report.transfers_in),
        (gettext("Total admissions"), report.total_admissions),
    ]
    rows += [
        (gettext("Exits: %(outcome)s") % {"outcome": fmt.outcome_label(o)}, n)
        for o, n in report.exits_by_outcome.items()
    ]
    rows += [
        (gettext("Total exits"), report.total_exits),
        (gettext("In treatment at end of month"), report.at_end),
    ]
    rows += [
        (gettext("%(outcome)s rate (%%)") % {"outcome": fmt.outcome_label(r.outcome)}, r.rate)
        for r in report.rates
    ]
    rows += [
        (gettext("Average length of stay (days)"), report.average_length_of_stay_days),
        (gettext("RUTF sachets per child cured"), report.rutf_sachets_per_child_cured),
        (gettext("Sachets given this month"), report.rutf_sachets_given),
        (gettext("RUTF sachets needed next month"), report.next_month_rutf_sachets),
    ]
    return rows


def _filename(report: MonthlyReport, extension: str) -> str:
    return f"cmam-{report.scope_code}-{report.month}.{extension}"


def _file_report(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep, asked: Asked
) -> MonthlyReport | HTMLResponse:
    """The report a file is made of (the month is required), or the form back (422)."""
    month, problem = checked_month(asked.month)
    if problem is not None:
        return _page(request, session, actor, settings, asked.month, asked)
    return _report(session, actor, settings, month, asked.place, asked.project)


FileReport = Annotated[MonthlyReport | HTMLResponse, Depends(_file_report)]


@router.get("/nutrition/reports/monthly.csv", name="nutrition:report_csv")
def report_csv(report: FileReport) -> Response:
    """The monthly report as CSV."""
    if isinstance(report, HTMLResponse):
        return report
    header: list[tuple[str, Cell]] = [(gettext("Indicator"), gettext("Value"))]
    return csv_response(header + report_rows(report), _filename(report, "csv"))


@router.get("/nutrition/reports/monthly.xlsx", name="nutrition:report_xlsx")
def report_xlsx(report: FileReport) -> Response:
    """The monthly report as an Excel workbook."""
    if isinstance(report, HTMLResponse):
        return report
    header: list[tuple[str, Cell]] = [(gettext("Indicator"), gettext("Value"))]
    return xlsx_response(
        header + report_rows(report), _filename(report, "xlsx"), title=report.month
    )
