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
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.audit import record_many
from alima.core.changelog import insert_new
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
from alima.outbreaks.schemas import AlertRead
from alima.outbreaks.service.common import ALERT, ancestor_ids, new_alert_read

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
    weeks: Iterable[EpiWeek] | Mapping[Disease, Iterable[EpiWeek]],
    calendar: EpiCalendar,
) -> UnitSeries:
    """Each unit's figures of the weeks, from the reports and line list under ``root``.

    ``weeks`` are the same for every disease, or given per disease (the weeks its rules
    read): a disease not named is not counted. Summed into the units by the database.
    """
    if isinstance(weeks, Mapping):
        by_weeks: dict[frozenset[EpiWeek], list[str]] = defaultdict(list)
        for disease, its_weeks in weeks.items():
            by_weeks[frozenset(its_weeks)].append(disease.value)
        groups: list[repository.WeekGroup] = [
            (diseases, _dated(its_weeks, calendar)) for its_weeks, diseases in by_weeks.items()
        ]
    else:
        groups = [(None, _dated(set(weeks), calendar))]
    unit_of_path = {u.path: u.id for u in units}
    rows = repository.unit_counts(session, root.path, {len(p) for p in unit_of_path}, groups)
    result: UnitSeries = {}
    diseases = {d.value: d for d in Disease}
    for path, disease, y, w, cases, deaths, confirmed in rows:
        unit_id = unit_of_path.get(path)
        if unit_id is not None:
            by_disease = result.setdefault(unit_id, {})
            by_disease.setdefault(diseases[disease], {})[EpiWeek(y, w)] = Counts(
                cases, deaths, confirmed
            )
    return result


def _dated(weeks: Iterable[EpiWeek], calendar: EpiCalendar) -> list[tuple[int, int, date]]:
    return [(w.year, w.week, calendar.start(w)) for w in sorted(weeks)]


def raise_alerts(  # noqa: PLR0917 - the pieces of one evaluation, in order
    session: Session,
    actor: Actor | None,
    units: Sequence[Place],
    series: UnitSeries,
    week: EpiWeek,
    book: RuleBook,
    config: Surveillance,
) -> list[AlertRead]:
    """Raise an alert per unit, disease and level crossed in ``week``, unless one is open.

    The alerts, their audit events and their change log are written in bulk (one insert per
    table), in the caller's transaction.
    """
    populations = repository.populations(session, [u.id for u in units], week.year)
    already = repository.open_alert_levels(session, [u.id for u in units], OPEN_STATUSES)
    rows: list[dict[str, Any]] = []
    places: list[Place] = []
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
                rows.append(_alert_row(actor, unit, firing, book.versions.get(disease, 0)))
                places.append(unit)
    session.flush()  # whatever the caller changed, before the rows written around the ORM
    written = insert_new(session, Alert, rows)
    record_many(
        session,
        actor,
        AuditAction.CREATE,
        entity_type=ALERT,
        events=[
            {
                "entity_id": row["id"],
                "place_id": row["place_id"],
                "after": {"rule": row["rule_code"], "figures": dict(row["figures"])},
            }
            for row in written
        ],
    )
    return [new_alert_read(row, place) for row, place in zip(written, places, strict=True)]


def _first_per_level(firings: Sequence[Firing]) -> list[Firing]:
    seen: set[str] = set()
    kept = []
    for f in firings:
        if f.rule.level.value not in seen:
            seen.add(f.rule.level.value)
            kept.append(f)
    return kept


def _alert_row(actor: Actor | None, unit: Place, firing: Firing, version: int) -> dict[str, Any]:
    return {
        "id": new_id(),
        "place_id": unit.id,
        "disease": firing.rule.disease.value,
        "epi_year": firing.week.year,
        "epi_week": firing.week.week,
        "level": firing.rule.level.value,
        "rule_code": firing.rule.code,
        "rule": firing.rule.as_data(),
        "threshold_version": version,
        "figures": dict(firing.figures),
        "status": AlertStatus.RAISED.value,
        "created_by_id": actor.id if actor else None,
    }


def weeks_of(book: RuleBook, week: EpiWeek, config: Surveillance) -> dict[Disease, set[EpiWeek]]:
    """The weeks each disease's rules read to judge ``week``."""
    return {
        disease: weeks_needed(rules, week, config.calendar) for disease, rules in book.rules.items()
    }


def evaluate_for(
    session: Session, actor: Actor | None, place: Place, week: EpiWeek, config: Surveillance
) -> list[AlertRead]:
    """Evaluate the health area and district of ``place`` for ``week``.

    In the caller's transaction, after its figures are flushed.
    """
    lineage = repository.places_by_id(session, ancestor_ids(place))
    units = sorted((p for p in lineage.values() if p.kind in UNIT_OF_KIND), key=lambda p: p.path)
    if not units:
        return []
    country = next((p for p in lineage.values() if p.kind == PlaceKind.COUNTRY.value), None)
    root = min(units, key=lambda p: p.depth)
    book = rule_book(session, country, config)
    series = unit_series(session, root, units, weeks_of(book, week, config), config.calendar)
    return raise_alerts(session, actor, units, series, week, book, config)


def evaluate_under(
    session: Session, actor: Actor | None, root: Place, week: EpiWeek, config: Surveillance
) -> list[AlertRead]:
    """Evaluate every health area and district under ``root`` (a country...) for ``week``."""
    lineage = repository.places_by_id(session, ancestor_ids(root))
    country = next((p for p in lineage.values() if p.kind == PlaceKind.COUNTRY.value), None)
    units = repository.units_under(session, root.path, list(UNIT_OF_KIND))
    book = rule_book(session, country, config)
    series = unit_series(session, root, units, weeks_of(book, week, config), config.calendar)
    return raise_alerts(session, actor, units, series, week, book, config)
