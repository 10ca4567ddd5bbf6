"""WHO's rules one by one: test vectors of docs/clinical-rules.md §5.5 and the rules of 5.1-5.3."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alima.growth import child_zscores, zscores
from alima.growth.engine import GrowthInput, Measure, _round2, compute, r_round, round_half_up


def test_t1_weight_for_age() -> None:
    child = child_zscores(sex=2, age_days=1522, weight=17)
    assert (child.zwei, child.fwei) == (0.24, 0)


def test_t2_lying_after_24_months_and_flag() -> None:
    child = child_zscores(sex=1, age_days=987, lenhei=72.86, measure="l")
    assert child.clenhei == pytest.approx(72.16, abs=1e-12)
    assert (child.zlen, child.flen) == (-6.09, 1)


def test_t3_weight_flag_at_day_1() -> None:
    assert child_zscores(sex=2, age_days=1, weight=10.37).fwei == 1


def test_t4_standing_before_9_months_is_not_adjusted() -> None:
    # 8 and 9 months in days (x 30.4375); the 9-month rule uses the unrounded age.
    eight = child_zscores(sex=1, age_days=8 * 30.4375, lenhei=60, measure="h")
    nine = child_zscores(sex=1, age_days=9 * 30.4375, lenhei=60, measure="h")
    assert eight.clenhei == 60.0
    assert nine.clenhei == pytest.approx(60.7, abs=1e-12)
    assert (eight.zlen, nine.zlen) == (-4.81, -5.02)
    assert eight.note is not None
    assert "9 months" in eight.note
    assert nine.note is None


@pytest.mark.parametrize("measure", ["h", None])
def test_t5_24_months_standing_or_unknown(measure: str | None) -> None:
    child = child_zscores(sex=2, age_days=24 * 30.4375, lenhei=77.5, weight=8.8, measure=measure)
    assert (child.clenhei, child.zlen) == (77.5, -2.55)


@pytest.mark.parametrize(
    ("age_days", "measure", "clenhei"),
    [(730, "h", 100.7), (800, "h", 100.0), (730, "l", 100.0), (800, "l", 99.3)],
    ids=["730-standing", "800-standing", "730-lying", "800-lying"],
)
def test_t6_position_adjustment(age_days: int, measure: str, clenhei: float) -> None:
    child = child_zscores(sex=1, age_days=age_days, lenhei=100, measure=measure)
    assert child.clenhei == pytest.approx(clenhei, abs=1e-12)


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (0.475, 2, 0.48),
        (22.755, 2, 22.75),
        (23.445, 2, 23.44),
        (2.675, 2, 2.67),
        (0.125, 2, 0.12),  # an exact tie goes to the even candidate
        (0.375, 2, 0.38),
        (-0.125, 2, -0.12),
        (-5.004, 2, -5.0),
        (0.15, 1, 0.1),
        (0.05, 1, 0.0),
        (123456789012345.67, 2, 123456789012345.67),  # 15+ digits: unchanged
        (0.0, 2, 0.0),
    ],
)
def test_r_round_matches_r(x: float, digits: int, expected: float) -> None:
    assert r_round(np.array([x]), digits)[0] == expected


def test_fast_two_decimal_rounding_equals_r_algorithm() -> None:
    rng = np.random.default_rng(7)
    ties = np.arange(-100_000, 100_000) / 1000.0  # every x.xx5 value, and more
    values = np.concatenate([rng.normal(0, 4, 200_000), ties, ties + 1e-15, [np.nan, 0.0, -0.0]])
    np.testing.assert_array_equal(_round2(values), r_round(values, 2))


def test_age_rounding_is_half_up() -> None:
    ages = np.array([400.4, 400.49, 400.5, 730.5, 730.49, 0.0, 1826.2])
    np.testing.assert_array_equal(round_half_up(ages), [400, 400, 401, 731, 730, 0, 1826])


@pytest.mark.parametrize(
    ("age_days", "computed"),
    [(1826.0, True), (1826.24, True), (1826.25, False), (1827.0, False)],
)
def test_under_five_on_unrounded_age(age_days: float, computed: bool) -> None:
    child = child_zscores(sex=1, age_days=age_days, weight=18, lenhei=110, measure="h", muac=16)
    values = [child.zlen, child.zwei, child.zwfl, child.zbmi, child.zac]
    assert all((v is not None) is computed for v in values)


def test_muac_for_age_starts_at_91_days() -> None:
    assert child_zscores(sex=1, age_days=90, muac=12.5).zac is None
    assert child_zscores(sex=1, age_days=90.5, muac=12.5).zac is not None  # rounds to 91


def test_oedema_removes_weight_based_zscores_only() -> None:
    codes: tuple[str | bool | None, ...] = ("y", "Y", "1", True)
    for code in codes:
        child = child_zscores(
            sex=2, age_days=400, weight=10, lenhei=76, measure="l", muac=15, oedema=code
        )
        assert (child.zwei, child.zwfl, child.zbmi) == (None, None, None)
        assert (child.fwei, child.fwfl, child.fbmi) == (None, None, None)
        assert (child.zlen, child.zac) == (0.23, 0.62)
    for code in ("n", "N", "2", False, None, ""):  # missing counts as no oedema
        child = child_zscores(
            sex=2, age_days=400, weight=10, lenhei=76, measure="l", muac=15, oedema=code
        )
        assert child.zwei == 0.67


def test_wfl_has_no_fallback_between_tables() -> None:
    # 64.9 cm from 731 days: below the height table, never looked up in the length table.
    assert child_zscores(sex=1, age_days=800, weight=7, lenhei=64.9, measure="h").zwfl is None
    # 110.05 cm before 731 days: above the length table, never looked up in the height table.
    assert child_zscores(sex=1, age_days=600, weight=18, lenhei=110.05, measure="l").zwfl is None


def test_wfl_interpolates_between_rows() -> None:
    def zwfl(lenhei: float) -> float:
        child = child_zscores(
            sex=1, age_days=365, weight=9.6, lenhei=lenhei, measure="l", rounded=False
        )
        assert child.zwfl is not None
        return child.zwfl

    low, mid, high = zwfl(75.0), zwfl(75.05), zwfl(75.1)
    assert min(low, high) < mid < max(low, high)
    assert zwfl(75.04) != zwfl(75.0)
    # Linear in the length between two rows (L is constant in these tables).
    assert min(zwfl(75.04), zwfl(75.05)) < zwfl(75.043) < max(zwfl(75.04), zwfl(75.05))


def test_who_float_quirk_at_103_1_cm_lying() -> None:
    # 103.1 - 0.7 = 102.39999999999999: WHO interpolates from the 102.3 row towards the
    # 102.5 row with d = 0.99999999999986, so the result is (almost) the 102.5 cm value.
    def zwfl(lenhei: float, measure: str) -> float:
        child = child_zscores(
            sex=2, age_days=1070, weight=19.16, lenhei=lenhei, measure=measure, rounded=False
        )
        assert child.zwfl is not None
        return child.zwfl

    quirk = zwfl(103.1, "l")
    assert quirk == pytest.approx(zwfl(102.5, "h"), abs=1e-9)
    assert abs(quirk - zwfl(102.4, "h")) > 0.005
    assert child_zscores(sex=2, age_days=1070, weight=19.16, lenhei=103.1, measure="l").zwfl == 1.92


def test_wfl_without_age_uses_position_then_87_cm() -> None:
    def zwfl(age: float | None, lenhei: float, measure: str | None) -> float | None:
        return child_zscores(
            sex=1, age_days=age, weight=11, lenhei=lenhei, measure=measure, rounded=False
        ).zwfl

    assert zwfl(None, 80, None) == zwfl(400, 80, "l")  # < 87 cm: length table
    assert zwfl(None, 90, None) == zwfl(1000, 90, "h")  # >= 87 cm: height table
    assert zwfl(None, 90, "l") == zwfl(400, 90, "l")  # the position decides first
    assert zwfl(None, 80, "h") == zwfl(1000, 80, "h")
    unknown = child_zscores(sex=1, age_days=None, weight=11, lenhei=80, muac=15)
    assert (unknown.zlen, unknown.zwei, unknown.zbmi, unknown.zac) == (None, None, None, None)
    assert unknown.note is not None


def test_restricted_computation_is_continuous_at_3_sd() -> None:
    # Beyond +/-3 SD, weight-based z-scores are linear in the measure, joining at 3.
    weights = np.linspace(2.0, 40.0, 4001)
    df = pd.DataFrame(
        {
            "sex": 1,
            "age_days": 500,
            "weight": weights,
            "lenhei": 78.3,
            "measure": "l",
            "muac": 15.0,
            "oedema": "n",
        }
    )
    z = zscores(df, rounded=False)["zwei"].to_numpy()
    assert np.all(np.diff(z) > 0)
    beyond = z > 3.2
    second = np.diff(z[beyond], 2)
    assert np.allclose(second, 0.0, atol=1e-9)  # linear in weight
    assert np.diff(z).max() < 0.05  # no jump where the restricted computation starts


def _z_near(target: float, indicator: str, **fixed: float | str) -> float:
    """The weight giving an unrounded z-score just around ``target`` (bisection)."""
    lo, hi = 0.5, 80.0
    for _ in range(200):
        mid = (lo + hi) / 2
        value = getattr(child_zscores(weight=mid, rounded=False, **fixed), indicator)  # type: ignore[arg-type]
        assert value is not None
        lo, hi = (mid, hi) if value < target else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize(
    ("indicator", "target", "flagged"),
    [("zwfl", -5.004, 0), ("zwfl", -5.006, 1), ("zwei", 5.004, 0), ("zwei", 5.006, 1)],
)
def test_flags_use_the_two_decimal_value(indicator: str, target: float, flagged: int) -> None:
    fixed: dict[str, float | str] = {"sex": 1, "age_days": 500, "lenhei": 80.0, "measure": "l"}
    weight = _z_near(target, indicator, **fixed)
    exact = getattr(child_zscores(weight=weight, rounded=False, **fixed), indicator)  # type: ignore[arg-type]
    child = child_zscores(weight=weight, **fixed)  # type: ignore[arg-type]
    assert exact == pytest.approx(target, abs=1e-6)
    assert getattr(child, indicator) == round(target, 2)  # -5.0, -5.01, 5.0, 5.01
    assert getattr(child, "f" + indicator[1:]) == flagged


def test_threads_give_identical_results() -> None:
    rng = np.random.default_rng(3)
    n = 250_000
    age = rng.uniform(-10, 1900, n)
    inp = GrowthInput(
        sex=rng.integers(0, 4, n).astype(np.int8),
        age_days=np.where(rng.random(n) < 0.05, np.nan, age),
        weight=rng.uniform(-1, 40, n),
        lenhei=rng.uniform(30, 130, n),
        measure=rng.integers(0, 3, n).astype(np.int8),
        muac=rng.uniform(5, 30, n),
        oedema=rng.random(n) < 0.05,
    )
    one, two = compute(inp, threads=1), compute(inp, threads=2)
    for name in one.z:
        np.testing.assert_array_equal(one.z[name], two.z[name])
        np.testing.assert_array_equal(one.flags[name], two.flags[name])
    np.testing.assert_array_equal(one.cbmi, two.cbmi)
    np.testing.assert_array_equal(one.cmeasure, two.cmeasure)
    assert one.cmeasure.max() <= Measure.STANDING
