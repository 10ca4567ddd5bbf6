"""zscores() on real-world input: types, bad values, notes, missing columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alima.growth import MissingColumns, child_zscores, zscores
from alima.growth.frame import NOTE_COLUMN, OUTPUT_COLUMNS

Z = ["zlen", "zwei", "zwfl", "zbmi", "zac"]
GOOD = {
    "sex": "2",
    "age_days": "400",
    "weight": "10",
    "lenhei": "76",
    "measure": "l",
    "muac": "15",
    "oedema": "n",
}
GOOD_Z = {"zlen": 0.23, "zwei": 0.67, "zwfl": 0.76, "zbmi": 0.74, "zac": 0.62}


def one_row(**changes: object) -> pd.Series:
    row = {**GOOD, **changes}
    return zscores(pd.DataFrame([row], dtype=object)).iloc[0]


def test_text_input_as_read_from_csv() -> None:
    row = one_row()
    assert {c: row[c] for c in Z} == GOOD_Z
    assert pd.isna(row[NOTE_COLUMN])


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        ({"sex": "3"}, "sex must be 1 (male) or 2 (female)"),
        ({"sex": ""}, "sex must be 1 (male) or 2 (female)"),
        ({"sex": "girl"}, "sex must be 1 (male) or 2 (female)"),
        ({"age_days": "four hundred"}, "age_days must be a number of days, 0 or more"),
        ({"age_days": "-3"}, "age_days must be a number of days, 0 or more"),
        ({"weight": "ten"}, "weight is not a number"),
        ({"weight": "inf"}, "weight is not a number"),
        ({"lenhei": "76,5"}, "lenhei is not a number"),
        ({"muac": "1.2.3"}, "muac is not a number"),
        ({"measure": "x"}, "measure must be l (lying), h (standing) or empty"),
        ({"oedema": "maybe"}, "oedema must be y or n"),
    ],
    ids=str,
)
def test_bad_row_gets_no_zscore_and_a_note(changes: dict[str, str], note: str) -> None:
    row = one_row(**changes)
    assert all(pd.isna(row[c]) for c in Z)
    assert all(pd.isna(row["f" + c[1:]]) for c in Z)
    assert row[NOTE_COLUMN] == note


@pytest.mark.parametrize(
    ("changes", "missing", "note"),
    [
        ({"weight": "0"}, {"zwei", "zwfl", "zbmi"}, "weight must be greater than 0"),
        ({"weight": "-4"}, {"zwei", "zwfl", "zbmi"}, "weight must be greater than 0"),
        ({"lenhei": "0"}, {"zlen", "zwfl", "zbmi"}, "lenhei must be greater than 0"),
        ({"lenhei": "-76"}, {"zlen", "zwfl", "zbmi"}, "lenhei must be greater than 0"),
        ({"muac": "0"}, {"zac"}, "muac must be greater than 0"),
        (
            {"age_days": "1900"},
            set(Z),
            "age is 60 months or more: the WHO standards stop at 5 years",
        ),
        (
            {"age_days": ""},
            {"zlen", "zwei", "zbmi", "zac"},
            "age_days is missing: only weight-for-length/height is computed",
        ),
    ],
)
def test_who_rules_remove_some_zscores_with_a_note(
    changes: dict[str, str], missing: set[str], note: str
) -> None:
    row = one_row(**changes)
    assert {c for c in Z if pd.isna(row[c])} == missing
    assert {c: row[c] for c in Z if c not in missing} == {
        c: v for c, v in GOOD_Z.items() if c not in missing
    }
    assert row[NOTE_COLUMN] == note


@pytest.mark.parametrize("value", ["", "NA", "nan", "NULL", " ", None, np.nan])
def test_missing_spellings_are_missing_not_bad(value: object) -> None:
    row = one_row(muac=value, measure=value, oedema=value)
    assert pd.isna(row["zac"])
    assert row["zwei"] == GOOD_Z["zwei"]
    assert pd.isna(row[NOTE_COLUMN])


def test_several_notes_are_joined() -> None:
    row = one_row(weight="0", muac="-1")
    assert row[NOTE_COLUMN] == "weight must be greater than 0; muac must be greater than 0"


@pytest.mark.parametrize(
    ("sex", "zwei"), [("1", 0.09), ("m", 0.09), ("M", 0.09), ("F", 0.67), (2, 0.67), (2.0, 0.67)]
)
def test_sex_codes(sex: object, zwei: float) -> None:
    assert one_row(sex=sex)["zwei"] == zwei


@pytest.mark.parametrize(
    ("measure", "clenhei"), [("L", 76.0), ("l ", 76.0), ("H", 76.7), ("h", 76.7)]
)
def test_measure_codes(measure: str, clenhei: float) -> None:
    assert one_row(measure=measure)["clenhei"] == pytest.approx(clenhei, abs=1e-12)


def test_numeric_and_categorical_columns() -> None:
    df = pd.DataFrame(
        {
            "sex": [2, 2, 1],
            "age_days": [400, 400.5, np.nan],
            "weight": [10.0, 10.0, 11.0],
            "lenhei": [76.0, 76.0, 80.0],
            "measure": pd.Categorical(["l", "l", None]),
            "muac": [15.0, np.nan, 15.0],
            "oedema": pd.Categorical(["n", "y", "n"]),
            "village": ["A", "B", "C"],
        },
        index=[10, 20, 30],
    )
    out = zscores(df)
    assert list(out.index) == [10, 20, 30]
    assert list(out.columns) == [*df.columns, *OUTPUT_COLUMNS, NOTE_COLUMN]
    assert list(out["village"]) == ["A", "B", "C"]
    assert out.loc[10, "zwei"] == 0.67
    assert out["zwei"].isna().tolist() == [False, True, True]  # oedema; no age
    assert out.loc[20, "zlen"] == 0.22  # 400.5 days rounds up to 401
    assert out["zwfl"].notna().tolist() == [True, False, True]  # no age: zwfl only
    assert out["zlen"].dtype == np.float64
    assert out["fwei"].dtype == np.float64
    assert out["fwei"].isna().tolist() == [False, True, True]  # NaN with its z-score
    assert out.loc[10, "fwei"] == 0.0
    assert isinstance(out[NOTE_COLUMN].dtype, pd.CategoricalDtype)
    assert list(df.columns)[-1] == "village"  # the input is not modified


def test_existing_output_columns_are_replaced() -> None:
    df = pd.DataFrame([{**GOOD, "zwei": "stale", "zscore_note": "old"}], dtype=object)
    out = zscores(df)
    assert out.loc[0, "zwei"] == 0.67
    assert out[NOTE_COLUMN].isna().all()
    assert list(out.columns).count("zwei") == 1


def test_missing_columns_raise_a_clear_error() -> None:
    df = pd.DataFrame([GOOD]).drop(columns=["muac", "oedema"])
    with pytest.raises(MissingColumns) as caught:
        zscores(df)
    assert caught.value.missing == ["muac", "oedema"]
    message = caught.value.message
    assert "muac, oedema" in message
    assert "sex, age_days, weight, lenhei, measure, muac, oedema" in message


def test_empty_frame() -> None:
    out = zscores(pd.DataFrame({name: pd.Series([], dtype=object) for name in GOOD}))
    assert len(out) == 0
    assert set(OUTPUT_COLUMNS) <= set(out.columns)


def test_child_helper_agrees_with_frame() -> None:
    child = child_zscores(
        sex=2, age_days=400, weight=10, lenhei=76, measure="l", muac=15, oedema="n"
    )
    assert (child.zlen, child.zwei, child.zwfl, child.zbmi, child.zac) == tuple(GOOD_Z.values())
    assert (child.flen, child.fwei, child.fwfl, child.fbmi, child.fac) == (0, 0, 0, 0, 0)
    assert child.note is None
    bad = child_zscores(sex=2, age_days=-1, weight=10)
    assert bad.zwei is None
    assert bad.note == "age_days must be a number of days, 0 or more"
