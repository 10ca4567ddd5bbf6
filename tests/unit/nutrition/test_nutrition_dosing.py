"""Dose bands, rations and visit intervals (docs/clinical-rules.md §2, §3.1, §3.3, §3.4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alima.core.errors import RuleViolation
from alima.nutrition.enums import (
    Band,
    DoseMethod,
    Oedema,
    Product,
    SachetRounding,
    StepOperation,
    Unit,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import ProtocolDefinition, apply_overrides
from alima.nutrition.rules import (
    Quantity,
    RationStep,
    classify,
    dose_band,
    next_visit_on,
    ration,
    round_sachets,
    visit_interval_days,
)
from tests.unit.nutrition.builders import COMPAS, OPTIMA, STANDARD, make_measurement

D = Decimal
SEVERE, MOD, LOW, HIGH, NORMAL = (
    Band.SEVERE,
    Band.MODERATE,
    Band.MODERATE_LOW,
    Band.MODERATE_HIGH,
    Band.NORMAL,
)


@pytest.mark.parametrize(
    (
        "weight_kg",
        "muac_mm",
        "oedema",
        "band",
        "kcal_kg",
        "kcal_day",
        "exact",
        "per_day",
        "per_week",
    ),
    [
        (6.0, 113, Oedema.NONE, SEVERE, 170, D(1020), D("2.04"), D("2.5"), 18),
        (6.0, 117, Oedema.NONE, LOW, 125, D(750), D("1.50"), D("1.5"), 11),
        (6.0, 122, Oedema.NONE, HIGH, 75, D(450), D("0.90"), D("1.0"), 7),
        (6.0, 130, Oedema.PLUS1, SEVERE, 170, D(1020), D("2.04"), D("2.5"), 18),
        (6.0, 125, Oedema.NONE, HIGH, 75, D(450), D("0.90"), D("1.0"), 7),
        (8.3, 112, Oedema.NONE, SEVERE, 170, D(1411), D("2.822"), D("3.0"), 21),
        (4.5, 119, Oedema.NONE, LOW, 125, D("562.5"), D("1.125"), D("1.5"), 11),
        (10.0, 124, Oedema.NONE, HIGH, 75, D(750), D("1.50"), D("1.5"), 11),
        (5.0, 114, Oedema.NONE, SEVERE, 170, D(850), D("1.70"), D("2.0"), 14),
    ],
    ids=[
        "6.0kg-113mm-170",
        "6.0kg-117mm-125",
        "6.0kg-122mm-75",
        "6.0kg-oedema-170",
        "6.0kg-125mm-keeps-75",
        "8.3kg-112mm",
        "4.5kg-119mm-half-kcal-kept",
        "10kg-124mm-exact-half",
        "5.0kg-114mm-exact-whole",
    ],
)
def test_optima_ration(
    *,
    weight_kg: float,
    muac_mm: int,
    oedema: Oedema,
    band: Band,
    kcal_kg: int,
    kcal_day: Decimal,
    exact: Decimal,
    per_day: Decimal,
    per_week: int,
) -> None:
    classified = classify(make_measurement(muac_mm, weight_kg, oedema=oedema), OPTIMA).band
    r = ration(band=classified, weight_kg=weight_kg, days=7, p=OPTIMA)
    assert (r.band, r.kcal_per_kg_day, r.kcal_per_day) == (band, kcal_kg, kcal_day)
    assert (r.sachets_per_day_exact, r.sachets_per_day) == (exact, per_day)
    assert (r.sachets_per_week, r.sachets_for_period) == (per_week, per_week)
    assert (r.product, r.method) == (Product.RUTF, DoseMethod.KCAL_PER_KG)
    assert r.kcal_per_day_given == per_day * 500


def test_optima_ration_steps_show_the_arithmetic() -> None:
    """170 kcal/kg/d x 6.0 kg = 1020 kcal/d; 1020 / 500 = 2.04 -> 2.5 sachets/d; x 7 d = 18."""
    r = ration(band=SEVERE, weight_kg=6.0, days=7, p=OPTIMA)
    assert r.steps == (
        RationStep(
            StepOperation.MULTIPLY,
            (Quantity(D(170), Unit.KCAL_PER_KG_DAY), Quantity(D("6.0"), Unit.KG)),
            Quantity(D(1020), Unit.KCAL_PER_DAY),
        ),
        RationStep(
            StepOperation.DIVIDE,
            (Quantity(D(1020), Unit.KCAL_PER_DAY), Quantity(D(500), Unit.KCAL_PER_SACHET)),
            Quantity(D("2.04"), Unit.SACHETS_PER_DAY),
        ),
        RationStep(
            StepOperation.ROUND,
            (Quantity(D("2.04"), Unit.SACHETS_PER_DAY),),
            Quantity(D("2.5"), Unit.SACHETS_PER_DAY),
            SachetRounding.CEIL_HALF_PER_DAY,
        ),
        RationStep(
            StepOperation.MULTIPLY,
            (Quantity(D("2.5"), Unit.SACHETS_PER_DAY), Quantity(D(7), Unit.DAYS)),
            Quantity(D("17.5"), Unit.SACHETS),
        ),
        RationStep(
            StepOperation.ROUND_UP,
            (Quantity(D("17.5"), Unit.SACHETS),),
            Quantity(D(18), Unit.SACHETS),
        ),
    )


@pytest.mark.parametrize(
    ("sachets", "rounding", "expected"),
    [
        (D("2.04"), SachetRounding.CEIL_HALF_PER_DAY, D("2.5")),
        (D("2.04"), SachetRounding.CEIL_WHOLE_PER_DAY, D(3)),
        (D("2.04"), SachetRounding.NEAREST_HALF_PER_DAY, D(2)),
        (D("2.04"), SachetRounding.CEIL_PERIOD_TOTAL, D("2.04")),
        (D("2.25"), SachetRounding.NEAREST_HALF_PER_DAY, D("2.5")),
        (D("2.74"), SachetRounding.NEAREST_HALF_PER_DAY, D("2.5")),
        (D("2.75"), SachetRounding.NEAREST_HALF_PER_DAY, D(3)),
        (D("2.50"), SachetRounding.CEIL_HALF_PER_DAY, D("2.5")),
        (D("2.00"), SachetRounding.CEIL_WHOLE_PER_DAY, D(2)),
        (D("0.14"), SachetRounding.NEAREST_HALF_PER_DAY, D("0.5")),
        (D("0.14"), SachetRounding.CEIL_HALF_PER_DAY, D("0.5")),
    ],
    ids=[
        "2.04-ceil-half",
        "2.04-ceil-whole",
        "2.04-nearest-half",
        "2.04-period-total",
        "2.25-nearest-half-up",
        "2.74-nearest-half-down",
        "2.75-nearest-half-up",
        "2.5-ceil-half-unchanged",
        "2.0-ceil-whole-unchanged",
        "0.14-nearest-half-floor",
        "0.14-ceil-half",
    ],
)
def test_round_sachets(sachets: Decimal, rounding: SachetRounding, expected: Decimal) -> None:
    assert round_sachets(sachets, rounding) == expected


def test_period_total_rounding() -> None:
    p = apply_overrides(OPTIMA, {"dosing": {"rounding": "ceil_period_total"}})
    r = ration(band=SEVERE, weight_kg=6.0, days=7, p=p)
    assert (r.sachets_per_day, r.sachets_for_period, r.sachets_per_week) == (D("2.04"), 15, 15)
    assert StepOperation.ROUND not in [step.operation for step in r.steps]


@pytest.mark.parametrize(
    ("band", "weight_kg", "days", "per_day", "period"),
    [
        (SEVERE, 6.0, 7, D(2), 14),
        (SEVERE, None, 7, D(2), 14),
        (MOD, 9.0, 14, D(1), 14),
        (NORMAL, 9.0, 14, D(1), 14),
    ],
    ids=["severe-2-a-day", "weight-not-needed", "moderate-1-a-day", "normal-keeps-1-a-day"],
)
def test_compas_ration(
    band: Band, weight_kg: float | None, days: int, per_day: Decimal, period: int
) -> None:
    r = ration(band=band, weight_kg=weight_kg, days=days, p=COMPAS)
    assert (r.sachets_per_day, r.sachets_for_period, r.product) == (per_day, period, Product.RUTF)
    assert r.kcal_per_day == per_day * 500
    assert r.method is DoseMethod.FIXED
    assert r.steps[0].operation is StepOperation.FIXED


# Weekly totals are those of the quoted (Afghanistan) format-example table: 11, 14, 18, 21, 25,
# 28, 32, 35 sachets.
@pytest.mark.parametrize(
    ("weight_kg", "per_day", "per_week"),
    [
        (3.5, D("1.5"), 11),
        (3.9, D("1.5"), 11),
        (4.0, D("1.5"), 11),
        (4.6, D(2), 14),
        (5.6, D(2), 14),
        (5.7, D("2.5"), 18),
        (6.9, D("2.5"), 18),
        (7.0, D(3), 21),
        (8.4, D(3), 21),
        (8.5, D("3.5"), 25),
        (9.5, D(4), 28),
        (10.5, D("4.5"), 32),
        (11.9, D("4.5"), 32),
        (12.0, D(5), 35),
        (16.2, D(5), 35),
    ],
    ids=[
        "3.5",
        "3.9",
        "4.0",
        "4.6",
        "5.6",
        "5.7",
        "6.9",
        "7.0",
        "8.4",
        "8.5",
        "9.5",
        "10.5",
        "11.9",
        "12.0",
        "16.2",
    ],
)
def test_standard_sam_weight_table(weight_kg: float, per_day: Decimal, per_week: int) -> None:
    r = ration(band=SEVERE, weight_kg=weight_kg, days=7, p=STANDARD)
    assert (r.sachets_per_day, r.sachets_per_week, r.sachets_for_period) == (
        per_day,
        per_week,
        per_week,
    )
    assert (r.product, r.method) == (Product.RUTF, DoseMethod.WEIGHT_TABLE)
    assert r.steps[0].operation is StepOperation.LOOKUP


def test_standard_table_lookup_step_shows_the_row() -> None:
    r = ration(band=SEVERE, weight_kg=6.0, days=7, p=STANDARD)
    assert r.steps[0] == RationStep(
        StepOperation.LOOKUP,
        (Quantity(D("6.0"), Unit.KG), Quantity(D("5.7"), Unit.KG), Quantity(D("7.0"), Unit.KG)),
        Quantity(D("2.5"), Unit.SACHETS_PER_DAY),
    )


def test_standard_mam_rusf() -> None:
    r = ration(band=MOD, weight_kg=8.0, days=14, p=STANDARD)
    assert (r.product, r.sachets_per_day, r.sachets_for_period, r.kcal_per_day) == (
        Product.RUSF,
        D(1),
        14,
        D(500),
    )


@pytest.mark.parametrize(
    ("p", "band", "weight_kg", "code"),
    [
        (OPTIMA, SEVERE, None, NutritionError.NUT_005),
        (OPTIMA, SEVERE, 0.0, NutritionError.NUT_007),
        (STANDARD, SEVERE, None, NutritionError.NUT_005),
        (STANDARD, SEVERE, 3.4, NutritionError.NUT_019),
        (COMPAS, LOW, 6.0, NutritionError.NUT_022),
    ],
    ids=[
        "optima-no-weight",
        "optima-zero-weight",
        "standard-no-weight",
        "below-table",
        "band-not-in-compas",
    ],
)
def test_ration_refused(
    p: ProtocolDefinition, band: Band, weight_kg: float | None, code: NutritionError
) -> None:
    with pytest.raises(RuleViolation) as caught:
        ration(band=band, weight_kg=weight_kg, days=7, p=p)
    assert caught.value.code is code


def test_ration_needs_a_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        ration(band=SEVERE, weight_kg=6.0, days=0, p=OPTIMA)


@pytest.mark.parametrize(
    ("p", "band", "days"),
    [
        (OPTIMA, SEVERE, 7),
        (OPTIMA, LOW, 7),
        (OPTIMA, HIGH, 7),
        (OPTIMA, NORMAL, 7),
        (COMPAS, SEVERE, 7),
        (COMPAS, MOD, 14),
        (COMPAS, NORMAL, 14),
        (STANDARD, SEVERE, 7),
        (STANDARD, MOD, 14),
    ],
    ids=[
        "optima-severe",
        "optima-low",
        "optima-high",
        "optima-normal",
        "compas-severe-weekly",
        "compas-moderate-fortnightly",
        "compas-normal",
        "standard-otp-weekly",
        "standard-tsfp-fortnightly",
    ],
)
def test_visit_interval(p: ProtocolDefinition, band: Band, days: int) -> None:
    assert visit_interval_days(band, p) == days


def test_next_visit_on() -> None:
    assert next_visit_on(date(2025, 3, 3), MOD, COMPAS) == date(2025, 3, 17)
    assert next_visit_on(date(2025, 12, 29), SEVERE, OPTIMA) == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("p", "history", "expected"),
    [
        (COMPAS, [SEVERE], SEVERE),
        (COMPAS, [SEVERE, MOD], SEVERE),
        (COMPAS, [SEVERE, MOD, MOD], MOD),
        (COMPAS, [SEVERE, MOD, SEVERE, MOD], SEVERE),
        (COMPAS, [SEVERE, MOD, MOD, SEVERE], SEVERE),
        (COMPAS, [MOD, SEVERE], SEVERE),
        (COMPAS, [SEVERE, NORMAL, NORMAL], MOD),
        (COMPAS, [MOD, NORMAL], MOD),
        (OPTIMA, [SEVERE, LOW], LOW),
        (OPTIMA, [SEVERE, LOW, HIGH], HIGH),
        (OPTIMA, [HIGH, SEVERE], SEVERE),
        (OPTIMA, [SEVERE, NORMAL], HIGH),
        (STANDARD, [SEVERE, MOD, MOD, NORMAL], SEVERE),
        (STANDARD, [MOD, SEVERE, MOD], SEVERE),
        (STANDARD, [MOD, MOD, NORMAL], MOD),
    ],
    ids=[
        "compas-admission",
        "compas-one-115-stays-2-sachets",
        "compas-two-115-transition",
        "compas-relapse-to-sam-restarts-count",
        "compas-back-up-at-once",
        "compas-mam-to-sam-at-once",
        "compas-normal-counts-as-moderate",
        "compas-mam-first-125",
        "optima-down-at-once",
        "optima-band-by-band",
        "optima-up-at-once",
        "optima-first-125-keeps-lowest",
        "standard-sam-rutf-until-cure",
        "standard-mam-turned-sam",
        "standard-mam-stays",
    ],
)
def test_dose_band(p: ProtocolDefinition, history: list[Band], expected: Band) -> None:
    assert dose_band(history, p) is expected


def test_dose_band_needs_history() -> None:
    with pytest.raises(ValueError, match="admission"):
        dose_band([], OPTIMA)


WEIGHTS = st.decimals(min_value="3.0", max_value="25.0", places=1).map(float)


@given(weight=WEIGHTS, muac_a=st.integers(60, 200), muac_b=st.integers(60, 200))
def test_optima_dose_never_rises_with_muac(weight: float, muac_a: int, muac_b: int) -> None:
    low, high = sorted((muac_a, muac_b))
    dose_low = ration(
        band=classify(make_measurement(low), OPTIMA).band, weight_kg=weight, days=7, p=OPTIMA
    )
    dose_high = ration(
        band=classify(make_measurement(high), OPTIMA).band, weight_kg=weight, days=7, p=OPTIMA
    )
    assert dose_high.sachets_per_day <= dose_low.sachets_per_day
    assert dose_high.kcal_per_day <= dose_low.kcal_per_day


@given(
    band=st.sampled_from([SEVERE, LOW, HIGH]),
    weight_a=WEIGHTS,
    weight_b=WEIGHTS,
    rounding=st.sampled_from(list(SachetRounding)),
)
def test_optima_dose_never_falls_with_weight(
    band: Band, weight_a: float, weight_b: float, rounding: SachetRounding
) -> None:
    p = (
        OPTIMA
        if rounding is OPTIMA.dosing.rounding
        else apply_overrides(OPTIMA, {"dosing": {"rounding": rounding.value}})
    )
    light, heavy = sorted((weight_a, weight_b))
    assert (
        ration(band=band, weight_kg=light, days=7, p=p).sachets_per_day
        <= ration(band=band, weight_kg=heavy, days=7, p=p).sachets_per_day
    )


@given(weight=WEIGHTS, band=st.sampled_from([SEVERE, LOW, HIGH]), days=st.integers(1, 28))
def test_optima_never_below_prescription(weight: float, band: Band, days: int) -> None:
    r = ration(band=band, weight_kg=weight, days=days, p=OPTIMA)
    assert r.sachets_per_day >= r.sachets_per_day_exact
    assert r.sachets_per_day - r.sachets_per_day_exact < D("0.5")
    assert r.sachets_per_day * days <= r.sachets_for_period < r.sachets_per_day * days + 1
