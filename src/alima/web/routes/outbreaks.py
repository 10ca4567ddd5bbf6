"""Outbreak pages: alerts, the weekly report form, the line list, an alert, a district."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor, Permission
from alima.core.i18n import gettext
from alima.core.time import today
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import (
    IMMEDIATELY_NOTIFIABLE,
    Disease,
    LabResult,
    Outcome,
    Sex,
    Vaccination,
)
from alima.outbreaks.schemas import (
    AlertActionCreate,
    CaseCreate,
    CaseRead,
    CountLine,
    WeeklyReportCreate,
    WeeklyReportRead,
)
from alima.web.charts import line_chart
from alima.web.contexts_outbreaks import (
    AlertContext,
    CaseFormContext,
    Curve,
    DashboardContext,
    LineListContext,
    OutbreaksHomeContext,
    WeeklyFormContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.form_pages import Asked, FormView, RecordForm, keyed
from alima.web.forms import Posted, WebForm, enum_options, is_forbidden
from alima.web.rendering import render
from alima.web.templating import label

router = APIRouter(prefix="/outbreaks", default_response_class=HTMLResponse)

Code = Annotated[str, Path(max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]
#: The most age groups the weekly form carries (ALIMA_OUTBREAKS_AGE_GROUPS has fewer).
MAX_GROUPS = 8


def _config(request: Request) -> Surveillance:
    return Surveillance.of(request.app.state.settings)


def _writes(actor: Actor) -> bool:
    return actor.can(Permission.PATIENT_WRITE)


@router.get("", name="outbreaks:home")
def home(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Alerts of the health areas and districts in scope, and the districts' dashboards."""
    context = OutbreaksHomeContext(
        actor=actor,
        alerts=service.list_alerts(session, actor=actor),
        districts=service.districts(session, actor=actor),
        may_report=_writes(actor),
    )
    return render(request, "outbreaks/home.html", context)


# --- weekly report form ---------------------------------------------------------------------


def _count_names() -> tuple[str, ...]:
    return tuple(
        f"{kind}_{d.value}_{i}" for d in Disease for i in range(MAX_GROUPS) for kind in ("c", "d")
    )


def _lines(posted: Posted) -> dict[str, object]:
    """The typed counts as lines; the age group is its index (``g0``...) until saved."""
    lines = []
    for d in Disease:
        for i in range(MAX_GROUPS):
            cases, deaths = posted.text(f"c_{d.value}_{i}"), posted.text(f"d_{d.value}_{i}")
            if cases or deaths:
                lines.append(
                    {
                        "disease": d.value,
                        "age_group": f"g{i}",
                        "cases": cases or 0,
                        "deaths": deaths or 0,
                    }
                )
    return {"lines": lines}


WEEKLY = WebForm(WeeklyReportCreate, extra=_count_names(), compose=_lines, error_page=is_forbidden)


def _weekly_context(asked: Asked[None], values: dict[str, str]) -> WeeklyFormContext:
    config = _config(asked.request)
    last = config.calendar.last_ended(today())
    values.setdefault("epi_year", str(last.year))
    values.setdefault("epi_week", str(last.week))
    return WeeklyFormContext(
        actor=asked.actor,
        action="/outbreaks/reports/new",
        values=values,
        options={"place_code": _facilities(asked)},
        diseases=[(d.value, label(d.value)) for d in Disease],
        age_groups=list(enumerate(config.age_groups[:MAX_GROUPS])),
        week_hint=gettext("Last week was week %(week)s of %(year)s, from %(start)s to %(end)s.")
        % {
            "week": last.week,
            "year": last.year,
            "start": config.calendar.start(last).isoformat(),
            "end": config.calendar.end(last).isoformat(),
        },
    )


def _save_weekly(
    session: Session, data: WeeklyReportCreate, actor: Actor, config: Surveillance
) -> WeeklyReportRead:
    groups = config.age_groups
    lines = []
    for line in data.lines:
        index = int(line.age_group[1:])
        code = groups[index] if index < len(groups) else line.age_group
        lines.append(
            CountLine(disease=line.disease, age_group=code, cases=line.cases, deaths=line.deaths)
        )
    return service.record_weekly_report(
        session, data.model_copy(update={"lines": lines}), actor=actor, config=config
    )


RecordForm[None, WeeklyReportCreate, WeeklyReportRead](
    WEEKLY,
    FormView("outbreaks/weekly_form.html", _weekly_context),
    lambda a, data: _save_weekly(a.session, data, a.actor, _config(a.request)),
    lambda _, __: "/outbreaks?saved=report",
).add(
    router,
    "/reports/new",
    ("outbreaks:report_form", "outbreaks:report_post"),
    "The weekly IDSR report of a facility (a week with nothing is a report).",
)


# --- line list --------------------------------------------------------------------------------

CASE = WebForm(CaseCreate, error_page=is_forbidden)


def _facilities(asked: Asked[None]) -> list[Option]:
    return [Option(c, n) for c, n in service.writable_facilities(asked.session, actor=asked.actor)]


def _case_context(asked: Asked[None], values: dict[str, str]) -> CaseFormContext:
    return CaseFormContext(
        actor=asked.actor,
        action="/outbreaks/cases/new",
        values=values,
        options={
            "place_code": _facilities(asked),
            "disease": [
                o for o in enum_options(Disease) if Disease(o.value) in IMMEDIATELY_NOTIFIABLE
            ],
            "sex": [
                Option(Sex.FEMALE.value, gettext("Female")),
                Option(Sex.MALE.value, gettext("Male")),
            ],
            "vaccination": enum_options(Vaccination),
            "lab_result": enum_options(LabResult),
            "outcome": enum_options(Outcome),
        },
    )


RecordForm[None, CaseCreate, CaseRead](
    CASE,
    FormView("outbreaks/case_form.html", _case_context),
    lambda a, data: service.record_case(a.session, data, actor=a.actor, config=_config(a.request)),
    lambda _, __: "/outbreaks/cases?saved=1",
    start={"lab_result": LabResult.AWAITING.value, "outcome": Outcome.ALIVE.value},
).add(
    router,
    "/cases/new",
    ("outbreaks:case_form", "outbreaks:case_post"),
    "Put a suspected case of an immediately notifiable disease on the line list.",
)


@router.get("/cases", name="outbreaks:cases")
def line_list(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    saved: Annotated[str, Query(max_length=2)] = "",
) -> HTMLResponse:
    """The line list of the facilities whose patients you read (each opening is audited)."""
    context = LineListContext(
        actor=actor, cases=service.list_cases(session, actor=actor), saved=saved == "1"
    )
    return render(request, "outbreaks/cases.html", context)


# --- an alert and its actions ---------------------------------------------------------------

ACTION = WebForm(AlertActionCreate, error_page=is_forbidden)


def _alert_context(asked: Asked[uuid.UUID], values: dict[str, str]) -> AlertContext:
    alert = service.get_alert(asked.session, asked.key, actor=asked.actor)
    return AlertContext(
        actor=asked.actor,
        action=f"/outbreaks/alerts/{asked.key}/actions",
        values=values,
        options={"action": [Option(a.value, label(a.value)) for a in alert.allowed]},
        alert=alert,
        figures=[(label_of_figure(k), _figure(v)) for k, v in alert.figures.items()],
    )


def label_of_figure(key: str) -> str:
    """The reader's words for a figure of an alert."""
    names = {
        "cases": gettext("Cases this week"),
        "deaths": gettext("Deaths this week"),
        "confirmed": gettext("Confirmed cases this week"),
        "threshold": gettext("Threshold"),
        "population": gettext("Population"),
        "rate": gettext("Attack rate per 100,000"),
        "baseline": gettext("Baseline"),
        "weeks": gettext("Weeks counted"),
        "total": gettext("Total over those weeks"),
    }
    return names.get(key, key)


def _figure(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


ALERT = RecordForm(
    ACTION,
    FormView("outbreaks/alert.html", _alert_context, key=("alert_id", uuid.UUID)),
    keyed(service.act_on_alert),
    lambda a, _: f"/outbreaks/alerts/{a.key}",
)
ALERT.page(router, "/alerts/{alert_id}", "outbreaks:alert", "An alert, its figures and actions.")
ALERT.post(router, "/alerts/{alert_id}/actions", "outbreaks:alert_action", "Act on the alert.")


# --- a district's dashboard -----------------------------------------------------------------


@router.get("/districts/{district_code}", name="outbreaks:district")
def district(
    request: Request,
    district_code: Code,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
) -> HTMLResponse:
    """A district's weekly cases and attack rates against the thresholds.

    As curves and a table, with the completeness of its reports.
    """
    board = service.district_dashboard(
        session, district_code, actor=actor, config=Surveillance.of(settings), weeks=12
    )
    curves = []
    for c in board.curves:
        xs = list(range(len(c.points)))
        x_labels = [
            f"S{p.epi_week}" if i % 3 == len(xs) % 3 - 1 or i == len(xs) - 1 else ""
            for i, p in enumerate(c.points)
        ]
        if board.population:
            values: list[float | None] = [p.rate for p in c.points]
            guides = [
                (rate, css, f"{rate:g}")
                for rate, css in ((c.alert_rate, "guide-amber"), (c.epidemic_rate, "guide-red"))
                if rate is not None
            ]
            name = gettext("Attack rate per 100,000")
        else:
            values, guides, name = [float(p.cases) for p in c.points], [], gettext("Cases")
        chart = line_chart(
            label(c.disease.value), xs, x_labels, [(name, "line-muac", values, "left", 0.5, guides)]
        )
        rows = [
            (
                f"{p.epi_year}-S{p.epi_week:02d}",
                p.cases,
                p.deaths,
                f"{p.rate:g}" if p.rate is not None else "",
                label(p.level.value) if p.level else "",
            )
            for p in reversed(c.points)
        ]
        curves.append(Curve(c.disease.value, chart, rows, c.alert_rate, c.epidemic_rate))
    context = DashboardContext(
        actor=actor, board=board, curves=curves, completeness=list(reversed(board.completeness))
    )
    return render(request, "outbreaks/district.html", context)
