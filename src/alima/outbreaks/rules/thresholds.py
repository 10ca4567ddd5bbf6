"""Alert and epidemic thresholds as data, and whether a place's weekly figures cross them.

A rule is one line of a country's threshold set (``docs/clinical-rules.md §13.2``):

- ``count``: the measure of the week reaches ``value`` (1 suspected case of cholera);
- ``cluster``: the measure summed over the last ``weeks`` weeks reaches ``value`` (measles:
  5 suspected cases in 4 weeks);
- ``rate``: the week's cases per 100,000 inhabitants of the place reach ``value``
  (meningitis: alert 3, epidemic 10, for 30,000 to 100,000 inhabitants);
- ``increase``: the week's measure is at least ``value`` times a baseline and above it: the
  week ``lag`` weeks before (malaria: 1.5 times the previous week; meningitis below 30,000:
  doubling over 3 weeks is ``value = 2, lag = 2``, from a week of at least ``min_baseline``
  cases), or the mean of the same weeks (``spread``
  either side) of the ``years`` previous epi years.

``population_min`` (inclusive) and ``population_max`` (exclusive) restrict a rule to places of
that size. A rule with a range needs the population, except a count or cluster: a missing
population never silences an absolute count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from alima.outbreaks.enums import Baseline, Disease, Level, Measure, RuleKind, Unit
from alima.outbreaks.rules.epiweeks import EpiCalendar, EpiWeek

PER = 100_000


class Counts(NamedTuple):
    """A place's figures of one disease in one week."""

    cases: int = 0
    deaths: int = 0
    confirmed: int = 0

    def of(self, measure: Measure) -> int:
        """The figure ``measure`` names."""
        return int(getattr(self, measure.value))


#: A place's figures of one disease by week; a week not in it had nothing (zero reporting).
Series = Mapping[EpiWeek, Counts]
ZERO = Counts()


@dataclass(frozen=True)
class ThresholdRule:
    """One threshold of a disease (see the module docstring)."""

    code: str
    disease: Disease
    level: Level
    kind: RuleKind
    value: float
    measure: Measure = Measure.CASES
    weeks: int = 1
    population_min: int | None = None
    population_max: int | None = None
    baseline: Baseline = Baseline.PREVIOUS_WEEK
    lag: int = 1
    years: int = 5
    spread: int = 1
    min_cases: int = 1
    min_baseline: float = 0
    units: frozenset[Unit] = field(default_factory=lambda: frozenset(Unit))

    def __post_init__(self) -> None:
        if self.value <= 0:
            raise ValueError(f"{self.code}: the value must be above 0")
        if self.weeks < 1 or self.lag < 1 or self.years < 1 or self.spread < 0:
            raise ValueError(f"{self.code}: weeks, lag and years are 1 or more")
        if self.kind is RuleKind.COUNT and self.weeks != 1:
            raise ValueError(f"{self.code}: a count is of one week (use a cluster)")
        low, high = self.population_min, self.population_max
        if low is not None and high is not None and low >= high:
            raise ValueError(f"{self.code}: population_min must be below population_max")

    def for_population(self, population: int | None) -> bool:
        """Whether the rule applies to a place of ``population`` inhabitants (``None``: unknown)."""
        ranged = self.population_min is not None or self.population_max is not None
        if not population:
            if self.kind is RuleKind.RATE:
                return False
            return not ranged or self.kind in (RuleKind.COUNT, RuleKind.CLUSTER)
        if self.population_min is not None and population < self.population_min:
            return False
        return self.population_max is None or population < self.population_max

    def as_data(self) -> dict[str, Any]:
        """The rule as stored with an alert and in a threshold set (defaults left out)."""
        data: dict[str, Any] = {
            "code": self.code,
            "disease": self.disease.value,
            "level": self.level.value,
            "kind": self.kind.value,
            "value": self.value,
        }
        default = ThresholdRule(self.code, self.disease, self.level, self.kind, self.value)
        for name in ("measure", "weeks", "population_min", "population_max", "baseline"):
            if getattr(self, name) != getattr(default, name):
                data[name] = _plain(getattr(self, name))
        for name in ("lag", "years", "spread", "min_cases", "min_baseline"):
            if getattr(self, name) != getattr(default, name):
                data[name] = getattr(self, name)
        if self.units != default.units:
            data["units"] = sorted(u.value for u in self.units)
        return data


def _plain(value: object) -> object:
    return value.value if isinstance(value, Measure | Baseline) else value


@dataclass(frozen=True)
class Firing:
    """A rule crossed, with the figures that crossed it."""

    rule: ThresholdRule
    week: EpiWeek
    figures: dict[str, int | float]


def _measure(series: Series, week: EpiWeek, measure: Measure) -> int:
    return series.get(week, ZERO).of(measure)


def check(
    rule: ThresholdRule,
    week: EpiWeek,
    series: Series,
    *,
    population: int | None,
    calendar: EpiCalendar,
) -> Firing | None:
    """The firing of ``rule`` by the place's figures in ``week``, or ``None``."""
    if not rule.for_population(population):
        return None
    now = _measure(series, week, rule.measure)
    figures: dict[str, int | float] = {rule.measure.value: now, "threshold": rule.value}
    if population:
        figures["population"] = population
    if rule.kind is RuleKind.COUNT:
        return Firing(rule, week, figures) if now >= rule.value else None
    if rule.kind is RuleKind.CLUSTER:
        total = sum(
            _measure(series, calendar.shift(week, -back), rule.measure)
            for back in range(rule.weeks)
        )
        figures |= {"weeks": rule.weeks, "total": total}
        return Firing(rule, week, figures) if total >= rule.value else None
    if rule.kind is RuleKind.RATE:
        assert population  # noqa: S101 - for_population refused a rate without population
        rate = now * PER / population
        figures["rate"] = round(rate, 2)
        return Firing(rule, week, figures) if rate >= rule.value else None
    base = baseline(rule, week, series, calendar)
    figures["baseline"] = round(base, 2)
    crossed = (
        now >= rule.min_cases
        and base >= rule.min_baseline
        and now > base
        and now >= rule.value * base
    )
    return Firing(rule, week, figures) if crossed else None


@lru_cache(maxsize=4096)
def baseline_weeks(
    rule: ThresholdRule, week: EpiWeek, calendar: EpiCalendar
) -> tuple[EpiWeek, ...]:
    """The weeks an increase rule compares ``week`` with (the same for every place)."""
    if rule.baseline is Baseline.PREVIOUS_WEEK:
        return (calendar.shift(week, -rule.lag),)
    weeks: list[EpiWeek] = []
    for back in range(1, rule.years + 1):
        same = calendar.same_week(week, week.year - back)
        weeks.extend(calendar.shift(same, d) for d in range(-rule.spread, rule.spread + 1))
    return tuple(weeks)


def baseline(rule: ThresholdRule, week: EpiWeek, series: Series, calendar: EpiCalendar) -> float:
    """The figure an increase rule compares the week with (a mean over previous years)."""
    weeks = baseline_weeks(rule, week, calendar)
    return sum(_measure(series, w, rule.measure) for w in weeks) / len(weeks)


def weeks_needed(
    rules: Iterable[ThresholdRule], week: EpiWeek, calendar: EpiCalendar
) -> set[EpiWeek]:
    """Every week whose figures the rules read to judge ``week``."""
    needed = {week}
    for rule in rules:
        if rule.kind is RuleKind.CLUSTER:
            needed.update(calendar.shift(week, -b) for b in range(rule.weeks))
        if rule.kind is RuleKind.INCREASE:
            needed.update(baseline_weeks(rule, week, calendar))
    return needed


def evaluate(
    rules: Iterable[ThresholdRule],
    week: EpiWeek,
    series: Series,
    *,
    population: int | None,
    calendar: EpiCalendar,
    unit: Unit,
) -> list[Firing]:
    """Every rule of the place's unit crossed in ``week``, the highest level first."""
    fired = [
        f
        for rule in rules
        if unit in rule.units
        and (f := check(rule, week, series, population=population, calendar=calendar))
    ]
    return sorted(fired, key=lambda f: (f.rule.level is not Level.EPIDEMIC, f.rule.code))


# --- threshold sets as data -----------------------------------------------------------------

_INTS = ("weeks", "population_min", "population_max", "lag", "years", "spread", "min_cases")
_KNOWN = {
    "code",
    "disease",
    "level",
    "kind",
    "value",
    "measure",
    "baseline",
    "units",
    "min_baseline",
    *_INTS,
}


def parse_rule(data: Mapping[str, Any]) -> ThresholdRule:
    """A rule from its data (a TOML table or stored JSON); ``ValueError`` says what is wrong."""
    unknown = set(data) - _KNOWN
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    try:
        code = str(data["code"])
        value = float(data["value"])
        kwargs: dict[str, Any] = {
            name: int(data[name]) for name in _INTS if data.get(name) is not None
        }
        if data.get("min_baseline") is not None:
            kwargs["min_baseline"] = float(data["min_baseline"])
        if "measure" in data:
            kwargs["measure"] = Measure(data["measure"])
        if "baseline" in data:
            kwargs["baseline"] = Baseline(data["baseline"])
        if "units" in data:
            kwargs["units"] = frozenset(Unit(u) for u in data["units"])
        return ThresholdRule(
            code=code,
            disease=Disease(data["disease"]),
            level=Level(data["level"]),
            kind=RuleKind(data["kind"]),
            value=value,
            **kwargs,
        )
    except KeyError as missing:
        raise ValueError(f"missing key {missing}") from None
    except TypeError as wrong:
        raise ValueError(str(wrong)) from None


def parse_rules(items: Iterable[Mapping[str, Any]]) -> list[ThresholdRule]:
    """Rules from their data; codes are unique."""
    rules = [parse_rule(item) for item in items]
    codes = [r.code for r in rules]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule codes {duplicates}")
    return rules
