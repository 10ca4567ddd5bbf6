"""The vectorised engine against a slow, literal, one-child-at-a-time reading of WHO's rules.

The reference below follows the steps of WHO's R code in order, with plain Python floats and
dictionary lookups (the length/height join is on the 15-significant-digit text of the key,
as R's ``merge`` on several columns does). It shares no code path with the engine's flat
arrays, precomputed cut points, interpolation deltas or thread split, so any indexing or
vectorisation slip shows up here on inputs far from the truth files.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest

from alima.growth import zscores
from alima.growth.tables import load_tables


@cache
def age_rows(name: str) -> dict[tuple[int, int], tuple[float, float, float]]:
    table = load_tables().raw[name]
    return {
        (sex + 1, int(key)): (table.l[sex, j], table.m[sex, j], table.s[sex, j])
        for sex in (0, 1)
        for j, key in enumerate(table.keys.tolist())
    }


@cache
def lenhei_rows() -> dict[tuple[int, str, str], tuple[float, float, float]]:
    rows = {}
    for name, lorh in (("wfl", "l"), ("wfh", "h")):
        table = load_tables().raw[name]
        for sex in (0, 1):
            for j, key in enumerate(table.keys.tolist()):
                lms = (table.l[sex, j], table.m[sex, j], table.s[sex, j])
                rows[(sex + 1, format(key, ".15g"), lorh)] = lms
    return rows


def lms_z(y: float, lms: tuple[float, float, float], *, restricted: bool) -> float:
    l, m, s = lms  # noqa: E741 - WHO's names
    z: float = ((y / m) ** l - 1) / (s * l)
    if restricted and abs(z) > 3:

        def sd(k: float) -> float:
            value: float = m * ((1 + l * s * k) ** (1 / l))
            return value

        if z > 3:
            return 3.0 + (y - sd(3)) / (sd(3) - sd(2))
        return -3.0 + (y - sd(-3)) / (sd(-2) - sd(-3))
    return z


def r_round2(x: float) -> float:
    sgn = -1.0 if x < 0 else 1.0
    x = abs(x)
    x10 = x * 100.0
    i10 = math.floor(x10)
    xd, xu = i10 / 100.0, math.ceil(x10) / 100.0
    du, dd = xu - x, x - xd
    return sgn * (xu if du < dd or (du == dd and i10 % 2 == 1) else xd)


def reference_child(
    *,
    sex: int,
    age: float,
    weight: float,
    lenhei: float,
    measure: str,
    muac: float,
    oedema: str,
) -> dict[str, float]:
    nan = math.nan
    day = math.floor(age) + (1 if age - math.floor(age) >= 0.5 else 0)
    months = age / 30.4375
    cmeasure = "" if measure == "h" and months < 9 else measure
    clenhei = lenhei
    if day < 731 and cmeasure == "h":
        clenhei = lenhei + 0.7
    if day >= 731 and cmeasure == "l":
        clenhei = lenhei - 0.7
    cbmi = weight / ((clenhei / 100) * (clenhei / 100))
    ok = months < 60
    out = {"zlen": nan, "zwei": nan, "zwfl": nan, "zbmi": nan, "zac": nan}
    if ok:
        out["zlen"] = lms_z(clenhei, age_rows("lhfa")[(sex, day)], restricted=False)
        if oedema != "y":
            out["zwei"] = lms_z(weight, age_rows("wfa")[(sex, day)], restricted=True)
            out["zbmi"] = lms_z(cbmi, age_rows("bmi")[(sex, day)], restricted=True)
        if (sex, day) in age_rows("acfa"):
            out["zac"] = lms_z(muac, age_rows("acfa")[(sex, day)], restricted=True)
        lorh = "l" if day < 731 else "h"
        low = math.trunc(clenhei * 10) / 10
        upp = math.trunc(clenhei * 10 + 1) / 10
        diff = (clenhei - low) / 0.1
        lo, hi = (45, 110) if lorh == "l" else (65, 120)
        if oedema != "y" and lo <= clenhei <= hi:
            rows = lenhei_rows()
            lms = rows[(sex, format(low, ".15g"), lorh)]
            if diff > 0:
                upper = rows[(sex, format(upp, ".15g"), lorh)]
                lms = (
                    lms[0] + diff * (upper[0] - lms[0]),
                    lms[1] + diff * (upper[1] - lms[1]),
                    lms[2] + diff * (upper[2] - lms[2]),
                )
            out["zwfl"] = lms_z(weight, lms, restricted=True)
    return out


def random_children(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 1830, n).astype(float)
    fractional = rng.random(n) < 0.2
    age[fractional] += rng.choice([0.25, 0.4999, 0.5, 0.75], size=int(fractional.sum()))
    raw = rng.uniform(40, 125, n)
    lenhei = np.where(rng.random(n) < 0.5, np.round(raw, 1), np.round(raw, 2))
    lenhei[rng.random(n) < 0.05] = 103.1  # the quirk
    return pd.DataFrame(
        {
            "sex": rng.integers(1, 3, n),
            "age_days": age,
            "weight": np.round(rng.uniform(1.5, 35, n), 2),
            "lenhei": lenhei,
            "measure": rng.choice(["l", "h", ""], n),
            "muac": np.round(rng.uniform(7, 28, n), 1),
            "oedema": np.where(rng.random(n) < 0.05, "y", "n"),
        }
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_engine_equals_literal_reference(seed: int) -> None:
    df = random_children(3000, seed)
    z_columns = ["zlen", "zwei", "zwfl", "zbmi", "zac"]
    full = {c: zscores(df, rounded=False)[c].to_numpy(dtype=np.float64) for c in z_columns}
    rounded = {c: zscores(df)[c].to_numpy(dtype=np.float64) for c in z_columns}
    records: list[dict[str, object]] = df.to_dict("records")  # type: ignore[assignment]
    for i, row in enumerate(records):
        want = reference_child(
            sex=int(str(row["sex"])),
            age=float(str(row["age_days"])),
            weight=float(str(row["weight"])),
            lenhei=float(str(row["lenhei"])),
            measure=str(row["measure"]),
            muac=float(str(row["muac"])),
            oedema=str(row["oedema"]),
        )
        for column, value in want.items():
            got = full[column][i]
            if math.isnan(value):
                assert math.isnan(got), (i, column)
            else:
                assert got == pytest.approx(value, abs=1e-12), (i, column, row)
                assert rounded[column][i] == r_round2(value), (i, column, row)
