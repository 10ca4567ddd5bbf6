"""Every default threshold rule at and around its cut-offs (docs/clinical-rules.md §13.2).

Must-show 1: the rules of ``thresholds.toml`` (§8.1, §8.2) read with the figures just below,
at and just above each threshold.
"""

from __future__ import annotations

import pytest

from alima.outbreaks.defaults import default_rules
from alima.outbreaks.enums import Disease, Level, RuleKind, Unit
from alima.outbreaks.rules.epiweeks import ISO, EpiWeek
from alima.outbreaks.rules.thresholds import (
    Counts,
    ThresholdRule,
    check,
    evaluate,
    parse_rule,
    parse_rules,
)

WEEK = EpiWeek(2026, 10)
RULES = {r.code: r for r in default_rules()}


def fires(code: str, series: dict[EpiWeek, Counts], population: int | None) -> bool:
    return check(RULES[code], WEEK, series, population=population, calendar=ISO) is not None


def this_week(cases: int = 0, deaths: int = 0, confirmed: int = 0) -> dict[EpiWeek, Counts]:
    return {WEEK: Counts(cases, deaths, confirmed)}


def before(weeks: int) -> EpiWeek:
    return ISO.shift(WEEK, -weeks)


# --- meningitis (§8.1) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "cases", "alert", "epidemic"),
    [
        # 50,000 inhabitants: 3/100,000 is 1.5 cases, 10/100,000 is 5 cases.
        (50_000, 1, False, False),
        (50_000, 2, True, False),
        (50_000, 4, True, False),
        (50_000, 5, True, True),
        # 100,000 (the top of the range, inclusive): 3 and 10 cases.
        (100_000, 2, False, False),
        (100_000, 3, True, False),
        (100_000, 9, True, False),
        (100_000, 10, True, True),
        # 30,000 (the bottom, inclusive): 0.9 and 3 cases.
        (30_000, 1, True, False),
        (30_000, 2, True, False),
        (30_000, 3, True, True),
        # Above 100,000 the rates are not applied (sub-district level, §8.1).
        (100_001, 50, False, False),
        # Unknown population: no rate.
        (None, 50, False, False),
    ],
)
def test_meningitis_rates(population: int | None, cases: int, alert: bool, epidemic: bool) -> None:
    assert fires("meningitis-alert-rate", this_week(cases), population) is alert
    assert fires("meningitis-epidemic-rate", this_week(cases), population) is epidemic


@pytest.mark.parametrize(
    ("population", "cases", "alert", "epidemic"),
    [
        (29_999, 1, False, False),
        (29_999, 2, True, False),
        (29_999, 4, True, False),
        (29_999, 5, True, True),
        (12_000, 5, True, True),
        # 30,000 and more: the counts give way to the rates.
        (30_000, 5, False, False),
        # Unknown population: an absolute count is never silenced.
        (None, 2, True, False),
        (None, 5, True, True),
    ],
)
def test_meningitis_counts_below_30000(
    population: int | None, cases: int, alert: bool, epidemic: bool
) -> None:
    assert fires("meningitis-alert-count", this_week(cases), population) is alert
    assert fires("meningitis-epidemic-count", this_week(cases), population) is epidemic


@pytest.mark.parametrize(
    ("two_weeks_ago", "now", "fired"),
    # A doubling counts from a week at the alert count (2 cases): 1 -> 2 is not an epidemic.
    [
        (1, 2, False),
        (1, 5, False),
        (2, 3, False),
        (2, 4, True),
        (3, 6, True),
        (3, 5, False),
        (0, 2, False),
        (0, 9, False),
    ],
)
def test_meningitis_doubling_over_three_weeks(two_weeks_ago: int, now: int, fired: bool) -> None:
    series = {before(2): Counts(two_weeks_ago), before(1): Counts(40), WEEK: Counts(now)}
    assert fires("meningitis-epidemic-doubling", series, 20_000) is fired
    assert not fires("meningitis-epidemic-doubling", series, 30_000)


def test_meningitis_figures_say_why() -> None:
    firing = check(
        RULES["meningitis-alert-rate"], WEEK, this_week(2), population=50_000, calendar=ISO
    )
    assert firing is not None
    assert firing.figures == {"cases": 2, "threshold": 3.0, "population": 50_000, "rate": 4.0}


# --- immediately notifiable diseases (§8.2) -----------------------------------------------------

NOTIFIABLE = [
    "cholera",
    "yellow_fever",
    "ebola",
    "marburg",
    "lassa",
    "cchf",
    "rvf",
    "dengue",
    "afp",
    "neonatal_tetanus",
    "covid19",
]


@pytest.mark.parametrize("disease", NOTIFIABLE)
@pytest.mark.parametrize(
    ("cases", "confirmed", "alert", "epidemic"),
    [(0, 0, False, False), (1, 0, True, False), (1, 1, True, True), (3, 0, True, False)],
)
def test_one_suspected_case_alerts_one_confirmed_is_an_epidemic(
    disease: str, cases: int, confirmed: int, alert: bool, epidemic: bool
) -> None:
    series = this_week(cases, confirmed=confirmed)
    assert fires(f"{disease}-alert", series, 10_000) is alert
    assert fires(f"{disease}-epidemic", series, 10_000) is epidemic
    assert fires(f"{disease}-alert", series, None) is alert


def test_maternal_death_alerts_on_one_death() -> None:
    assert not fires("maternal_death-alert", this_week(cases=3, deaths=0), 10_000)
    assert fires("maternal_death-alert", this_week(deaths=1), 10_000)


# --- measles: clusters in a month (§8.2) ----------------------------------------------------


@pytest.mark.parametrize(
    ("weekly", "fired"),
    [
        ((1, 1, 1, 1), False),  # 4 in the 4 weeks
        ((1, 1, 1, 2), True),  # 5
        ((0, 0, 0, 5), True),
        ((2, 1, 1, 0), False),  # the 4 weeks ending this week hold 4
    ],
)
def test_measles_five_suspected_in_four_weeks(weekly: tuple[int, ...], fired: bool) -> None:
    series = {before(3 - i): Counts(n) for i, n in enumerate(weekly)}
    assert fires("measles-alert-cluster", series, 20_000) is fired


def test_measles_cluster_ignores_the_fifth_week_back() -> None:
    series = {before(4): Counts(10), WEEK: Counts(4)}
    assert not fires("measles-alert-cluster", series, 20_000)


@pytest.mark.parametrize(("confirmed", "fired"), [((1, 1), False), ((2, 1), True), ((0, 3), True)])
def test_measles_three_igm_positive_in_a_month(confirmed: tuple[int, int], fired: bool) -> None:
    series = {before(3): Counts(3, 0, confirmed[0]), WEEK: Counts(3, 0, confirmed[1])}
    assert fires("measles-epidemic-confirmed", series, 20_000) is fired


def test_cluster_crosses_the_year_end() -> None:
    first = EpiWeek(2027, 1)
    series = {EpiWeek(2026, 52): Counts(2), EpiWeek(2026, 53): Counts(2), first: Counts(1)}
    rule = RULES["measles-alert-cluster"]
    assert check(rule, first, series, population=None, calendar=ISO) is not None


# --- malaria and the weekly increases (§8.2) ------------------------------------------------


@pytest.mark.parametrize(
    ("last", "now", "fired"),
    [
        (20, 29, False),
        (20, 30, True),  # exactly 1.5 times
        (20, 31, True),
        (4, 9, False),  # 2.25 times, but under the 10 cases that make an increase count
        (4, 10, True),
        (0, 10, True),
        (0, 9, False),
    ],
)
def test_malaria_one_and_a_half_times_the_previous_week(last: int, now: int, fired: bool) -> None:
    series = {before(1): Counts(last), WEEK: Counts(now)}
    assert fires("malaria-alert-week", series, 20_000) is fired


def test_malaria_against_the_same_weeks_of_five_years() -> None:
    series: dict[EpiWeek, Counts] = {}
    for back in range(1, 6):
        same = ISO.same_week(WEEK, WEEK.year - back)
        for d in (-1, 0, 1):
            series[ISO.shift(same, d)] = Counts(20)  # a mean of 20
    series[before(1)] = Counts(100)  # last week high: the week's rule stays quiet
    series[WEEK] = Counts(20)
    assert not fires("malaria-alert-years", series, 20_000)
    series[WEEK] = Counts(21)
    assert fires("malaria-alert-years", series, 20_000)
    # A week outside the compared weeks does not change the baseline.
    series[ISO.shift(ISO.same_week(WEEK, WEEK.year - 1), 2)] = Counts(1000)
    assert fires("malaria-alert-years", series, 20_000)
    # Six years back is not read.
    series[ISO.same_week(WEEK, WEEK.year - 6)] = Counts(1000)
    assert fires("malaria-alert-years", series, 20_000)


def test_previous_years_baseline_of_week_53() -> None:
    week = EpiWeek(2026, 53)
    rule = RULES["malaria-alert-years"]
    series = {EpiWeek(2025, 52): Counts(30), week: Counts(12)}  # 2025 has 52 weeks
    firing = check(rule, week, series, population=None, calendar=ISO)
    assert firing is not None
    assert firing.figures["baseline"] == pytest.approx(2.0)  # 30 over 15 weeks


@pytest.mark.parametrize("disease", ["bloody_diarrhoea", "severe_pneumonia", "ili"])
@pytest.mark.parametrize(
    ("last", "now", "fired"), [(6, 6, False), (6, 7, True), (0, 4, False), (0, 5, True)]
)
def test_more_than_last_week(disease: str, last: int, now: int, fired: bool) -> None:
    series = {before(1): Counts(last), WEEK: Counts(now)}
    assert fires(f"{disease}-alert", series, 20_000) is fired


def test_increase_across_a_53_week_year_end() -> None:
    first = EpiWeek(2027, 1)
    series = {EpiWeek(2026, 53): Counts(20), first: Counts(30)}
    rule = RULES["malaria-alert-week"]
    assert check(rule, first, series, population=None, calendar=ISO) is not None


# --- evaluation and the data itself ----------------------------------------------------------


def test_every_default_disease_has_a_rule_and_every_rule_a_test() -> None:
    tested = {
        "meningitis-alert-rate",
        "meningitis-epidemic-rate",
        "meningitis-alert-count",
        "meningitis-epidemic-count",
        "meningitis-epidemic-doubling",
        "measles-alert-cluster",
        "measles-epidemic-confirmed",
        "malaria-alert-week",
        "malaria-alert-years",
        "maternal_death-alert",
        *(f"{d}-alert" for d in NOTIFIABLE),
        *(f"{d}-epidemic" for d in NOTIFIABLE),
        *(f"{d}-alert" for d in ("bloody_diarrhoea", "severe_pneumonia", "ili")),
    }
    assert set(RULES) == tested
    assert {r.disease for r in RULES.values()} == set(Disease)


def test_evaluate_gives_the_epidemic_first_and_only_the_unit_s_rules() -> None:
    rules = list(RULES.values())
    fired = evaluate(rules, WEEK, this_week(6), population=50_000, calendar=ISO, unit=Unit.DISTRICT)
    meningitis = [f for f in fired if f.rule.disease is Disease.MENINGITIS]
    assert [f.rule.code for f in meningitis] == [
        "meningitis-epidemic-rate",
        "meningitis-alert-rate",
    ]
    assert meningitis[0].rule.level is Level.EPIDEMIC
    area_only = parse_rule(
        {
            "code": "x",
            "disease": "cholera",
            "level": "alert",
            "kind": "count",
            "value": 1,
            "units": ["health_area"],
        }
    )
    assert (
        evaluate([area_only], WEEK, this_week(1), population=None, calendar=ISO, unit=Unit.DISTRICT)
        == []
    )


def test_rules_round_trip_through_their_data() -> None:
    for rule in RULES.values():
        assert parse_rule(rule.as_data()) == rule


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "x", "disease": "cholera", "level": "alert", "kind": "count"}, "missing key"),
        ({"code": "x", "disease": "flu", "level": "alert", "kind": "count", "value": 1}, "flu"),
        (
            {"code": "x", "disease": "cholera", "level": "alert", "kind": "count", "value": 0},
            "above 0",
        ),
        (
            {
                "code": "x",
                "disease": "cholera",
                "level": "alert",
                "kind": "count",
                "value": 1,
                "weeks": 4,
            },
            "cluster",
        ),
        (
            {
                "code": "x",
                "disease": "cholera",
                "level": "alert",
                "kind": "rate",
                "value": 1,
                "population_min": 10,
                "population_max": 5,
            },
            "below",
        ),
        (
            {
                "code": "x",
                "disease": "cholera",
                "level": "alert",
                "kind": "count",
                "value": 1,
                "colour": "red",
            },
            "unknown keys",
        ),
    ],
)
def test_bad_rule_data_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rule(data)


def test_duplicate_codes_are_refused() -> None:
    item = {"code": "x", "disease": "cholera", "level": "alert", "kind": "count", "value": 1}
    with pytest.raises(ValueError, match="duplicate"):
        parse_rules([item, item])


def test_a_rule_is_hashable_data() -> None:
    rule = ThresholdRule("c", Disease.CHOLERA, Level.ALERT, RuleKind.COUNT, 1)
    assert hash(rule) == hash(ThresholdRule("c", Disease.CHOLERA, Level.ALERT, RuleKind.COUNT, 1))
