"""Queries of outbreak surveillance. ``find_*`` returns ``None``; nothing here commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from alima.core.models import Place, PlacePopulation
from alima.core.repository import find_by_id, in_paths, select_live_at
from alima.outbreaks.models import (
    Alert,
    AlertActionLog,
    LineListCase,
    ThresholdSet,
    WeeklyCount,
    WeeklyReport,
)

#: (place id, disease, epi year, epi week) -> figures.
Key = tuple[uuid.UUID, str, int, int]


def find_report(session: Session, report_id: uuid.UUID) -> WeeklyReport | None:
    """The report, with its place and lines."""
    return find_by_id(
        session,
        WeeklyReport,
        report_id,
        selectinload(WeeklyReport.place),
        selectinload(WeeklyReport.lines),
    )


def find_report_of_week(
    session: Session, place_id: uuid.UUID, epi_year: int, epi_week: int
) -> WeeklyReport | None:
    """The facility's report of the week (deleted ones included), if any."""
    return session.scalars(
        select(WeeklyReport)
        .where(
            WeeklyReport.place_id == place_id,
            WeeklyReport.epi_year == epi_year,
            WeeklyReport.epi_week == epi_week,
        )
        .options(selectinload(WeeklyReport.lines))
    ).one_or_none()


def reports_in(
    session: Session, paths: Sequence[str], *, since: date, until: date
) -> list[WeeklyReport]:
    """Live reports of facilities in the subtrees for weeks starting in [since, until]."""
    return list(
        session.scalars(
            select_live_at(
                WeeklyReport,
                paths,
                WeeklyReport.week_start >= since,
                WeeklyReport.week_start <= until,
            )
            .options(selectinload(WeeklyReport.place), selectinload(WeeklyReport.lines))
            .order_by(WeeklyReport.week_start.desc(), Place.code)
        )
    )


def report_counts(
    session: Session, path: str, week_starts: Iterable[date], diseases: Sequence[str] | None = None
) -> list[tuple[uuid.UUID, str, int, int, int, int]]:
    """(facility, disease, epi year, epi week, cases, deaths) of live reports under ``path``."""
    stmt = (
        select(
            WeeklyReport.place_id,
            WeeklyCount.disease,
            WeeklyReport.epi_year,
            WeeklyReport.epi_week,
            func.sum(WeeklyCount.cases),
            func.sum(WeeklyCount.deaths),
        )
        .join(WeeklyCount, WeeklyCount.report_id == WeeklyReport.id)
        .join(Place, Place.id == WeeklyReport.place_id)
        .where(
            Place.path.startswith(path, autoescape=True),
            WeeklyReport.deleted_at.is_(None),
            WeeklyReport.week_start.in_(sorted(set(week_starts))),
        )
        .group_by(
            WeeklyReport.place_id, WeeklyCount.disease, WeeklyReport.epi_year, WeeklyReport.epi_week
        )
    )
    if diseases is not None:
        stmt = stmt.where(WeeklyCount.disease.in_(diseases))
    return [(p, d, y, w, int(c or 0), int(x or 0)) for p, d, y, w, c, x in session.execute(stmt)]


def case_counts(
    session: Session, path: str, weeks: Iterable[tuple[int, int]], diseases: Sequence[str] | None
) -> list[tuple[uuid.UUID, str, int, int, int, int, int]]:
    """(facility, disease, year, week, cases, deaths, confirmed) of the live line list."""
    wanted = sorted(set(weeks))
    if not wanted:
        return []
    years = sorted({y for y, _ in wanted})
    stmt = (
        select(
            LineListCase.place_id,
            LineListCase.disease,
            LineListCase.epi_year,
            LineListCase.epi_week,
            func.count(),
            func.sum(case((LineListCase.outcome == "dead", 1), else_=0)),
            func.sum(case((LineListCase.lab_result == "positive", 1), else_=0)),
        )
        .join(Place, Place.id == LineListCase.place_id)
        .where(
            Place.path.startswith(path, autoescape=True),
            LineListCase.deleted_at.is_(None),
            LineListCase.epi_year.in_(years),
        )
        .group_by(
            LineListCase.place_id,
            LineListCase.disease,
            LineListCase.epi_year,
            LineListCase.epi_week,
        )
    )
    if diseases is not None:
        stmt = stmt.where(LineListCase.disease.in_(diseases))
    keep = set(wanted)
    return [
        (p, d, y, w, int(n), int(dead or 0), int(pos or 0))
        for p, d, y, w, n, dead, pos in session.execute(stmt)
        if (y, w) in keep
    ]


#: Diseases (``None``: every disease) and the weeks to count them, as (year, week, start).
WeekGroup = tuple[Sequence[str] | None, Sequence[tuple[int, int, date]]]


def unit_counts(
    session: Session, path: str, unit_path_lengths: Iterable[int], groups: Sequence[WeekGroup]
) -> list[tuple[str, str, int, int, int, int, int]]:
    """(unit path, disease, year, week, cases, deaths, confirmed) of the units under ``path``.

    A facility's week is the larger of its live report's count and its live line list's (the
    line list is the detail of reported cases), confirmed cases are the line-listed ones with a
    positive result; the facilities' weeks are summed into every place above them whose path
    is as long as one of ``unit_path_lengths`` (a unit's path is the start of its facilities'
    paths). One query, grouped in the database.
    """
    lengths = sorted(set(unit_path_lengths))
    if not groups or not lengths:
        return []
    report, line, place = WeeklyReport, WeeklyCount, Place
    listed = LineListCase
    every_week: dict[int, set[int]] = {}
    for _, weeks in groups:
        for y, w, _ in weeks:
            every_week.setdefault(y, set()).add(w)
    if not every_week:
        return []
    every_start = sorted({start for _, weeks in groups for _, _, start in weeks})

    def of_weeks(y: Any, w: Any, weeks: dict[int, set[int]]) -> ColumnElement[bool]:
        return or_(*(and_(y == year, w.in_(sorted(ws))) for year, ws in sorted(weeks.items())))

    def wanted(disease: Any, y: Any, w: Any) -> ColumnElement[bool]:
        """Each disease's own weeks."""
        terms = []
        for diseases, weeks in groups:
            by_year: dict[int, set[int]] = {}
            for year, week, _ in weeks:
                by_year.setdefault(year, set()).add(week)
            when = of_weeks(y, w, by_year)
            terms.append(when if diseases is None else and_(disease.in_(sorted(diseases)), when))
        return or_(*terms)

    reports = (
        select(
            report.place_id.label("place_id"),
            line.disease.label("disease"),
            report.epi_year.label("y"),
            report.epi_week.label("w"),
            func.sum(line.cases).label("cases"),
            func.sum(line.deaths).label("deaths"),
            literal(0).label("confirmed"),
        )
        .join(line, line.report_id == report.id)
        .join(place, place.id == report.place_id)
        .where(
            place.path.startswith(path, autoescape=True),
            report.deleted_at.is_(None),
            report.week_start.in_(every_start),
        )
        .group_by(report.place_id, line.disease, report.epi_year, report.epi_week)
        # After grouping, on the group's disease (an aggregate, so that SQLite does not move
        # it into the WHERE, where it would read every line of the disease instead of the
        # reports of the weeks).
        .having(wanted(func.max(line.disease), report.epi_year, report.epi_week))
    )
    cases = (
        select(
            listed.place_id,
            listed.disease,
            listed.epi_year,
            listed.epi_week,
            func.count(),
            func.sum(case((listed.outcome == "dead", 1), else_=0)),
            func.sum(case((listed.lab_result == "positive", 1), else_=0)),
        )
        .join(place, place.id == listed.place_id)
        .where(
            place.path.startswith(path, autoescape=True),
            listed.deleted_at.is_(None),
            wanted(listed.disease, listed.epi_year, listed.epi_week),
        )
        .group_by(listed.place_id, listed.disease, listed.epi_year, listed.epi_week)
    )
    both = union_all(reports, cases).subquery("both")
    grouped = (
        select(
            both.c.place_id,
            both.c.disease,
            both.c.y,
            both.c.w,
            func.max(both.c.cases).label("cases"),
            func.max(both.c.deaths).label("deaths"),
            func.max(both.c.confirmed).label("confirmed"),
        )
        .group_by(both.c.place_id, both.c.disease, both.c.y, both.c.w)
        .subquery("grouped")
    )
    facility_weeks = (
        select(
            place.path,
            grouped.c.disease,
            grouped.c.y,
            grouped.c.w,
            grouped.c.cases,
            grouped.c.deaths,
            grouped.c.confirmed,
        )
        .join(place, place.id == grouped.c.place_id)
        .cte("facility_week")
    )
    fw = facility_weeks.c
    per_unit = []
    for length in lengths:
        unit = func.substr(facility_weeks.c.path, 1, length)
        per_unit.append(
            select(
                unit,
                facility_weeks.c.disease,
                facility_weeks.c.y,
                facility_weeks.c.w,
                func.sum(facility_weeks.c.cases),
                func.sum(facility_weeks.c.deaths),
                func.sum(facility_weeks.c.confirmed),
            )
            .where(func.length(fw.path) >= length)
            .group_by(unit, facility_weeks.c.disease, facility_weeks.c.y, facility_weeks.c.w)
        )
    stmt = per_unit[0] if len(per_unit) == 1 else union_all(*per_unit)
    return [
        (u, d, y, w, int(c or 0), int(x or 0), int(p or 0))
        for u, d, y, w, c, x, p in session.execute(stmt)
    ]


def places_by_id(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Place]:
    """The places with these ids."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    return {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(wanted)))}


def units_under(session: Session, path: str, kinds: Sequence[str]) -> list[Place]:
    """Places of ``kinds`` in the subtree of ``path`` (itself included), by path."""
    return list(
        session.scalars(
            select(Place)
            .where(Place.path.startswith(path, autoescape=True), Place.kind.in_(kinds))
            .order_by(Place.path)
        )
    )


def populations(
    session: Session, place_ids: Iterable[uuid.UUID], year: int
) -> dict[uuid.UUID, int]:
    """Each place's population of ``year``: the latest figure up to it, else the earliest."""
    ids = list(set(place_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(PlacePopulation.place_id, PlacePopulation.year, PlacePopulation.population).where(
            PlacePopulation.place_id.in_(ids)
        )
    )
    best: dict[uuid.UUID, tuple[tuple[int, int], int]] = {}
    for place_id, y, population in rows:
        rank = (1, y) if y <= year else (0, -y)
        if place_id not in best or rank > best[place_id][0]:
            best[place_id] = (rank, population)
    return {place_id: population for place_id, (_, population) in best.items()}


# --- threshold sets and alerts ----------------------------------------------------------------


def latest_threshold_sets(session: Session, country_id: uuid.UUID) -> dict[str, ThresholdSet]:
    """The threshold set in force for each disease of the country (its highest version)."""
    latest: dict[str, ThresholdSet] = {}
    for row in session.scalars(
        select(ThresholdSet)
        .where(ThresholdSet.place_id == country_id)
        .order_by(ThresholdSet.version)
    ):
        latest[row.disease] = row
    return latest


def find_alert(session: Session, alert_id: uuid.UUID) -> Alert | None:
    """The alert, with its place and actions."""
    return find_by_id(
        session,
        Alert,
        alert_id,
        selectinload(Alert.place),
        selectinload(Alert.actions).selectinload(AlertActionLog.author),
    )


def open_alert_levels(
    session: Session, place_ids: Sequence[uuid.UUID], open_statuses: Iterable[str]
) -> set[tuple[uuid.UUID, str, str]]:
    """(place, disease, level) of the alerts still open at the places."""
    if not place_ids:
        return set()
    rows = session.execute(
        select(Alert.place_id, Alert.disease, Alert.level).where(
            Alert.place_id.in_(list(place_ids)), Alert.status.in_(list(open_statuses))
        )
    )
    return {(p, d, lv) for p, d, lv in rows}


def alerts_in(session: Session, paths: Sequence[str], *, limit: int = 200) -> list[Alert]:
    """Alerts of places in the subtrees, newest week first."""
    return list(
        session.scalars(
            select(Alert)
            .join(Place, Place.id == Alert.place_id)
            .where(in_paths(Place.path, paths))
            .options(selectinload(Alert.place))
            .order_by(Alert.epi_year.desc(), Alert.epi_week.desc(), Alert.created_at.desc())
            .limit(limit)
        )
    )


def cases_in(
    session: Session, paths: Sequence[str], *, disease: str | None, limit: int = 500
) -> list[LineListCase]:
    """Live line-listed cases of facilities in the subtrees, latest onset first."""
    stmt = (
        select_live_at(LineListCase, paths)
        .options(selectinload(LineListCase.place))
        .order_by(LineListCase.onset_on.desc(), LineListCase.created_at.desc())
        .limit(limit)
    )
    if disease:
        stmt = stmt.where(LineListCase.disease == disease)
    return list(session.scalars(stmt))


def find_case(session: Session, case_id: uuid.UUID) -> LineListCase | None:
    """The line-listed case with its place."""
    return find_by_id(session, LineListCase, case_id, selectinload(LineListCase.place))
