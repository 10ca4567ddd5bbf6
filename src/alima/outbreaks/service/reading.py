"""Reading surveillance: reports, the line list, completeness, a district's dashboard.

Reports and the line list in scope, completeness and timeliness per district, and a
district's weekly cases and attack rates against the thresholds.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor
from alima.core.audit import record
from alima.core.enums import AuditAction, PlaceKind
from alima.core.errors import CoreError, NotFound
from alima.core.models import Place
from alima.core.repository import find_place_by_code
from alima.core.time import today
from alima.outbreaks import repository
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import Disease, Level, RuleKind
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.rules.thresholds import PER
from alima.outbreaks.schemas import (
    CaseRead,
    Completeness,
    DiseaseCurve,
    DistrictDashboard,
    WeeklyReportRead,
    WeekPoint,
)
from alima.outbreaks.service.common import (
    CASE,
    CASE_READ,
    SERVICE_POINT_KINDS,
    WRITE_PERMISSION,
    alert_read,
    can_read,
    case_read,
    lineage,
    on_time,
    read_paths,
    report_read,
)
from alima.outbreaks.service.evaluation import rule_book, unit_series

MAX_WEEKS = 104


def last_ended_week(config: Surveillance) -> EpiWeek:
    """The latest epi week whose last day is past (the week before this one, every day)."""
    return config.calendar.last_ended(today())


def weeks_until(config: Surveillance, last: EpiWeek, count: int) -> list[EpiWeek]:
    """``count`` weeks ending with ``last``, oldest first."""
    return [config.calendar.shift(last, -back) for back in range(count - 1, -1, -1)]


def list_reports(
    session: Session, *, actor: Actor, config: Surveillance, weeks: int = 8
) -> list[WeeklyReportRead]:
    """The reports of facilities in scope for the latest ``weeks`` weeks, newest first."""
    last = last_ended_week(config)
    since = config.calendar.start(config.calendar.shift(last, -(weeks - 1)))
    with session.begin():
        rows = repository.reports_in(
            session, read_paths(actor), since=since, until=config.calendar.start(last)
        )
        return [report_read(r, config) for r in rows]


def list_cases(session: Session, *, actor: Actor, disease: Disease | None = None) -> list[CaseRead]:
    """The line list of the facilities whose patients the actor reads (audited)."""
    with session.begin():
        rows = repository.cases_in(
            session, actor.paths_for(CASE_READ), disease=disease.value if disease else None
        )
        record(
            session,
            actor,
            AuditAction.READ,
            entity_type=CASE,
            detail=f"line list ({len(rows)} cases{', ' + disease.value if disease else ''})",
        )
        return [case_read(r, actor) for r in rows]


def writable_facilities(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the service points where the actor writes reports and cases."""
    with session.begin():
        places = core_repository.list_places(
            session, actor.paths_for(WRITE_PERMISSION), kinds=SERVICE_POINT_KINDS
        )
        return [(p.code, p.name) for p in places]


def _district(session: Session, actor: Actor, code: str) -> Place:
    place = find_place_by_code(session, code)
    if place is None or place.kind != PlaceKind.DISTRICT.value or not can_read(actor, place.path):
        raise NotFound(CoreError.CORE_011, code=code, field="district")
    return place


def districts(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the districts the actor reads."""
    with session.begin():
        found: dict[str, str] = {}
        for path in read_paths(actor):
            for place in repository.units_under(session, path, [PlaceKind.DISTRICT.value]):
                found[place.code] = place.name
        # A user of a facility reads inside a district, not the district itself.
        return sorted(found.items(), key=lambda item: item[1])


def _completeness(
    session: Session, district: Place, weeks: list[EpiWeek], config: Surveillance
) -> list[Completeness]:
    expected = len(repository.units_under(session, district.path, SERVICE_POINT_KINDS))
    calendar = config.calendar
    reports = repository.reports_in(
        session,
        [district.path],
        since=calendar.start(weeks[0]),
        until=calendar.start(weeks[-1]),
    )
    received: dict[EpiWeek, list[bool]] = defaultdict(list)
    for r in reports:
        received[EpiWeek(r.epi_year, r.epi_week)].append(on_time(r, config))
    rows = []
    for week in weeks:
        got = received.get(week, [])
        timely = sum(got)
        rows.append(
            Completeness(
                district_code=district.code,
                district_name=district.name,
                epi_year=week.year,
                epi_week=week.week,
                expected=expected,
                received=len(got),
                on_time=timely,
                completeness=round(len(got) / expected, 3) if expected else None,
                timeliness=round(timely / expected, 3) if expected else None,
            )
        )
    return rows


def completeness(
    session: Session, district_code: str, *, actor: Actor, config: Surveillance, weeks: int = 12
) -> list[Completeness]:
    """Reports received and on time / expected for each of the district's latest weeks."""
    span = weeks_until(config, last_ended_week(config), min(max(weeks, 1), MAX_WEEKS))
    with session.begin():
        district = _district(session, actor, district_code)
        return _completeness(session, district, span, config)


def district_dashboard(
    session: Session,
    district_code: str,
    *,
    actor: Actor,
    config: Surveillance,
    weeks: int = 12,
) -> DistrictDashboard:
    """A district's weekly cases and attack rates per disease, against its thresholds.

    With its rate thresholds, its completeness and its open alerts, over the latest
    ``weeks`` weeks.
    """
    span = weeks_until(config, last_ended_week(config), min(max(weeks, 1), MAX_WEEKS))
    with session.begin():
        district = _district(session, actor, district_code)
        country_place = lineage(session, district).get(PlaceKind.COUNTRY.value)
        book = rule_book(session, country_place, config)
        population = repository.populations(session, [district.id], span[-1].year).get(district.id)
        series = unit_series(session, district, [district], span, config.calendar).get(
            district.id, {}
        )
        alerts = repository.alerts_in(session, [district.path])
        levels: dict[tuple[str, EpiWeek], Level] = {}
        for a in alerts:
            if a.place_id != district.id:
                continue
            key = (a.disease, EpiWeek(a.epi_year, a.epi_week))
            if levels.get(key) is not Level.EPIDEMIC:
                levels[key] = Level(a.level)
        curves = []
        for disease in Disease:
            figures = series.get(disease, {})
            total = sum(c.cases for c in figures.values())
            if not total:
                continue
            rates = [
                r
                for r in book.rules.get(disease, [])
                if r.kind is RuleKind.RATE and r.for_population(population)
            ]
            points = [
                WeekPoint(
                    epi_year=w.year,
                    epi_week=w.week,
                    cases=figures[w].cases if w in figures else 0,
                    deaths=figures[w].deaths if w in figures else 0,
                    rate=round((figures[w].cases if w in figures else 0) * PER / population, 2)
                    if population
                    else None,
                    level=levels.get((disease.value, w)),
                )
                for w in span
            ]
            curves.append(
                DiseaseCurve(
                    disease=disease,
                    points=points,
                    alert_rate=next((r.value for r in rates if r.level is Level.ALERT), None),
                    epidemic_rate=next((r.value for r in rates if r.level is Level.EPIDEMIC), None),
                    total_cases=total,
                )
            )
        return DistrictDashboard(
            district_code=district.code,
            district_name=district.name,
            population=population,
            weeks=[(w.year, w.week) for w in span],
            curves=curves,
            completeness=_completeness(session, district, span, config),
            alerts=[alert_read(a) for a in alerts if a.status not in ("discarded", "closed")],
        )
