"""The monthly report's figures kept per site and complete month, and read back by scope.

Recounting a country's month from 10 million episodes and 80 million visits takes tens of
seconds; summing the figures of its 1,920 sites for that month takes milliseconds. A figure is
a count or a sum over one site and one calendar month, derived only from episodes, visits and
their children's deletion:

``adm:<type>:<criterion>``  admissions (admission type, main criterion) in the month;
``exit:<outcome>``          exits recorded in the month, by outcome;
``default``                 open episodes whose default day falls in the month;
``cured_n``, ``cured_days``, ``cured_sachets``   cured exits, their stays and sachets;
``sachets``                 sachets handed out at the site's visits in the month;
``net``                     admissions minus departures: the caseload at the start of a month
                            is the sum of ``net`` over the months before it;
``ration``                  daily sachets of the children in treatment at the month's end.

Only complete months are kept (the month of ``today`` is always read live): a default that
has come is then a fact, not a matter of the reading day (``rules.follow_up``). Every write
that can change a (site, month) marks it dirty in the same transaction
(:mod:`alima.nutrition.freshness`); a report sums the clean figures and recomputes the dirty
(site, month) pairs live with the same queries the refresh uses, so a report never waits for
a refresh and never writes. :func:`refresh` rewrites the dirty pairs and extends the summary
to the last complete month.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Date,
    FunctionElement,
    Integer,
    Select,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session

from alima.core.db import bulk_insert
from alima.core.models import Place
from alima.core.repository import in_paths, patient_not_deleted
from alima.nutrition.models import Episode, MonthDirty, MonthFigure, MonthSummaryState, Visit
from alima.nutrition.rules.report import first_of, last_complete_month, month_end, next_month

Cells = dict[tuple[uuid.UUID, date], dict[str, float]]
STATE_ID = 1


class month_start(FunctionElement[date]):  # noqa: N801 - a SQL function
    """The first day of the month of a date, in SQL."""

    type = Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_pg(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


class days_between(FunctionElement[int]):  # noqa: N801 - a SQL function
    """Whole days from the first date to the second, in SQL."""

    type = Integer()
    inherit_cache = True


@compiles(days_between)
def _days_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(second, **kw)}) - "
        f"julianday({compiler.process(first, **kw)}) AS INTEGER)"
    )


@compiles(days_between, "postgresql")
def _days_pg(element: Any, compiler: Any, **kw: Any) -> str:
    first, second = list(element.clauses)
    return f"({compiler.process(second, **kw)} - {compiler.process(first, **kw)})"


def _live() -> Any:
    return and_(Episode.deleted_at.is_(None), patient_not_deleted(Episode.patient_id))


def departure_day() -> Any:
    """The day an episode leaves the caseload: its exit, or its default day while open.

    The SQL twin of ``repository.count_open_on``: out at the start of a day after
    ``closed_on``, or after ``defaults_on`` for an open episode (once that day has come, which
    it has for every complete month).
    """
    default = case((Episode.status == "open", Episode.defaults_on), else_=None)
    return case(
        (
            and_(
                Episode.closed_on.is_not(None), or_(default.is_(None), Episode.closed_on <= default)
            ),
            Episode.closed_on,
        ),
        else_=default,
    )


def _in_months(column: Any, first: date, last: date) -> Any:
    return column.between(first, month_end(last))


def _place_filter(column: Any, places: Sequence[uuid.UUID] | None) -> Any:
    return literal(True) if places is None else column.in_(places)


def figure_queries(first: date, last: date, places: Sequence[uuid.UUID] | None) -> list[Any]:
    """(place, month, figure, value) queries over the months ``first``..``last`` (firsts of month).

    ``places``: only these sites (``None``: all). The ration at the month's end is apart
    (:func:`ration_query`), one month at a time.
    """
    e = Episode
    admitted = month_start(e.admitted_on)
    closed = month_start(e.closed_on)
    departed = departure_day()
    leave = case((departed > e.admitted_on, departed), else_=e.admitted_on)
    where = (_live(), _place_filter(e.place_id, places))
    admissions = (
        select(
            e.place_id,
            admitted,
            literal("adm:") + e.admission_type + literal(":") + e.main_criterion,
            func.count(e.id),
        )
        .where(*where, _in_months(e.admitted_on, first, last))
        .group_by(e.place_id, admitted, e.admission_type, e.main_criterion)
    )
    exits = (
        select(e.place_id, closed, literal("exit:") + e.outcome, func.count(e.id))
        .where(*where, e.outcome.is_not(None), _in_months(e.closed_on, first, last))
        .group_by(e.place_id, closed, e.outcome)
    )
    default_month = month_start(e.defaults_on)
    defaults = (
        select(e.place_id, default_month, literal("default"), func.count(e.id))
        .where(*where, e.status == "open", _in_months(e.defaults_on, first, last))
        .group_by(e.place_id, default_month)
    )
    cured_where = (*where, e.outcome == "cured", _in_months(e.closed_on, first, last))
    cured = [
        select(e.place_id, closed, literal(name), value)
        .where(*cured_where)
        .group_by(e.place_id, closed)
        for name, value in (
            ("cured_n", func.count(e.id)),
            ("cured_days", func.sum(days_between(e.admitted_on, e.closed_on))),
            ("cured_sachets", func.sum(e.sachets_total)),
        )
    ]
    arrivals = (
        select(e.place_id, admitted, literal("net"), func.count(e.id))
        .where(*where, _in_months(e.admitted_on, first, last))
        .group_by(e.place_id, admitted)
    )
    left = month_start(leave)
    departures = (
        select(e.place_id, left, literal("net"), -func.count(e.id))
        .where(*where, departed.is_not(None), _in_months(leave, first, last))
        .group_by(e.place_id, left)
    )
    visited = month_start(Visit.visit_on)
    sachets = (
        select(Visit.place_id, visited, literal("sachets"), func.sum(Visit.sachets_given))
        .where(
            _place_filter(Visit.place_id, places),
            Visit.deleted_at.is_(None),
            Visit.episode_id.in_(select(Episode.id).where(_live())),
            _in_months(Visit.visit_on, first, last),
        )
        .group_by(Visit.place_id, visited)
    )
    queries: list[Any] = [admissions, exits, defaults, arrivals, departures, sachets]
    return queries + cured


def ration_query(first: date, last: date, places: Sequence[uuid.UUID] | None) -> Select[Any]:
    """(place, month, 'ration', daily sachets) at the end of each month ``first``..``last``.

    As ``repository.daily_sachets_of_caseload`` reads it: the ration decided at each child's
    latest visit on or before the month's last day, for the children in treatment then.
    """
    months = []
    month = first
    while month <= last:
        months.append((month, month_end(month)))
        month = next_month(month)
    ends = union_all(
        *(select(literal(m, Date).label("month"), literal(e, Date).label("on")) for m, e in months)
    ).subquery("month_ends")
    latest_on = (
        select(func.max(Visit.visit_on))
        .where(
            Visit.episode_id == Episode.id,
            Visit.visit_on <= ends.c.on,
            Visit.deleted_at.is_(None),
        )
        .correlate(Episode, ends)
        .scalar_subquery()
    )
    departed = departure_day()
    in_treatment = (
        select(
            Episode.id.label("episode_id"),
            Episode.place_id.label("place_id"),
            ends.c.month.label("month"),
            latest_on.label("latest_on"),
        )
        .select_from(Episode)
        .join(ends, Episode.admitted_on <= ends.c.on)
        .where(
            _place_filter(Episode.place_id, places),
            _live(),
            or_(departed.is_(None), departed > ends.c.on),
        )
        .subquery()
    )
    return (
        select(
            in_treatment.c.place_id,
            in_treatment.c.month,
            literal("ration"),
            func.sum(Visit.sachets_per_day),
        )
        .join(
            in_treatment,
            and_(
                Visit.episode_id == in_treatment.c.episode_id,
                Visit.visit_on == in_treatment.c.latest_on,
            ),
        )
        .group_by(in_treatment.c.place_id, in_treatment.c.month)
    )


def compute(
    session: Session, first: date, last: date, places: Sequence[uuid.UUID] | None = None
) -> Cells:
    """The figures of every (site, month) from ``first`` to ``last``, from the base tables.

    One query a figure over the whole span (a full rebuild reads each table a few times, not
    a few times a month).
    """
    cells: Cells = defaultdict(lambda: defaultdict(float))
    for query in [*figure_queries(first, last, places), ration_query(first, last, places)]:
        for place_id, on, figure, value in session.execute(query):
            if value:
                cells[(place_id, _as_date(on))][figure] += float(value)
    return cells


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _by_month(keys: Iterable[tuple[uuid.UUID, date]]) -> dict[date, list[uuid.UUID]]:
    months: dict[date, list[uuid.UUID]] = defaultdict(list)
    for place_id, month in keys:
        months[month].append(place_id)
    return months


def compute_keys(session: Session, keys: Iterable[tuple[uuid.UUID, date]]) -> Cells:
    """The figures of the given (site, month) pairs only, from the base tables."""
    cells: Cells = {}
    for month, places in sorted(_by_month(keys).items()):
        for start in range(0, len(places), 500):
            chunk = places[start : start + 500]
            found = compute(session, month, month, chunk)
            cells.update({k: v for k, v in found.items() if k[0] in set(chunk)})
    return cells


# --- reading ---------------------------------------------------------------------------------


def through(session: Session) -> date | None:
    """The last month the summary covers (``None``: no summary yet)."""
    return session.scalar(select(MonthSummaryState.through).where(MonthSummaryState.id == STATE_ID))


def covers(session: Session, month: date, today: date) -> bool:
    """Whether ``month``'s report can be read from the summary on ``today``."""
    last = through(session)
    return last is not None and month <= min(last, last_complete_month(today))


def _scope_places(paths: Sequence[str]) -> Select[Any]:
    return select(Place.id).where(in_paths(Place.path, paths))


def scope_figures(session: Session, paths: Sequence[str], month: date) -> dict[str, float]:
    """The summed figures of the scope for ``month``, with ``at_start`` (net of earlier months).

    Clean (site, month) pairs from the summary, dirty ones recomputed live.
    """
    places = _scope_places(paths)
    dirty = list(
        session.execute(
            select(MonthDirty.place_id, MonthDirty.month).where(
                MonthDirty.place_id.in_(places), MonthDirty.month <= month
            )
        )
    )
    dirty_set = {(p, _as_date(m)) for p, m in dirty}
    clean_pair = ~(
        select(literal(1))
        .where(MonthDirty.place_id == MonthFigure.place_id, MonthDirty.month == MonthFigure.month)
        .exists()
    )
    totals: dict[str, float] = defaultdict(float)
    rows = session.execute(
        select(MonthFigure.figure, func.sum(MonthFigure.value))
        .where(MonthFigure.month == month, MonthFigure.place_id.in_(places), clean_pair)
        .group_by(MonthFigure.figure)
    )
    for figure, value in rows:
        totals[figure] += float(value or 0)
    totals["at_start"] += float(
        session.scalar(
            select(func.coalesce(func.sum(MonthFigure.value), 0.0)).where(
                MonthFigure.figure == "net",
                MonthFigure.month < month,
                MonthFigure.place_id.in_(places),
                clean_pair,
            )
        )
        or 0
    )
    for (_, on), figures in compute_keys(session, dirty_set).items():
        for figure, value in figures.items():
            if on == month:
                totals[figure] += value
            elif figure == "net":
                totals["at_start"] += value
    return totals


def common_root(paths: Sequence[str]) -> str:
    """The deepest place path that holds every one of ``paths``."""
    first = min(paths)
    last = max(paths)
    end = 0
    while end < min(len(first), len(last)) and first[end] == last[end]:
        end += 1
    return first[: first.rfind("/", 0, end + 1) + 1] if end < len(first) else first


def scope_figures_by_path(
    session: Session, paths: Sequence[str], month: date
) -> dict[str, dict[str, float]]:
    """:func:`scope_figures` of each subtree ``paths`` (organisation units), in a few queries.

    The sites' figures are read once under the subtrees' common ancestor, then each site's
    figures are added to every subtree it lies in (one LIKE, not one per subtree).
    """
    places = _scope_places([common_root(paths)])
    clean_pair = ~(
        select(literal(1))
        .where(MonthDirty.place_id == MonthFigure.place_id, MonthDirty.month == MonthFigure.month)
        .exists()
    )
    by_site: dict[uuid.UUID, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for place_id, figure, value in session.execute(
        select(MonthFigure.place_id, MonthFigure.figure, MonthFigure.value).where(
            MonthFigure.month == month, MonthFigure.place_id.in_(places), clean_pair
        )
    ):
        by_site[place_id][figure] += float(value or 0)
    for place_id, value in session.execute(
        select(MonthFigure.place_id, func.sum(MonthFigure.value))
        .where(
            MonthFigure.figure == "net",
            MonthFigure.month < month,
            MonthFigure.place_id.in_(places),
            clean_pair,
        )
        .group_by(MonthFigure.place_id)
    ):
        by_site[place_id]["at_start"] += float(value or 0)
    dirty = {
        (p, _as_date(m))
        for p, m in session.execute(
            select(MonthDirty.place_id, MonthDirty.month).where(
                MonthDirty.place_id.in_(places), MonthDirty.month <= month
            )
        )
    }
    for (place_id, on), figures in compute_keys(session, dirty).items():
        for figure, value in figures.items():
            if on == month:
                by_site[place_id][figure] += value
            elif figure == "net":
                by_site[place_id]["at_start"] += value
    site_paths = dict(
        session.execute(select(Place.id, Place.path).where(Place.id.in_(places))).all()
    )
    wanted = set(paths)
    totals: dict[str, dict[str, float]] = {p: defaultdict(float) for p in paths}
    for place_id, figures in by_site.items():
        path = site_paths.get(place_id, "")
        # Every subtree holding the site: the prefixes of its path that end a segment.
        for end, char in enumerate(path):
            prefix = path[: end + 1]
            if char == "/" and prefix in wanted:
                for figure, value in figures.items():
                    totals[prefix][figure] += value
    return totals


def covers_months(session: Session, start: date, end: date, today: date) -> bool:
    """Whether ``start``..``end`` is whole months that can all be read from the summary."""
    return (
        start == first_of(start)
        and end == month_end(end)
        and start <= end
        and covers(session, first_of(end), today)
    )


def _admissions(
    session: Session, paths: Sequence[str], start: date, end: date, key: Any
) -> list[tuple[Any, date | None, float]]:
    """Admissions (the ``adm:`` figures) of the subtrees' sites over whole months, by ``key``.

    ``key`` is ``MonthFigure.month`` or ``Place.path``. Rows (key, month of a dirty pair or
    ``None``, value): the clean pairs summed by ``key``, the dirty pairs recounted live.
    """
    clean_pair = ~(
        select(literal(1))
        .where(MonthDirty.place_id == MonthFigure.place_id, MonthDirty.month == MonthFigure.month)
        .exists()
    )
    found: list[tuple[Any, date | None, float]] = [
        (k, None, float(value or 0))
        for k, value in session.execute(
            select(key, func.sum(MonthFigure.value))
            .join(Place, Place.id == MonthFigure.place_id)
            .where(
                MonthFigure.month.between(start, end),
                MonthFigure.figure.startswith("adm:"),
                in_paths(Place.path, paths),
                clean_pair,
            )
            .group_by(key)
        )
    ]
    dirty = {
        (p, _as_date(m)): path
        for p, m, path in session.execute(
            select(MonthDirty.place_id, MonthDirty.month, Place.path)
            .join(Place, Place.id == MonthDirty.place_id)
            .where(in_paths(Place.path, paths), MonthDirty.month.between(start, end))
        )
    }
    for (place_id, month), figures in compute_keys(session, dirty).items():
        value = sum(v for f, v in figures.items() if f.startswith("adm:"))
        found.append((dirty[(place_id, month)], month, value))
    return found


def monthly_admissions(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Admissions by month of the subtrees (``repository.monthly_admissions``), from the summary.

    For whole months the summary covers (:func:`covers_months`); dirty pairs recounted live.
    """
    totals: dict[date, float] = defaultdict(float)
    for month, dirty_month, value in _admissions(session, paths, start, end, MonthFigure.month):
        totals[dirty_month or _as_date(month)] += value
    return {month: round(value) for month, value in totals.items() if round(value)}


def admissions_by_path(
    session: Session, paths: Sequence[str], start: date, end: date
) -> dict[str, int]:
    """Admissions by place path of the sites (``repository.admissions_by_path``), from the summary.

    For whole months the summary covers (:func:`covers_months`): a DHIS2 export's month of a
    country reads its sites' summary rows, not tens of thousands of scattered episodes.
    """
    totals: dict[str, float] = defaultdict(float)
    for path, _month, value in _admissions(session, paths, start, end, Place.path):
        totals[path] += value
    return {path: round(value) for path, value in totals.items() if round(value)}


# --- writing ---------------------------------------------------------------------------------


def _write(session: Session, keys: Iterable[tuple[uuid.UUID, date]], cells: Cells) -> None:
    rows = [
        {"place_id": p, "month": m, "figure": f, "value": v}
        for (p, m), figures in cells.items()
        for f, v in figures.items()
        if v
    ]
    for month, places in _by_month(keys).items():
        for start in range(0, len(places), 500):
            session.execute(
                delete(MonthFigure).where(
                    MonthFigure.month == month,
                    MonthFigure.place_id.in_(places[start : start + 500]),
                )
            )
    bulk_insert(session, MonthFigure.__table__, rows)  # type: ignore[arg-type]


def refresh(session: Session, *, today: date) -> tuple[int, date | None]:
    """Rewrite the dirty (site, month) pairs and extend the summary to the last complete month.

    In the caller's transaction. The dirty marks are deleted first: a writer still holding one
    (``freshness.mark``) makes the delete wait for its commit, and a mark made after it stays
    for the next refresh. Returns (pairs rewritten, month covered through).
    """
    last = last_complete_month(today)
    state = session.get(MonthSummaryState, STATE_ID)
    if state is None:
        state = MonthSummaryState(id=STATE_ID, through=None)
        session.add(state)
        session.flush()
    dirty = [
        (p, _as_date(m))
        for p, m in session.execute(
            delete(MonthDirty)
            .where(MonthDirty.month <= last)
            .returning(MonthDirty.place_id, MonthDirty.month)
        )
    ]
    if state.through is not None:
        dirty = [(p, m) for p, m in dirty if m <= state.through]
    _write(session, dirty, compute_keys(session, dirty))
    count = len(dirty)
    first = next_month(state.through) if state.through is not None else _first_month(session)
    if first is not None and first <= last:
        cells = compute(session, first, last)
        session.execute(delete(MonthFigure).where(MonthFigure.month.between(first, last)))
        _write(session, [], cells)
        count += len(cells)
    # Nothing written yet covers the months too: a later write into one of them marks it.
    if state.through is None or last > state.through:
        state.through = last
    return count, state.through


def _first_month(session: Session) -> date | None:
    first = session.scalar(select(func.min(Episode.admitted_on)))
    visited = session.scalar(select(func.min(Visit.visit_on)))
    days = [_as_date(d) for d in (first, visited) if d is not None]
    return first_of(min(days)) if days else None
