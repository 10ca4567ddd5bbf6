"""The alerts of a country's week against an independent recount, on both databases.

A seeded country (two districts, health areas of one or two facilities, a facility right
under a district, areas with and without a population) gets five years of weekly reports and
a line list (some deleted, some confirmed or dead), one published threshold set, one alert
still open and one closed. ``evaluate_country`` for several weeks (one across a year's end)
and the evaluation one report triggers must raise exactly the alerts a straightforward
recount gives: each facility's week is the larger of its report and its line list, summed into
each health area and district above it, judged by ``rules.thresholds.evaluate`` (pure and
table-tested), the highest level first, one alert per level not already open. Each alert has
its audit event and a change-log row for both, as a flush writes them.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alima.core.access import Actor, Grant, child_path
from alima.core.changelog import Change, row_of, to_json
from alima.core.enums import AuditAction, Role
from alima.core.models import AuditEvent, Place, PlacePopulation
from alima.outbreaks import service
from alima.outbreaks.defaults import default_rules
from alima.outbreaks.enums import Level, Unit
from alima.outbreaks.models import Alert, LineListCase, ThresholdSet, WeeklyCount, WeeklyReport
from alima.outbreaks.rules.epiweeks import EpiWeek
from alima.outbreaks.rules.thresholds import Counts, ThresholdRule, evaluate, parse_rules
from alima.outbreaks.schemas import AlertRead
from alima.outbreaks.service.evaluation import evaluate_for
from tests.factories.core import World
from tests.factories.outbreaks import CONFIG, weeks_ago

CAL = CONFIG.calendar
UNITS = {"health_area": Unit.HEALTH_AREA, "district": Unit.DISTRICT}
#: Weekly mean cases per facility: high enough for every rule family to fire now and then.
MEANS = {
    "malaria": 18.0,
    "ili": 3.0,
    "severe_pneumonia": 1.5,
    "bloody_diarrhoea": 1.0,
    "measles": 0.9,
    "meningitis": 0.7,
    "cholera": 0.08,
    "dengue": 0.05,
    "maternal_death": 0.0,
    "covid19": 0.05,
}
#: Published by the country: replaces the default malaria rules (version 1).
MALARIA_V1 = [
    {"code": "malaria-x", "disease": "malaria", "level": "alert", "kind": "increase",
     "value": 1.2, "min_cases": 5},
    {"code": "malaria-e", "disease": "malaria", "level": "epidemic", "kind": "increase",
     "baseline": "previous_years", "value": 1.4, "years": 3, "spread": 2, "min_cases": 10,
     "units": ["district"]},
    {"code": "malaria-r", "disease": "malaria", "level": "alert", "kind": "rate",
     "value": 90, "population_min": 20000},
]  # fmt: skip


@dataclass
class Country:
    """What was generated, as plain Python: the recount reads only this."""

    places: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    populations: list[tuple[uuid.UUID, int, int]] = field(default_factory=list)
    #: (facility, disease, year, week) -> [cases, deaths] of live reports.
    reported: dict[tuple[uuid.UUID, str, int, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    #: (facility, disease, year, week) -> [cases, dead, positive] of the live line list.
    listed: dict[tuple[uuid.UUID, str, int, int], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )
    #: (place, disease, level) of the alerts still open.
    open: set[tuple[uuid.UUID, str, str]] = field(default_factory=set)
    code: str = ""

    def kind(self, place_id: uuid.UUID) -> str:
        return str(self.places[place_id]["kind"])


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _generate(session: Session, world: World, seed: int, last: EpiWeek) -> Country:  # noqa: PLR0912, PLR0915 - one data set, built in order
    rng = random.Random(seed)
    now = datetime.now(UTC)
    country = Country(code=f"RC{seed}{uuid.uuid4().hex[:4].upper()}")
    rows: list[dict[str, Any]] = []

    def place(code: str, kind: str, parent: dict[str, Any] | None) -> dict[str, Any]:
        pid = uuid.uuid4()
        row = {
            "id": pid,
            "code": code,
            "name": code,
            "kind": kind,
            "parent_id": parent["id"] if parent else None,
            "path": child_path(parent["path"] if parent else None, pid),
            "depth": parent["depth"] + 1 if parent else 0,
            "active": True,
        }
        rows.append(row)
        country.places[pid] = row
        return row

    top = place(country.code, "country", None)
    region = place(f"{country.code}-R", "region", top)
    facilities = []
    for d in range(2):
        district = place(f"{country.code}-D{d}", "district", region)
        country.populations.append((district["id"], last.year - 6, rng.randrange(50_000, 90_000)))
        for a in range(3 - d):
            area = place(f"{country.code}-D{d}-A{a}", "health_area", district)
            if (d, a) != (0, 2):  # an area without population: no rate, counts still fire
                people = rng.choice([12_000, 25_000, 45_000])
                country.populations.append((area["id"], last.year - 2, people))
                country.populations.append((area["id"], last.year + 1, people * 2))
            for f in range(1 + (a % 2)):
                facilities.append(place(f"{country.code}-D{d}-A{a}-F{f}", "facility", area))
        facilities.append(place(f"{country.code}-D{d}-CS", "facility", district))
    session.execute(insert(Place), rows)
    session.execute(
        insert(PlacePopulation),
        [{"place_id": p, "year": y, "population": n} for p, y, n in country.populations],
    )
    weeks = [CAL.shift(last, -back) for back in range(5 * 52 + 8, -1, -1)]
    reports, lines, cases = [], [], []
    for week in weeks:
        for facility in facilities:
            if rng.random() < 0.03:
                continue  # no report this week
            rid, deleted = uuid.uuid4(), rng.random() < 0.02
            reports.append(
                {
                    "id": rid,
                    "place_id": facility["id"],
                    "epi_year": week.year,
                    "epi_week": week.week,
                    "week_start": CAL.start(week),
                    "version": 1,
                    "deleted_at": now if deleted else None,
                    "deleted_reason": "wrong facility" if deleted else None,
                }
            )
            for disease, mean in MEANS.items():
                if disease == "maternal_death":
                    deaths = int(rng.random() < 0.01)
                    counts = [(deaths, deaths)] if deaths else []
                else:
                    # Sometimes split over two age groups (summed), with a few deaths.
                    n = _poisson(rng, mean)
                    counts = [(n, int(n > 3 and rng.random() < 0.1))] if n else []
                    if n > 1 and rng.random() < 0.3:
                        counts = [(n // 2, 0), (n - n // 2, counts[0][1])]
                for (n, dead), group in zip(counts, ("1-4y", "15y+"), strict=False):
                    lines.append(
                        {
                            "id": uuid.uuid4(),
                            "report_id": rid,
                            "disease": disease,
                            "age_group": group,
                            "cases": n,
                            "deaths": dead,
                        }
                    )
                    if not deleted:
                        key = (facility["id"], disease, week.year, week.week)
                        country.reported[key][0] += n
                        country.reported[key][1] += dead
        for facility in facilities:
            for disease, mean in (("cholera", 0.15), ("measles", 0.5), ("meningitis", 0.2)):
                for _ in range(_poisson(rng, mean)):
                    deleted = rng.random() < 0.1
                    dead, positive = rng.random() < 0.15, rng.random() < 0.4
                    cases.append(
                        {
                            "id": uuid.uuid4(),
                            "place_id": facility["id"],
                            "disease": disease,
                            "onset_on": CAL.start(week) + timedelta(days=rng.randrange(7)),
                            "epi_year": week.year,
                            "epi_week": week.week,
                            "age_months": rng.randrange(600),
                            "sex": rng.choice("MF"),
                            "lab_result": "positive" if positive else "negative",
                            "outcome": "dead" if dead else "alive",
                            "deleted_at": now if deleted else None,
                        }
                    )
                    if not deleted:
                        key = (facility["id"], disease, week.year, week.week)
                        country.listed[key][0] += 1
                        country.listed[key][1] += int(dead)
                        country.listed[key][2] += int(positive)
    session.execute(insert(WeeklyReport), reports)
    session.execute(insert(WeeklyCount), lines)
    session.execute(insert(LineListCase), cases)
    session.add(ThresholdSet(place_id=top["id"], disease="malaria", version=1, rules=MALARIA_V1))
    # An alert still open silences its level; a closed one does not.
    area = next(p for p in country.places.values() if p["kind"] == "health_area")
    for status, level in (("verified", "alert"), ("closed", "epidemic")):
        session.add(
            Alert(
                place_id=area["id"],
                disease="measles",
                epi_year=weeks[-30].year,
                epi_week=weeks[-30].week,
                level=level,
                rule_code="measles-old",
                rule={},
                figures={},
                status=status,
                created_by_id=world.users["administrator"].id,
            )
        )
    country.open.add((area["id"], "measles", "alert"))
    session.flush()
    return country


def _book() -> tuple[dict[str, list[ThresholdRule]], dict[str, int]]:
    rules: dict[str, list[ThresholdRule]] = defaultdict(list)
    for rule in default_rules(None):
        rules[rule.disease.value].append(rule)
    rules["malaria"] = parse_rules(MALARIA_V1)
    return dict(rules), {"malaria": 1}


def _population(country: Country, place_id: uuid.UUID, year: int) -> int | None:
    figures = sorted((y, n) for p, y, n in country.populations if p == place_id)
    before = [n for y, n in figures if y <= year]
    if before:
        return before[-1]
    return figures[0][1] if figures else None


def recount(country: Country, week: EpiWeek, units: list[uuid.UUID]) -> list[tuple[Any, ...]]:
    """The alerts ``week`` raises at ``units``, recounted from the generated data."""
    series: dict[tuple[uuid.UUID, str], dict[EpiWeek, list[int]]] = defaultdict(dict)
    for key in country.reported.keys() | country.listed.keys():
        facility, disease, y, w = key
        r, listed = country.reported.get(key, [0, 0]), country.listed.get(key, [0, 0, 0])
        figures = [max(r[0], listed[0]), max(r[1], listed[1]), listed[2]]
        path = country.places[facility]["path"]
        for unit in units:
            if path.startswith(country.places[unit]["path"]):
                total = series[(unit, disease)].setdefault(EpiWeek(y, w), [0, 0, 0])
                for i in range(3):
                    total[i] += figures[i]
    book, versions = _book()
    expected = []
    for unit in sorted(units, key=lambda u: country.places[u]["path"]):
        for disease, rules in book.items():
            weekly = {w: Counts(*c) for w, c in series.get((unit, disease), {}).items()}
            fired = evaluate(
                rules,
                week,
                weekly,
                population=_population(country, unit, week.year),
                calendar=CAL,
                unit=UNITS[country.kind(unit)],
            )
            for firing in fired:
                opened = (unit, disease, firing.rule.level.value)
                if opened not in country.open:
                    country.open.add(opened)
                    expected.append(
                        (
                            unit,
                            disease,
                            (week.year, week.week),
                            firing.rule.level.value,
                            firing.rule.code,
                            firing.rule.as_data(),
                            versions.get(disease, 0),
                            firing.figures,
                        )
                    )
    return expected


def _got(alerts: list[AlertRead], country: Country) -> list[tuple[Any, ...]]:
    by_code = {p["code"]: p["id"] for p in country.places.values()}
    return [
        (
            by_code[a.place_code],
            a.disease.value,
            (a.epi_year, a.epi_week),
            a.level.value,
            a.rule_code,
            a.rule,
            a.threshold_version,
            a.figures,
        )
        for a in alerts
    ]


def _check_written(session: Session, alerts: list[AlertRead], actor: Actor) -> None:
    """Each alert is stored, audited, and in the change log with its audit event."""
    session.expire_all()  # read what the database holds, not the objects of the flush
    ids = [a.id for a in alerts]
    stored = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(ids)))}
    assert set(stored) == set(ids)
    events = {
        e.entity_id: e
        for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_id.in_(ids)))
    }
    assert set(events) == set(ids)
    changes = list(
        session.scalars(
            select(Change).where(Change.row_id.in_(ids + [e.id for e in events.values()]))
        )
    )
    by_row = {c.row_id: c for c in changes}
    assert len(by_row) == len(changes) == 2 * len(ids)
    for read in alerts:
        alert, event = stored[read.id], events[read.id]
        assert (alert.status, alert.created_by_id, alert.figures) == (
            "raised",
            actor.id,
            read.figures,
        )
        assert (event.action, event.entity_type, event.place_id, event.actor_id) == (
            AuditAction.CREATE.value,
            "outbreaks_alert",
            alert.place_id,
            actor.id,
        )
        assert (event.channel, event.ip, event.before, event.patient_id) == (
            actor.channel,
            actor.ip,
            None,
            None,
        )
        assert event.after == {"rule": alert.rule_code, "figures": alert.figures}
        path = session.get(Place, alert.place_id).path  # type: ignore[union-attr]
        for row, change, kind in ((alert, by_row[alert.id], "lineage"),
                                  (event, by_row[event.id], "upload")):  # fmt: skip
            assert (change.entity, change.kind, change.scope_path) == (
                type(row).__tablename__,
                kind,
                path,
            )
            assert (change.base, change.shared_path, change.patient_id) == (None, None, None)
            assert change.origin_node_id is None and change.audience_path is None
            written = row_of(row)
            assert change.row.keys() == written.keys()
            for key, value in change.row.items():
                if isinstance(getattr(row, key), datetime):
                    assert datetime.fromisoformat(value) == getattr(row, key), key
                else:
                    assert value == to_json(getattr(row, key)), key


@pytest.mark.parametrize("seed", [3, 11])
def test_alerts_match_a_recount(session: Session, world: World, seed: int) -> None:
    last = weeks_ago(1)
    with session.begin():
        country = _generate(session, world, seed, last)
    top = next(p for p in country.places.values() if p["kind"] == "country")
    actor = Actor(
        id=world.users["administrator"].id,
        username="admin",
        full_name="Admin",
        grants=(Grant(Role.ADMINISTRATOR, (top["path"],)),),
        channel="api",
        ip="10.0.0.9",
    )
    units = [p for p, row in country.places.items() if row["kind"] in UNITS]
    turn = EpiWeek(last.year, 1)
    fired, codes = 0, set()
    for week in (CAL.shift(last, -20), turn, CAL.shift(turn, 1), CAL.shift(last, -1), last):
        expected = recount(country, week, units)
        raised = service.evaluate_country(session, country.code, week, actor=actor, config=CONFIG)
        assert _got(raised, country) == expected, week
        with session.begin():
            _check_written(session, raised, actor)
        # The same week again: everything is open, nothing new.
        assert (
            service.evaluate_country(session, country.code, week, actor=actor, config=CONFIG) == []
        )
        fired += len(raised)
        codes |= {a.rule_code for a in raised}
    assert fired > 20
    assert any(level == Level.EPIDEMIC.value for _, _, level in country.open)
    # Every rule family fired: counts, clusters, rates, increases on both baselines.
    assert {"cholera-alert", "measles-alert-cluster", "malaria-r", "malaria-x"} <= codes
    assert "malaria-e" in codes or "meningitis-alert-rate" in codes
    # The evaluation one report triggers: its health area and district only, same alerts.
    facility = next(
        p for p, row in country.places.items()
        if row["kind"] == "facility" and country.kind(row["parent_id"]) == "health_area"
    )  # fmt: skip
    own = [
        u for u in units if country.places[facility]["path"].startswith(country.places[u]["path"])
    ]
    assert len(own) == 2
    for back in range(2, 60):
        week = CAL.shift(last, -back)
        expected = recount(country, week, own)
        with session.begin():
            place = session.get(Place, facility)
            assert place is not None
            got = _got(evaluate_for(session, actor, place, week, CONFIG), country)
        assert got == expected, week
