"""Properties of the engine (hypothesis): monotonic, finite where defined, never raises."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alima.growth import child_zscores, zscores
from alima.growth.csvio import convert_csv
from alima.growth.frame import NOTE_COLUMN

Z = ["zlen", "zwei", "zwfl", "zbmi", "zac"]
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

sexes = st.sampled_from([1, 2])
ages = st.floats(min_value=0, max_value=1826.2)
measures = st.sampled_from(["l", "h", ""])
# Any float a data file could hold, including NaN, infinities, 0, negatives and huge values.
any_float = st.floats(allow_nan=True, allow_infinity=True)
any_cell = st.one_of(
    any_float,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=6),
    st.sampled_from(["", "NA", "l", "h", "y", "n", "1", "2", "m", "f", "-0", "1e309", " 3 "]),
    st.none(),
)


def frame(n: int, **columns: object) -> pd.DataFrame:
    base: dict[str, object] = {
        "sex": 1,
        "age_days": 400.0,
        "weight": 10.0,
        "lenhei": 76.0,
        "measure": "l",
        "muac": 15.0,
        "oedema": "n",
    }
    base.update(columns)
    return pd.DataFrame({k: v if isinstance(v, np.ndarray) else [v] * n for k, v in base.items()})


def assert_non_decreasing(values: np.ndarray) -> None:
    defined = values[~np.isnan(values)]
    assert np.all(np.diff(defined) >= -1e-12), defined


@FAST
@given(
    sex=sexes,
    age=ages,
    measure=measures,
    lenhei=st.floats(min_value=40, max_value=125),
    weights=st.lists(st.floats(min_value=0.01, max_value=150), min_size=2, max_size=40),
)
def test_weight_based_zscores_increase_with_weight(
    sex: int, age: float, measure: str, lenhei: float, weights: list[float]
) -> None:
    w = np.sort(np.array(weights))
    for rounded in (False, True):
        out = zscores(
            frame(len(w), sex=sex, age_days=age, weight=w, lenhei=lenhei, measure=measure),
            rounded=rounded,
        )
        for column in ("zwei", "zwfl", "zbmi"):
            assert_non_decreasing(out[column].to_numpy())
    assert not np.isnan(out["zwei"].to_numpy()).any()  # age < 60 months and weight > 0


@FAST
@given(
    sex=sexes,
    age=ages,
    measure=measures,
    lengths=st.lists(st.floats(min_value=1.0, max_value=300), min_size=2, max_size=40),
)
def test_length_for_age_increases_with_length(
    sex: int, age: float, measure: str, lengths: list[float]
) -> None:
    h = np.sort(np.array(lengths))
    out = zscores(frame(len(h), sex=sex, age_days=age, lenhei=h, measure=measure), rounded=False)
    z = out["zlen"].to_numpy()
    assert not np.isnan(z).any()
    assert_non_decreasing(z)


@FAST
@given(
    sex=sexes,
    age=st.floats(min_value=90.5, max_value=1826.2),
    muacs=st.lists(st.floats(min_value=0.01, max_value=80), min_size=2, max_size=40),
)
def test_muac_for_age_increases_with_muac(sex: int, age: float, muacs: list[float]) -> None:
    m = np.sort(np.array(muacs))
    out = zscores(frame(len(m), sex=sex, age_days=age, muac=m), rounded=False)
    z = out["zac"].to_numpy()
    assert not np.isnan(z).any()
    assert_non_decreasing(z)


@FAST
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            dict.fromkeys(
                ("sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema"), any_cell
            )
        ),
        min_size=1,
        max_size=12,
    ),
    rounded=st.booleans(),
)
def test_any_input_never_raises_and_is_finite_where_defined(
    rows: list[dict[str, object]], rounded: bool
) -> None:
    out = zscores(pd.DataFrame(rows, dtype=object), rounded=rounded)
    assert len(out) == len(rows)
    for column in Z:
        z = out[column].to_numpy(dtype=np.float64)
        defined = ~np.isnan(z)
        assert np.isfinite(z[defined]).all()
        flag = out["f" + column[1:]]
        assert (flag.isna().to_numpy() == ~defined).all()
        assert set(flag.dropna().tolist()) <= {0, 1}
    for column in ("clenhei", "cbmi"):
        values = out[column].to_numpy(dtype=np.float64)
        assert not np.isinf(values).any()
    assert all(isinstance(v, str) and v for v in out[NOTE_COLUMN].dropna())


@FAST
@given(
    sex=st.one_of(st.integers(-3, 5), st.text(max_size=3)),
    age=st.one_of(any_float, st.none()),
    weight=st.one_of(any_float, st.none()),
    lenhei=st.one_of(any_float, st.none()),
    muac=st.one_of(any_float, st.none()),
    measure=st.one_of(st.none(), st.text(max_size=2)),
    oedema=st.one_of(st.booleans(), st.none(), st.text(max_size=2)),
)
def test_child_helper_never_raises(
    *,
    sex: int | str,
    age: float | None,
    weight: float | None,
    lenhei: float | None,
    muac: float | None,
    measure: str | None,
    oedema: bool | str | None,
) -> None:
    child = child_zscores(
        sex=sex,
        age_days=age,
        weight=weight,
        lenhei=lenhei,
        measure=measure,
        muac=muac,
        oedema=oedema,
    )
    for column in Z:
        value = getattr(child, column)
        assert value is None or np.isfinite(value)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.one_of(st.text(max_size=5), any_float.map(str)), min_size=7, max_size=7),
        min_size=1,
        max_size=8,
    )
)
def test_any_csv_rows_convert(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema"])
            writer.writerows(rows)
        summary = convert_csv(source, target, chunk_size=3)
        written = pd.read_csv(target, dtype=str, keep_default_na=False)
        assert summary.rows == len(written)
        assert summary.rows + len(summary.skipped_lines) <= len(rows)
