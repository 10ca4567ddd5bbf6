"""The monthly report of a site or a project (aggregates only) and its scopes."""

from __future__ import annotations

import math
from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.errors import (
    BadRequest,
    CoreError,
    NotFound,
)
from alima.core.time import today as utc_today
from alima.nutrition import repository, summary
from alima.nutrition.enums import Outcome
from alima.nutrition.rules.report import (
    days_in_next_month,
    discharges,
    outcome_rates,
    reportable_month,
)
from alima.nutrition.schemas import (
    MonthlyReport,
    RateRead,
)
from alima.nutrition.service.episodes import CRITERION_PRIORITY


def monthly_report(
    session: Session,
    *,
    month: str,
    place_code: str | None = None,
    project_code: str | None = None,
    actor: Actor,
    include_medical_transfers: bool = True,
    today: date | None = None,
) -> MonthlyReport:
    """The monthly report of a site (with its subtree) or a project's places (aggregates only).

    Read as of ``today`` (the server's date by default): a child defaulted by then counts as
    an exit on the day of default, whether or not anyone opened a page (``rules.follow_up``).
    """
    today = today or utc_today()
    start, end = reportable_month(month, today)
    if (place_code is None) == (project_code is None):
        raise BadRequest(CoreError.CORE_004, fields="place, project")
    with session.begin():
        allowed = actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(
            Permission.PATIENT_READ
        )
        if place_code is not None:
            place = core_repository.find_place_by_code(session, place_code)
            if place is None or not any(place.path.startswith(a) for a in allowed):
                raise NotFound(CoreError.CORE_011, code=place_code)
            paths = [place.path]
            scope_kind, scope_code, scope_name = "place", place.code, place.name
        else:
            assert project_code is not None  # noqa: S101 - checked above
            project = core_repository.find_project_by_code(session, project_code)
            project_paths = (
                core_repository.project_place_paths(session, [project.id]).get(project.id, [])
                if project
                else []
            )
            if (
                project is None
                or not project_paths
                or not all(any(p.startswith(a) for a in allowed) for p in project_paths)
            ):
                raise NotFound(CoreError.CORE_001)
            paths = project_paths
            scope_kind, scope_code, scope_name = "project", project.code, project.name
        if summary.covers(session, start, today):
            figures = _from_summary(summary.scope_figures(session, paths, start))
        else:
            figures = _recounted(session, paths, start=start, end=end, today=today)
    return _build(
        (scope_kind, scope_code, scope_name),
        start,
        end,
        figures,
        include_medical_transfers=include_medical_transfers,
    )


def monthly_reports(
    session: Session,
    *,
    month: str,
    place_codes: list[str],
    actor: Actor,
    include_medical_transfers: bool = True,
    today: date | None = None,
) -> dict[str, MonthlyReport]:
    """The monthly reports of many places at once (a DHIS2 export's organisation units).

    The same reports as :func:`monthly_report` place by place; for a complete month, read from
    the summary in a few queries for all the places together.
    """
    today = today or utc_today()
    start, end = reportable_month(month, today)
    with session.begin():
        covered = summary.covers(session, start, today)
    if not covered:
        return {
            code: monthly_report(
                session,
                month=month,
                place_code=code,
                actor=actor,
                include_medical_transfers=include_medical_transfers,
                today=today,
            )
            for code in place_codes
        }
    with session.begin():
        allowed = actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(
            Permission.PATIENT_READ
        )
        places = {p.code: p for p in core_repository.find_places_by_codes(session, place_codes)}
        for code in place_codes:
            place = places.get(code)
            if place is None or not any(place.path.startswith(a) for a in allowed):
                raise NotFound(CoreError.CORE_011, code=code)
        by_path = summary.scope_figures_by_path(
            session, [places[c].path for c in place_codes], start
        )
    return {
        code: _build(
            ("place", code, places[code].name),
            start,
            end,
            _from_summary(by_path[places[code].path]),
            include_medical_transfers=include_medical_transfers,
        )
        for code in place_codes
    }


def _build(
    scope: tuple[str, str, str],
    start: date,
    end: date,
    figures: Figures,
    *,
    include_medical_transfers: bool,
) -> MonthlyReport:
    scope_kind, scope_code, scope_name = scope
    at_start, by_type, by_criterion, exits_all, at_end, cured, given, daily = figures
    rates = outcome_rates(exits_all, include_medical_transfers=include_medical_transfers)
    return MonthlyReport(
        scope_kind=scope_kind,  # type: ignore[arg-type]  # one of the two literals above
        scope_code=scope_code,
        scope_name=scope_name,
        month=f"{start:%Y-%m}",
        start=start,
        end=end,
        at_start=at_start,
        admissions_by_criterion=by_criterion,
        new_admissions=by_type.get("new", 0),
        relapses=by_type.get("relapse", 0),
        transfers_in=by_type.get("transfer_in", 0),
        total_admissions=sum(by_type.values()),
        exits_by_outcome=exits_all,
        total_exits=sum(exits_all.values()),
        at_end=at_end,
        rate_denominator=discharges(exits_all, include_medical_transfers=include_medical_transfers),
        rates=[
            RateRead(
                outcome=r.outcome.value,
                count=r.count,
                rate=r.percent,
                standard=r.standard.text if r.standard else "",
                meets_standard=r.meets_standard,
            )
            for r in rates
        ],
        average_length_of_stay_days=round(cured[1] / cured[0], 1) if cured[0] else None,
        rutf_sachets_per_child_cured=round(cured[2] / cured[0], 1) if cured[0] else None,
        rutf_sachets_given=given,
        next_month_rutf_sachets=math.ceil(round(daily * days_in_next_month(end), 6)),
        medical_transfers_in_denominator=include_medical_transfers,
    )


Figures = tuple[
    int, dict[str, int], dict[str, int], dict[str, int], int, tuple[int, int, int], int, float
]


def _recounted(
    session: Session, paths: list[str], *, start: date, end: date, today: date
) -> Figures:
    """The report's figures counted from the episodes and visits (the month in progress)."""
    at_start = repository.count_open_on(session, paths, before=start, today=today)
    by_criterion: dict[str, int] = {c.value: 0 for c in CRITERION_PRIORITY}
    by_type = {"new": 0, "relapse": 0, "transfer_in": 0}
    for admission_type, criterion, count in repository.admissions_by_type_and_criterion(
        session, paths, start=start, end=end
    ):
        by_type[admission_type] = by_type.get(admission_type, 0) + count
        if admission_type == "new":
            by_criterion[criterion] = by_criterion.get(criterion, 0) + count
    exits = repository.exits_by_outcome(session, paths, start=start, end=end, today=today)
    exits_all = {o.value: exits.get(o.value, 0) for o in Outcome}
    at_end = repository.count_open_on(session, paths, before=end + timedelta(days=1), today=today)
    stays = repository.cured_stays(session, paths, start=start, end=end)
    cured = (
        len(stays),
        sum((c - a).days for a, c, _ in stays),
        sum(s for _, _, s in stays),
    )
    given = repository.sachets_given(session, paths, start=start, end=end)
    daily = repository.daily_sachets_of_caseload(session, paths, on=end, today=today)
    return at_start, by_type, by_criterion, exits_all, at_end, cured, given, daily


def _from_summary(figures: dict[str, float]) -> Figures:
    """The report's figures summed from the sites' monthly summary (a complete month)."""

    def count(name: str) -> int:
        return round(figures.get(name, 0.0))

    by_criterion: dict[str, int] = {c.value: 0 for c in CRITERION_PRIORITY}
    by_type = {"new": 0, "relapse": 0, "transfer_in": 0}
    for name, value in figures.items():
        if name.startswith("adm:") and round(value):
            _, admission_type, criterion = name.split(":", 2)
            by_type[admission_type] = by_type.get(admission_type, 0) + round(value)
            if admission_type == "new":
                by_criterion[criterion] = by_criterion.get(criterion, 0) + round(value)
    exits_all = {o.value: count(f"exit:{o.value}") for o in Outcome}
    exits_all[Outcome.DEFAULTED.value] += count("default")
    at_start = count("at_start")
    cured = (count("cured_n"), count("cured_days"), count("cured_sachets"))
    return (
        at_start,
        by_type,
        by_criterion,
        exits_all,
        at_start + count("net"),
        cured,
        count("sachets"),
        figures.get("ration", 0.0),
    )


def refresh_summary(session: Session, *, today: date | None = None) -> tuple[int, date | None]:
    """Rewrite the summary's dirty (site, month) pairs and extend it to the last complete month.

    Run by ``alima serve`` in the background and by ``alima nutrition refresh-summary``; a
    report never needs it to be right, only to be fast. Returns (pairs rewritten, month
    covered through).
    """
    with session.begin():
        return summary.refresh(session, today=today or utc_today())


def report_scopes(
    session: Session, *, actor: Actor
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Places (any level) and projects whose monthly report the actor may read."""
    allowed = actor.paths_for(Permission.AGGREGATE_READ) + actor.paths_for(Permission.PATIENT_READ)
    with session.begin():
        places = core_repository.list_places(session, allowed)
        projects = []
        for project in core_repository.list_projects(session):
            paths = core_repository.project_place_paths(session, [project.id]).get(project.id, [])
            if paths and all(any(p.startswith(a) for a in allowed) for p in paths):
                projects.append((project.code, project.name))
        return [(p.code, p.name) for p in places], projects
