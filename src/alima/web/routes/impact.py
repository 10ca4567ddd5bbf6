"""The public impact page of a country (no sign-in), and the form for its context figures."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from alima.api.deps import SessionDep
from alima.indicators import service
from alima.indicators.enums import ContextFigureKind
from alima.indicators.schemas import ContextFigureCreate
from alima.web.contexts_treat import ContextFiguresContext, CountriesContext, ImpactContext
from alima.web.deps import VisitorActor
from alima.web.form_pages import Asked, FormView, RecordForm
from alima.web.forms import Posted, WebForm, enum_options, is_forbidden
from alima.web.impact_chart import build_chart, month_names
from alima.web.rendering import render

router = APIRouter(prefix="/impact", default_response_class=HTMLResponse)

CountryCode = Annotated[str, Path(max_length=60, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get("", name="impact:countries")
def countries(request: Request, session: SessionDep, actor: VisitorActor) -> HTMLResponse:
    """The countries with an impact page (public; a signed-in user keeps the menu)."""
    return render(
        request,
        "impact/countries.html",
        CountriesContext(countries=service.countries(session), actor=actor),
    )


@router.get("/{country_code}", name="impact:country")
def country(
    request: Request,
    country_code: CountryCode,
    session: SessionDep,
    actor: VisitorActor,
    year: Annotated[int | None, Query(ge=service.FIRST_YEAR, le=2100)] = None,
) -> HTMLResponse:
    """A country's figures for a year, computed from the data: aggregates only (public)."""
    impact = service.impact(session, country_code, year=year)
    context = ImpactContext(
        impact=impact, chart=build_chart(impact), month_names=month_names(impact), actor=actor
    )
    return render(request, "impact/country.html", context)


def _figure(posted: Posted) -> dict[str, object]:
    """A figure may be typed with thousands separators (spaces)."""
    value = posted.text("value").replace(" ", "").replace("\u202f", "")
    return {"value": value} if posted.text("value") else {}


FIGURE = WebForm(
    ContextFigureCreate, given=("country_code",), compose=_figure, error_page=is_forbidden
)


def _context(asked: Asked[str], values: dict[str, str]) -> ContextFiguresContext:
    return ContextFiguresContext(
        actor=asked.actor,
        action=str(asked.request.url.path),
        values=values,
        options={"kind": enum_options(ContextFigureKind)},
        figures=service.context_form(asked.session, asked.key, actor=asked.actor),
    )


RecordForm(
    FIGURE,
    FormView("impact/context.html", _context, key=("country_code", CountryCode)),
    lambda a, data: service.record_context_figure(a.session, data, actor=a.actor),
    lambda a, _: f"/impact/{a.key}/context?saved=1",
    start=lambda _: {
        "kind": ContextFigureKind.POPULATION.value,
        "year": str(service.default_year()),
    },
).add(
    router,
    "/{country_code}/context",
    ("impact:context_form", "impact:context_post"),
    "Context figures of the country, with their sources (coordinators, administrators).",
)
