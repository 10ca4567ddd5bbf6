"""Threshold evaluation: the figures of health areas and districts, and the alerts they raise.

Called inside the transaction of the report or case that changed the figures (so an alert is
raised with the data that raised it, or not at all), and for a whole country at once. The
figures of a facility's week are its report's counts; a line-listed case is the detail of a
reported case, so the larger of the two counts is taken, never their sum; confirmed cases are
the line-listed cases with a positive laboratory result (``docs/clinical-rules.md §13.3``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.audit import record
from alima.core.db import new_id
from alima.core.enums import AuditAction, PlaceKind
from alima.core.models import Place
from alima.outbreaks import repository
from alima.outbreaks.config import Surveillance
from alima.outbreaks.defaults import default_rules
from alima.outbreaks.enums import OPEN_STATUSES, AlertStatus, Disease, Unit
from alima.outbreaks.models import Alert
from alima.outbreaks.rules.epiweeks import EpiCalendar, EpiWeek
from alima.outbreaks.rules.thresholds import (
    Counts,
    Firing,
    ThresholdRule,
    evaluate,
    parse_rules,
    weeks_needed,
)
from alima.outbreaks.service.common import ALERT, ancestor_ids

UNIT_OF_KIND = {
    PlaceKind.HEALTH_AREA.value: Unit.HEALTH_AREA,
    PlaceKind.DISTRICT.value: Unit.DISTRICT,
}
#: Per unit, per disease, per week.
UnitSeries = dict[uuid.UUID, dict[Disease, dict[EpiWeek, Counts]]]


class RuleBook:
    """The rules in force in a country, by disease, with the version of each disease's set."""

    def __init__(self, rules: dict[Disease, list[ThresholdRule]], versions: dict[Disease, int]):
        self.rules = rules
        self.versions = versions

    @property
    def all(self) -> list[ThresholdRule]:
        """Every rule."""
        return [r for rules in self.rules.values() for r in rules]


def rule_book(session: Session, country: Place | None, config: Surveillance) -> RuleBook:
    """The rules in force in a country.

    The default rules (or the country's file), replaced disease by disease by the latest
    version the country published.
    """
    rules: dict[Disease, list[ThresholdRule]] = defaultdict(list)
    for rule in default_rules(config.thresholds_file):
        rules[rule.disease].append(rule)
    versions: dict[Disease, int] = {}
    if country is not None:
        for disease, row in repository.latest_threshold_sets(session, country.id).items():
            rules[Disease(disease)] = parse_rules(row.rules)
            versions[Disease(disease)] = row.version
    return RuleBook(dict(rules), versions)


def unit_series(
    session: Session,
    root: Place,
    units: Sequence[Place],
    weeks: Iterable[EpiWeek],
    calendar: EpiCalendar,
) -> UnitSeries:
    """Each unit's figures of the weeks, from the reports and line list under ``root``."""
    wanted = set(weeks)
    starts = [calendar.start(w) for w in wanted]
    per_facility: dict[tuple[uuid.UUID, str, int, int], list[int]] = {}
    for place_id, disease, y, w, cases, deaths in repository.report_counts(
        session, root.path, starts
    ):
        per_facility[(place_id, disease, y, w)] = [cases, deaths, 0]
    for place_id, disease, y, w, n, dead, positive in repository.case_counts(
        session, root.path, wanted, None
    ):
        figures = per_facility.setdefault((place_id, disease, y, w), [0, 0, 0])
        figures[0] = max(figures[0], n)
        figures[1] = max(figures[1], dead)
        figures[2] = positive
    unit_ids = {u.id for u in units}
    facilities = repository.places_by_id(session, {key[0] for key in per_facility})
    units_of_facility = {
        f.id: [a for a in ancestor_ids(f) if a in unit_ids] for f in facilities.values()
    }
    flat: dict[tuple[uuid.UUID, str, int, int], list[int]] = {}
    for (place_id, disease, y, w), figures in per_facility.items():
        for unit_id in units_of_facility.get(place_id, ()):
            total = flat.get((unit_id, disease, y, w))
            if total is None:
                flat[(unit_id, disease, y, w)] = list(figures)
            else:
                total[0] += figures[0]
                total[1] += figures[1]
                total[2] += figures[2]
    result: UnitSeries = {}
    diseases = {d.value: d for d in Disease}
    for (unit_id, disease, y, w), figures in flat.items():
        week = EpiWeek(y, w)
        if week in wanted:
            by_disease = result.setdefault(unit_id, {})
            by_disease.setdefault(diseases[disease], {})[week] = Counts(*figures)
    return result


def raise_alerts(  # noqa: PLR0917 - the pieces of one evaluation, in order
    session: Session,
    actor: Actor | None,
    units: Sequence[Place],
    series: UnitSeries,
    week: EpiWeek,
    book: RuleBook,
    config: Surveillance,
) -> list[Alert]:
    """Raise an alert per unit, disease and level crossed in ``week``, unless one is open."""
    populations = repository.populations(session, [u.id for u in units], week.year)
    already = repository.open_alert_levels(session, [u.id for u in units], OPEN_STATUSES)
    raised: list[Alert] = []
    for unit in units:
        kind = UNIT_OF_KIND[unit.kind]
        by_disease = series.get(unit.id, {})
        for disease, rules in book.rules.items():
            figures = by_disease.get(disease)
            if not figures:
                continue
            firings = evaluate(
                rules,
                week,
                figures,
                population=populations.get(unit.id),
                calendar=config.calendar,
                unit=kind,
            )
            for firing in _first_per_level(firings):
                key = (unit.id, disease.value, firing.rule.level.value)
                if key in already:
                    continue
                already.add(key)
                raised.append(_alert(session, actor, unit, firing, book.versions.get(disease, 0)))
    session.flush()
    return raised


def _first_per_level(firings: Sequence[Firing]) -> list[Firing]:
    seen: set[str] = set()
    kept = []
    for f in firings:
        if f.rule.level.value not in seen:
            seen.add(f.rule.level.value)
            kept.append(f)
    return kept


def _alert(
    session: Session, actor: Actor | None, unit: Place, firing: Firing, version: int
) -> Alert:
    alert = Alert(
        id=new_id(),
        place_id=unit.id,
        place=unit,
        disease=firing.rule.disease.value,
        epi_year=firing.week.year,
        epi_week=firing.week.week,
        level=firing.rule.level.value,
        rule_code=firing.rule.code,
        rule=firing.rule.as_data(),
        threshold_version=version,
        figures=dict(firing.figures),
        status=AlertStatus.RAISED.value,
        created_by_id=actor.id if actor else None,
    )
    session.add(alert)  # flushed with the others: one insert of many rows
    record(
        session,
        actor,
        AuditAction.CREATE,
        entity_type=ALERT,
        entity_id=alert.id,
        place_id=unit.id,
        after={"rule": firing.rule.code, "figures": dict(firing.figures)},
    )
    return alert


def evaluate_for(
    session: Session, actor: Actor | None, place: Place, week: EpiWeek, config: Surveillance
) -> list[Alert]:
    """Evaluate the health area and district of ``place`` for ``week``.

    In the caller's transaction, after its figures are flushed.
    """
    lineage = repository.places_by_id(session, ancestor_ids(place))
    units = [p for p in lineage.values() if p.kind in UNIT_OF_KIND]
    if not units:
        return []
    country = next((p for p in lineage.values() if p.kind == PlaceKind.COUNTRY.value), None)
    root = min(units, key=lambda p: p.depth)
    book = rule_book(session, country, config)
    weeks = weeks_needed(book.all, week, config.calendar)
    series = unit_series(session, root, units, weeks, config.calendar)
    return raise_alerts(session, actor, units, series, week, book, config)


def evaluate_under(
    session: Session, actor: Actor | None, root: Place, week: EpiWeek, config: Surveillance
) -> list[Alert]:
    """Evaluate every health area and district under ``root`` (a country...) for ``week``."""
    lineage = repository.places_by_id(session, ancestor_ids(root))
    country = next((p for p in lineage.values() if p.kind == PlaceKind.COUNTRY.value), None)
    units = repository.units_under(session, root.path, list(UNIT_OF_KIND))
    book = rule_book(session, country, config)
    weeks = weeks_needed(book.all, week, config.calendar)
    series = unit_series(session, root, units, weeks, config.calendar)
    return raise_alerts(session, actor, units, series, week, book, config)
