"""RUTF stock pages: the sites in scope, a site's stock, movement forms, the monthly report."""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep, SettingsDep
from alima.core.access import Actor
from alima.core.i18n import gettext
from alima.core.time import today
from alima.stock import service
from alima.stock.enums import MovementKind, MovementReason, QuantityUnit
from alima.stock.schemas import (
    AdjustmentCreate,
    CountCreate,
    LossCreate,
    MovementRead,
    ReceiptCreate,
    StockReport,
)
from alima.web.contexts_stock import (
    StockFormContext,
    StockOverviewContext,
    StockReportContext,
    StockSiteContext,
)
from alima.web.contexts_treat import Option
from alima.web.deps import WebActor
from alima.web.form_pages import FormPage
from alima.web.forms import WebForm, enum_options, is_forbidden
from alima.web.params import PlaceCode
from alima.web.rendering import render
from alima.web.routes.nutrition.reports import MonthText, checked_month
from alima.web.spreadsheet import Cell, csv_response, xlsx_response

router = APIRouter(prefix="/stock", default_response_class=HTMLResponse)

SiteCode = Annotated[str, Path(max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("", name="stock:overview")
def overview(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep
) -> HTMLResponse:
    """The sites in your scope with their RUTF stock (stock-outs and low stock first)."""
    sites = service.stock_overview(session, actor=actor, alert_weeks=settings.stock_alert_weeks)
    context = StockOverviewContext(actor=actor, sites=sites, alert_weeks=settings.stock_alert_weeks)
    return render(request, "stock/overview.html", context)


@router.get("/sites/{place_code}", name="stock:site")
def site(
    request: Request,
    place_code: SiteCode,
    session: SessionDep,
    actor: WebActor,
    settings: SettingsDep,
    saved: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """A site's stock today: alert, batches by first expiry, weeks left, latest movements."""
    stock = service.site_stock(
        session, place_code, actor=actor, alert_weeks=settings.stock_alert_weeks
    )
    kinds = {k.value for k in MovementKind}
    context = StockSiteContext(actor=actor, stock=stock, saved=saved if saved in kinds else "")
    return render(request, "stock/site.html", context)


# --- movement forms -------------------------------------------------------------------------

#: The product is RUTF on the pages (the API takes others); a refused place is said on the form.
RECEIPT = WebForm(ReceiptCreate, omit=("product",), error_page=is_forbidden)
LOSS = WebForm(LossCreate, omit=("product",), error_page=is_forbidden)
ADJUSTMENT = WebForm(AdjustmentCreate, omit=("product",), error_page=is_forbidden)
COUNT = WebForm(CountCreate, omit=("product",), error_page=is_forbidden)
#: A movement's id as a form or a link carries it.
MOVEMENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
#: What a form keeps from the page's query (the site, the movement corrected).
PREFILLED = {"place": "place_code", "corrects": "corrects_id"}


def _form_context(kind: MovementKind) -> Callable[..., StockFormContext]:
    def context(
        request: Request, session: Session, actor: Actor, values: dict[str, str]
    ) -> StockFormContext:
        for query, name in PREFILLED.items():
            given = request.query_params.get(query, "")[:60]
            if given and not values.get(name):
                values[name] = given
        values.setdefault(
            "sachets_per_carton", str(request.app.state.settings.stock_sachets_per_carton)
        )
        corrected = _to_correct(session, actor, values, kind)
        if corrected is not None and request.method == "GET":
            for name, value in _as_typed(corrected).items():
                values[name] = value
        sites = service.writable_sites(session, actor=actor)
        if len(sites) == 1:
            values.setdefault("place_code", sites[0][0])
        return StockFormContext(
            actor=actor,
            action=str(request.url.path),
            values=values,
            options={
                "place_code": [Option(code, name) for code, name in sites],
                "unit": enum_options(QuantityUnit),
                "reason": enum_options(MovementReason),
            },
            kind=kind.value,
            correcting=bool(values.get("corrects_id")),
        )

    return context


def _to_correct(
    session: Session, actor: Actor, values: dict[str, str], kind: MovementKind
) -> MovementRead | None:
    """The movement of the same kind the form corrects, when its id is one."""
    text = values.get("corrects_id", "").strip().lower()
    if not MOVEMENT_ID.match(text):
        return None
    found = service.movement_to_correct(session, uuid.UUID(text), actor=actor)
    return found if found is not None and found.kind is kind else None


def _as_typed(m: MovementRead) -> dict[str, str]:
    """A movement's values as its form shows them (quantities in sachets)."""
    typed = {
        "place_code": m.place_code,
        "moved_on": m.moved_on.isoformat(),
        "batch": m.batch or "",
        "expires_on": m.expires_on.isoformat() if m.expires_on else "",
        "reason": m.reason.value if m.reason else "",
    }
    if m.kind is MovementKind.ADJUSTMENT:
        return typed | {"change": str(m.sachets)}
    return typed | {"quantity": str(m.sachets), "unit": QuantityUnit.SACHET.value}


def _then(saved: MovementRead) -> str:
    return f"/stock/sites/{saved.place_code}?saved={saved.kind.value}"


@dataclass(frozen=True)
class _Form:
    kind: MovementKind
    form: WebForm[Any]
    path: str
    save: Callable[[Session, Any, Actor], MovementRead]
    summary: str
    start: dict[str, str]


FORMS = (
    _Form(
        MovementKind.RECEIPT,
        RECEIPT,
        "/movements/receipt/new",
        lambda s, d, a: service.record_receipt(s, d, actor=a, per_carton=None),
        "Record RUTF received, with its batch and expiry date.",
        {"unit": QuantityUnit.CARTON.value},
    ),
    _Form(
        MovementKind.LOSS,
        LOSS,
        "/movements/loss/new",
        lambda s, d, a: service.record_loss(s, d, actor=a, per_carton=None),
        "Record RUTF lost (expired, damaged, stolen...).",
        {"unit": QuantityUnit.SACHET.value, "reason": MovementReason.EXPIRED.value},
    ),
    _Form(
        MovementKind.ADJUSTMENT,
        ADJUSTMENT,
        "/movements/adjustment/new",
        lambda s, d, a: service.record_adjustment(s, d, actor=a),
        "Record an adjustment of the RUTF balance, with its reason.",
        {"reason": MovementReason.CORRECTION.value},
    ),
    _Form(
        MovementKind.COUNT,
        COUNT,
        "/movements/stock_count/new",
        lambda s, d, a: service.record_count(s, d, actor=a, per_carton=None),
        "Record a physical count of the RUTF on the shelf.",
        {"unit": QuantityUnit.SACHET.value},
    ),
)

for _f in FORMS:
    FormPage(
        _f.form,
        "stock/movement_form.html",
        _form_context(_f.kind),
        _f.save,
        then=_then,
        start=_f.start,
    ).add(
        router,
        _f.path,
        (f"stock:{_f.kind.value}_form", f"stock:{_f.kind.value}_post"),
        _f.summary,
    )


# --- monthly report -------------------------------------------------------------------------


def _this_month() -> str:
    return f"{today():%Y-%m}"


def report_rows(report: StockReport) -> list[list[Cell]]:
    """The report as a table in the reader's language: a line per site, then the total."""
    header: list[Cell] = [
        gettext("Site"),
        gettext("Opening balance"),
        gettext("Received"),
        gettext("Dispensed at visits"),
        gettext("Losses"),
        gettext("Adjustments (counts included)"),
        gettext("Closing balance"),
        gettext("Physical count"),
        gettext("Weekly need"),
        gettext("Weeks of stock left"),
    ]
    lines: list[BaseModel] = [*report.sites]
    if len(report.sites) != 1:
        lines.append(report)
    rows: list[list[Cell]] = [header]
    for line in lines:
        data = line.model_dump()
        rows.append(
            [
                data["place_name"] if line is not report else gettext("Total"),
                data["opening"],
                data["received"],
                data["dispensed"],
                data["losses"],
                data["adjustments"],
                data["closing"],
                data["counted"],
                data["weekly_need"],
                data["weeks_left"],
            ]
        )
    return rows


@dataclass(frozen=True)
class ReportQuery:
    """The report asked for: a month as typed and a place's code."""

    month: str
    place: str


def _asked(month: MonthText = "", place: PlaceCode = "") -> ReportQuery:
    return ReportQuery(month=month, place=place)


Asked = Annotated[ReportQuery, Depends(_asked)]


def _report_page(
    request: Request, session: Session, actor: Actor, settings: Any, asked: ReportQuery
) -> HTMLResponse:
    month, month_error = checked_month(asked.month or _this_month())
    report = None
    if month_error is None and asked.place:
        report = service.monthly_stock_report(
            session,
            month=month,
            place_code=asked.place,
            actor=actor,
            alert_weeks=settings.stock_alert_weeks,
        )
    context = StockReportContext(
        actor=actor,
        places=service.report_places(session, actor=actor),
        place=asked.place,
        month=month,
        report=report,
        month_error=month_error,
        latest_month=_this_month(),
    )
    return render(request, "stock/report.html", context, status_code=422 if month_error else 200)


@router.get("/reports/monthly", name="stock:report")
def report_page(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep, asked: Asked
) -> HTMLResponse:
    """The monthly RUTF stock report of a site, or of the sites of a place."""
    return _report_page(request, session, actor, settings, asked)


def _file_report(
    request: Request, session: SessionDep, actor: WebActor, settings: SettingsDep, asked: Asked
) -> StockReport | HTMLResponse:
    """The report a file is made of (month and place required), or the form back (422)."""
    month, problem = checked_month(asked.month)
    if problem is not None or not asked.place:
        return _report_page(request, session, actor, settings, asked)
    return service.monthly_stock_report(
        session,
        month=month,
        place_code=asked.place,
        actor=actor,
        alert_weeks=settings.stock_alert_weeks,
    )


FileReport = Annotated[StockReport | HTMLResponse, Depends(_file_report)]


def _filename(report: StockReport, extension: str) -> str:
    return f"stock-{report.place_code}-{report.month}.{extension}"


@router.get("/reports/monthly.csv", name="stock:report_csv")
def report_csv(report: FileReport) -> Response:
    """The monthly stock report as CSV."""
    if isinstance(report, HTMLResponse):
        return report
    return csv_response(report_rows(report), _filename(report, "csv"))


@router.get("/reports/monthly.xlsx", name="stock:report_xlsx")
def report_xlsx(report: FileReport) -> Response:
    """The monthly stock report as an Excel workbook."""
    if isinstance(report, HTMLResponse):
        return report
    return xlsx_response(
        report_rows(report), _filename(report, "xlsx"), title=report.month, widths=(32,)
    )
