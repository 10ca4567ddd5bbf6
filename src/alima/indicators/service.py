"""The impact page of a country, and the context figures behind it.

The impact page is public: it takes no actor, reads aggregates only (every registered public
indicator over the country's place subtree for a calendar year, by month) and the context
figures entered with their sources. Nothing on it names, counts or locates a patient.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import snapshot
from alima.core.enums import PlaceKind
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.i18n import gettext
from alima.core.models import Place
from alima.core.service.common import audit_saved
from alima.core.time import today
from alima.indicators import repository
from alima.indicators.enums import ContextFigureKind
from alima.indicators.errors import IndicatorError
from alima.indicators.models import ContextFigure
from alima.indicators.registry import load_indicators
from alima.indicators.schemas import (
    ActivityFigure,
    ContextFigureCreate,
    ContextFigureRead,
    ContextFormRead,
    ImpactRead,
)

#: The first year an impact page can show.
FIRST_YEAR = 2000
#: How many years the page offers to switch to.
YEARS_OFFERED = 5


def default_year() -> int:
    """The last complete calendar year."""
    return today().year - 1


def _country(session: Session, code: str) -> Place:
    place = core_repository.find_place_by_code(session, code)
    if place is None or place.kind != PlaceKind.COUNTRY.value:
        raise NotFound(IndicatorError.IND_001, code=code)
    return place


def _figure_read(figure: ContextFigure) -> ContextFigureRead:
    return ContextFigureRead(
        kind=ContextFigureKind(figure.kind),
        year=figure.year,
        value=figure.value,
        source=figure.source,
    )


def _months(year: int) -> list[date]:
    return [date(year, month, 1) for month in range(1, 13)]


def impact(session: Session, country_code: str, *, year: int | None = None) -> ImpactRead:
    """A country's figures for a calendar year: context with sources, activity by month."""
    last = today().year
    year = year or default_year()
    if not FIRST_YEAR <= year <= last:
        raise RuleViolation(IndicatorError.IND_002, first=FIRST_YEAR, last=last)
    start, end = date(year, 1, 1), date(year, 12, 31)
    months = _months(year)
    indicators = [i for i in load_indicators() if i.public]
    with session.begin():
        country = _country(session, country_code)
        paths = (country.path,)
        figures = repository.list_context_figures(session, country.id)
        context: list[ContextFigureRead] = []
        for kind in ContextFigureKind:
            mine = [f for f in figures if f.kind == kind.value]
            chosen = next((f for f in mine if f.year <= year), mine[-1] if mine else None)
            if chosen is not None:
                context.append(_figure_read(chosen))
        activity = []
        for indicator in indicators:
            series = indicator.monthly(session, paths=paths, start=start, end=end)
            activity.append(
                ActivityFigure(
                    code=indicator.code,
                    label=gettext(indicator.label),
                    definition=gettext(indicator.definition),
                    # An additive count over a year is the sum of its months (one query, not two).
                    value=sum(series.values())
                    if indicator.additive
                    else indicator.count(session, paths=paths, start=start, end=end),
                    monthly=[series.get(m, 0) for m in months],
                    additive=indicator.additive,
                )
            )
        return ImpactRead(
            country_code=country.code,
            country_name=country.name,
            year=year,
            start=start,
            end=end,
            months=months,
            context=context,
            activity=activity,
            partners=repository.partner_names(session, country.id),
            years=list(range(max(FIRST_YEAR, last - YEARS_OFFERED + 1), last + 1)),
        )


def _editable_country(session: Session, actor: Actor, code: str) -> Place | None:
    """The country called ``code`` if the actor may edit its context figures."""
    country = core_repository.find_place_by_code(session, code)
    if (
        country is None
        or country.kind != PlaceKind.COUNTRY.value
        or not actor.can_at(Permission.CONTEXT_FIGURE_WRITE, country.path)
    ):
        return None
    return country


def countries(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every country, for the list of impact pages."""
    with session.begin():
        return [(p.code, p.name) for p in repository.list_countries(session)]


def context_form(session: Session, country_code: str, *, actor: Actor) -> ContextFormRead:
    """The context figures of a country, for those who may edit them."""
    with session.begin():
        country = _editable_country(session, actor, country_code)
        if country is None:
            raise NotFound(IndicatorError.IND_001, code=country_code)
        return ContextFormRead(
            country_code=country.code,
            country_name=country.name,
            figures=[_figure_read(f) for f in repository.list_context_figures(session, country.id)],
        )


def record_context_figure(
    session: Session, data: ContextFigureCreate, *, actor: Actor
) -> ContextFigureRead:
    """Enter (or correct) a context figure with its year and source; audited before and after."""
    with session.begin():
        country = _editable_country(session, actor, data.country_code)
        if country is None:
            raise NotFound(CoreError.CORE_011, code=data.country_code, field="country_code")
        figure = repository.find_context_figure(session, country.id, data.kind.value, data.year)
        fields = ("kind", "year", "value", "source")
        before = snapshot(figure, fields) if figure else None
        if figure is None:
            figure = ContextFigure(
                place_id=country.id,
                kind=data.kind.value,
                year=data.year,
                created_by_id=actor.id,
            )
            session.add(figure)
        figure.value = data.value
        figure.source = data.source
        audit_saved(
            session,
            actor,
            figure,
            "context_figure",
            before=before,
            fields=fields,
            place_id=country.id,
        )
        return _figure_read(figure)
