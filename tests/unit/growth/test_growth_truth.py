"""alima.growth against WHO's R package anthro on every growth-truth file (docs/clinical-rules.md §5).

Expected values were produced by WHO's own R code (see tests/data/growth-truth/README.md).
Every row must match: the same missing values and flags, 2-decimal z-scores equal to WHO's,
unrounded z-scores within 1e-9, and the same clenhei, cbmi and cmeasure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from alima.growth import child_zscores, zscores
from alima.growth.engine import Measure, compute
from alima.growth.inputs import INPUT_COLUMNS, clean

INPUTS = list(INPUT_COLUMNS)
ReadTruth = Callable[[str], pd.DataFrame]

FULL_TRUTH = ["who_anthro_R_synthetic_truth.csv", "who_anthro_R_edge_truth.csv"]
ALL_TRUTH = [*FULL_TRUTH, "who_anthro_R_MySurvey_truth.csv"]
Z = ["zlen", "zwei", "zwfl", "zbmi", "zac"]
FLAGS = ["flen", "fwei", "fwfl", "fbmi", "fac"]


def assert_same_values(name: str, ours: pd.Series, who: pd.Series, *, atol: float = 0.0) -> None:
    got = ours.to_numpy(dtype=np.float64, na_value=np.nan)
    want = who.to_numpy(dtype=np.float64, na_value=np.nan)
    na_diff = np.flatnonzero(np.isnan(got) != np.isnan(want))
    assert na_diff.size == 0, f"{name}: missing values differ at rows {na_diff[:10].tolist()}"
    both = ~np.isnan(want)
    if atol == 0.0:
        wrong = np.flatnonzero(both & (got != want))
    else:
        wrong = np.flatnonzero(both & ~(np.abs(got - want) <= atol))
    assert wrong.size == 0, (
        f"{name}: {wrong.size} rows differ, e.g. rows {wrong[:5].tolist()}: "
        f"ours {got[wrong[:5]].tolist()} vs WHO {want[wrong[:5]].tolist()}"
    )


@pytest.mark.parametrize("filename", ALL_TRUTH)
def test_two_decimal_zscores_equal_who(filename: str, read_truth: ReadTruth) -> None:
    truth = read_truth(filename)
    ours = zscores(truth[INPUTS])
    for column in Z:
        assert_same_values(f"{filename}:{column}", ours[column], truth[column])


@pytest.mark.parametrize("filename", ALL_TRUTH)
def test_clenhei_and_cbmi_equal_who(filename: str, read_truth: ReadTruth) -> None:
    truth = read_truth(filename)
    ours = zscores(truth[INPUTS])
    # The CSV holds 15 significant digits, as R's write.csv writes them.
    for column in ("clenhei", "cbmi"):
        got = ours[column].to_numpy(dtype=np.float64)
        want = truth[column].to_numpy(dtype=np.float64)
        assert np.array_equal(np.isnan(got), np.isnan(want)), column
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=0.0, equal_nan=True)


@pytest.mark.parametrize("filename", FULL_TRUTH)
def test_unrounded_zscores_within_1e9(filename: str, read_truth: ReadTruth) -> None:
    truth = read_truth(filename)
    ours = zscores(truth[INPUTS], rounded=False)
    for column in Z:
        assert_same_values(
            f"{filename}:{column}_full", ours[column], truth[f"{column}_full"], atol=1e-9
        )


@pytest.mark.parametrize("filename", FULL_TRUTH)
def test_flags_equal_who(filename: str, read_truth: ReadTruth) -> None:
    truth = read_truth(filename)
    ours = zscores(truth[INPUTS])
    for column in FLAGS:
        assert ours[column].dtype == np.float64  # 0.0, 1.0 or NaN, numpy throughout
        assert_same_values(f"{filename}:{column}", ours[column], truth[column])


@pytest.mark.parametrize("filename", FULL_TRUTH)
def test_cmeasure_equals_who(filename: str, read_truth: ReadTruth) -> None:
    truth = read_truth(filename)
    result = compute(clean({name: truth[name] for name in INPUTS}).arrays)
    codes = {"l": Measure.LYING, "h": Measure.STANDING}
    want = truth["cmeasure"].map(codes).fillna(Measure.UNKNOWN).to_numpy(dtype=np.int8)
    np.testing.assert_array_equal(result.cmeasure, want)


def test_mysurvey_igrowup_agrees_under_five(read_truth: ReadTruth) -> None:
    """WHO igrowup output for WHO's sample survey; it also computes ages of 60 months+."""
    survey = read_truth("who_igrowup_R_MySurvey_z_st.csv")
    inputs = pd.DataFrame(
        {
            "sex": survey["GENDER"],
            "age_days": survey["age.days"],
            "weight": survey["WEIGHT"],
            "lenhei": survey["HEIGHT"],
            "measure": survey["measure"],
            "muac": survey["MUAC"],
            "oedema": survey["oedema"],
        }
    )
    ours = zscores(inputs)
    under_five = survey["age.days"] / 30.4375 < 60
    assert int((~under_five).sum()) == 4
    for column in Z:
        assert_same_values(column, ours.loc[under_five, column], survey.loc[under_five, column])
        assert ours.loc[~under_five, column].isna().all()


def test_truth_files_exercise_the_hard_cases(read_truth: ReadTruth) -> None:
    """Guard against a truth copy that silently lost its difficult rows."""
    edge = read_truth("who_anthro_R_edge_truth.csv")
    synthetic = read_truth("who_anthro_R_synthetic_truth.csv")
    assert len(edge) == 66
    assert len(synthetic) == 2000
    assert edge["note"].str.contains("quirk").sum() == 2
    both = pd.concat([edge, synthetic])
    assert (both["zwei_full"].abs() > 3).sum() > 50  # restricted computation
    assert (both["oedema"] == "y").sum() >= 2
    assert both["fwfl"].eq(1).sum() > 5


def _cell(value: Any) -> Any:
    """A frame cell as a caller of child_zscores passes it (None for missing)."""
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


@pytest.mark.parametrize("filename", ALL_TRUTH)
def test_one_child_path_equals_who_and_the_frame_path(filename: str, read_truth: ReadTruth) -> None:
    """child_zscores (the visit path, no pandas) gives WHO's values and the frame's notes."""
    truth = read_truth(filename)
    frame = zscores(truth[INPUTS].copy())
    for index, row in enumerate(truth[INPUTS].itertuples(index=False)):
        child = child_zscores(**{name: _cell(v) for name, v in zip(INPUTS, row, strict=True)})
        for name in [*Z, *FLAGS, "clenhei", "cbmi"]:
            want = frame[name].iloc[index]
            got = getattr(child, name)
            assert (got is None) == bool(np.isnan(want)), (filename, index, name, got, want)
            assert got is None or got == want, (filename, index, name, got, want)
        for name in Z:
            who = truth[name].iloc[index]
            got = getattr(child, name)
            assert (got is None) == bool(pd.isna(who)), (filename, index, name, got, who)
            assert got is None or got == who, (filename, index, name, got, who)
        note = frame["zscore_note"].iloc[index]
        assert child.note == (None if pd.isna(note) else note), (filename, index)
