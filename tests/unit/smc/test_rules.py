"""SMC rules at their cut-offs: age on the cycle date, dose band, exclusions, vomiting
(docs/clinical-rules.md §7, §14)."""

import math
from datetime import date, timedelta

import pytest

from alima.core.errors import RuleViolation
from alima.growth.engine import DAYS_PER_MONTH
from alima.smc import rules
from alima.smc.enums import AgeBand, Exclusion, Product
from alima.smc.errors import SmcError

CYCLE_DATE = date(2026, 7, 15)


def born_months_before(months: float, on: date = CYCLE_DATE) -> date:
    """A birth date ``months`` 30.4375-day months before ``on`` (the first such whole day)."""
    return on - timedelta(days=math.ceil(months * DAYS_PER_MONTH))


@pytest.mark.parametrize(
    ("months", "band", "aq_mg", "sp"),
    [
        pytest.param(2.9, None, None, None, id="2.9-refused"),
        pytest.param(3.0, AgeBand.INFANT, 76.5, (250, 12.5), id="3.0-infant"),
        pytest.param(11.9, AgeBand.INFANT, 76.5, (250, 12.5), id="11.9-infant"),
        pytest.param(12.0, AgeBand.CHILD, 153.0, (500, 25.0), id="12.0-child"),
        pytest.param(59.9, AgeBand.CHILD, 153.0, (500, 25.0), id="59.9-child"),
        pytest.param(60.0, None, None, None, id="60.0-refused"),
    ],
)
def test_dose_at_the_age_boundaries_on_the_cycle_date(
    months: float, band: AgeBand | None, aq_mg: float | None, sp: tuple[int, float] | None
) -> None:
    birth = born_months_before(months)
    age = rules.age_months(birth, CYCLE_DATE)
    assert age == pytest.approx(months, abs=0.04)
    if band is None:
        with pytest.raises(RuleViolation) as refused:
            rules.dose_for(age)
        assert refused.value.code == (SmcError.SMC_001 if months < 3 else SmcError.SMC_002)
        return
    dose = rules.dose_for(age)
    assert dose.band == band
    assert dose.aq_mg == aq_mg
    assert dose.aq_tablets == 3
    assert (dose.sp_sulfadoxine_mg, dose.sp_pyrimethamine_mg) == sp


@pytest.mark.parametrize(
    ("days", "band"),
    [
        pytest.param(math.ceil(3 * DAYS_PER_MONTH) - 1, None, id="day-before-3-months"),
        pytest.param(math.ceil(3 * DAYS_PER_MONTH), AgeBand.INFANT, id="first-day-3-months"),
        pytest.param(math.ceil(12 * DAYS_PER_MONTH) - 1, AgeBand.INFANT, id="last-day-infant"),
        pytest.param(math.ceil(12 * DAYS_PER_MONTH), AgeBand.CHILD, id="first-day-child"),
        pytest.param(math.ceil(60 * DAYS_PER_MONTH) - 1, AgeBand.CHILD, id="last-day-59-months"),
        pytest.param(math.ceil(60 * DAYS_PER_MONTH), None, id="first-day-60-months"),
    ],
)
def test_the_band_changes_on_the_exact_day(days: int, band: AgeBand | None) -> None:
    age = rules.age_months(CYCLE_DATE - timedelta(days=days), CYCLE_DATE)
    if band is None:
        with pytest.raises(RuleViolation):
            rules.band_for(age)
    else:
        assert rules.band_for(age) == band


def test_age_is_taken_on_the_cycle_date_not_the_day_given() -> None:
    """A child turning 12 months during the cycle keeps the infant dose for the cycle."""
    cycle_date = CYCLE_DATE
    birth = born_months_before(11.9, cycle_date)
    later = cycle_date + timedelta(days=10)
    assert rules.band_for(rules.age_months(birth, cycle_date)) == AgeBand.INFANT
    assert rules.band_for(rules.age_months(birth, later)) == AgeBand.CHILD


def test_the_refusal_says_the_age_in_completed_months() -> None:
    with pytest.raises(RuleViolation) as refused:
        rules.check_age(2.95)
    assert refused.value.context["months"] == 2
    with pytest.raises(RuleViolation) as refused:
        rules.check_age(61.2)
    assert refused.value.context["months"] == 61


def test_products_of_the_bands() -> None:
    assert rules.DOSES[AgeBand.INFANT].product == Product.SPAQ_3_11
    assert rules.DOSES[AgeBand.CHILD].product == Product.SPAQ_12_59


@pytest.mark.parametrize(
    ("findings", "reason"),
    [
        pytest.param(rules.Findings(), None, id="well-child-given"),
        pytest.param(rules.Findings(sick=True), Exclusion.SICK, id="fever-test-and-treat"),
        pytest.param(rules.Findings(allergy=True), Exclusion.ALLERGY, id="allergy"),
        pytest.param(
            rules.Findings(cotrimoxazole=True), Exclusion.COTRIMOXAZOLE, id="cotrimoxazole"
        ),
        pytest.param(
            rules.Findings(severe_malnutrition=True),
            Exclusion.SEVERE_MALNUTRITION,
            id="severe-malnutrition",
        ),
        pytest.param(
            rules.Findings(already_received=True), Exclusion.ALREADY_RECEIVED, id="already"
        ),
        pytest.param(
            rules.Findings(cotrimoxazole=True, sick=True), Exclusion.SICK, id="sick-first"
        ),
        pytest.param(
            rules.Findings(allergy=True, severe_malnutrition=True),
            Exclusion.SEVERE_MALNUTRITION,
            id="referral-before-allergy",
        ),
    ],
)
def test_exclusions(findings: rules.Findings, reason: Exclusion | None) -> None:
    assert rules.exclusion(findings) == reason


@pytest.mark.parametrize(
    ("given", "vomited", "redosed", "redose_allowed", "blisters", "error"),
    [
        pytest.param(True, False, False, True, 1, None, id="given"),
        pytest.param(True, True, False, True, 1, None, id="vomited-not-redosed"),
        pytest.param(True, True, True, True, 2, None, id="redosed"),
        pytest.param(True, True, True, False, 0, SmcError.SMC_009, id="redose-not-used"),
        pytest.param(True, False, True, True, 0, SmcError.SMC_010, id="redose-without-vomit"),
        pytest.param(False, False, False, True, 0, None, id="excluded"),
        pytest.param(False, True, False, True, 0, SmcError.SMC_014, id="excluded-vomited"),
    ],
)
def test_vomiting_and_redose(  # noqa: PLR0917 - one parameter per column of the table
    given: bool,
    vomited: bool,
    redosed: bool,
    redose_allowed: bool,
    blisters: int,
    error: SmcError | None,
) -> None:
    rule = rules.VomitingRule(redose=redose_allowed)
    if error is not None:
        with pytest.raises(RuleViolation) as refused:
            rules.blisters_used(given=given, vomited=vomited, redosed=redosed, rule=rule)
        assert refused.value.code == error
        return
    assert rules.blisters_used(given=given, vomited=vomited, redosed=redosed, rule=rule) == blisters


def test_coverage_and_dropout() -> None:
    import uuid

    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    treated = rules.treated_per_cycle([(1, a), (1, b), (1, c), (2, a), (2, b), (2, a)])
    assert {k: len(v) for k, v in treated.items()} == {1: 3, 2: 2}
    assert rules.dropout(treated, 1, 2) == (1, 3)
    assert rules.percent(1, 3) == 33.3
    assert rules.percent(1, 0) is None
    assert rules.target_from_population(1000, 18.0) == 180
    assert rules.target_from_population(1001, 18.0) == 181
