"""Vectorised WHO 2006 z-scores, reproducing the WHO R package ``anthro`` to the last digit.

The rules are those of docs/clinical-rules.md §5 and ``tests/data/growth-truth/README.md``, re-implemented
from WHO's published method (the R code is GPL and is not copied):

* age in days is rounded half up; z-scores only for ``age_days / 30.4375 < 60``;
* a standing measure before 9 months (``age_days / 30.4375 < 9``) is treated as unknown;
* ``clenhei``: +0.7 cm if standing before 731 days, -0.7 cm if lying from 731 days;
* weight-for-length below 731 days (45-110 cm), weight-for-height from 731 days (65-120 cm),
  no fallback; when age is unknown the position (or < 87 cm) chooses the table. L, M and S
  are interpolated between the rows ``trunc(x*10)/10`` and ``trunc(x*10+1)/10`` exactly as
  WHO computes them, including its floating-point quirk (103.1 cm lying from 24 months
  interpolates towards the 102.5 cm row);
* MUAC-for-age from 91 days (its table starts there);
* the restricted computation beyond +/-3 SD for weight, weight-for-length/height, BMI and
  MUAC, not for length/height;
* oedema: no weight-for-age, weight-for-length/height or BMI-for-age;
* z-scores are rounded to 2 decimals as R's ``round()`` does (R >= 4.0: the nearer of the two
  2-decimal candidates, ties to even), and flags are evaluated on the rounded value.

One deliberate difference from the R package: a weight, length/height or MUAC of zero or
less never yields a z-score (docs/clinical-rules.md §5.1, "any measure <= 0 -> NA"). The R code applies
that rule to the measure of each age-based indicator only, so for such impossible inputs it
still returns a weight-for-length z-score for a weight of exactly 0 and a BMI-for-age
z-score computed from a negative length. A z-score too large to represent is also missing.

Everything runs on contiguous ``float64`` arrays with integer fancy indexing into the
lookup arrays of :mod:`alima.growth.tables`; large inputs are split over threads (numpy
releases the GIL in its loops).
"""

from __future__ import annotations

import enum
import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from alima.growth.tables import DAYS, TENTHS, AgeLookup, GrowthTables, load_tables

#: WHO anthro's month: days / 30.4375 (docs/clinical-rules.md §5.2); the one definition.
DAYS_PER_MONTH: Final = 30.4375
#: Position switch: recumbent length below this age in days, standing height from it.
HEIGHT_FROM_DAY: Final = 731
#: A standing measure before 9 months is implausible; WHO treats the position as unknown.
STANDING_FROM_MONTHS: Final = 9.0
#: Under-5 restriction, on the unrounded age in months.
MAX_MONTHS: Final = 60.0
LENHEI_ADJUSTMENT_CM: Final = 0.7
#: Without age, WHO picks the length table below 87 cm when the position is unknown.
LENGTH_BELOW_CM: Final = 87.0
WFL_VALID_CM: Final = (45.0, 110.0)
WFH_VALID_CM: Final = (65.0, 120.0)

INDICATORS: Final = ("len", "wei", "wfl", "bmi", "ac")
Z_COLUMNS: Final = tuple(f"z{name}" for name in INDICATORS)
FLAG_COLUMNS: Final = tuple(f"f{name}" for name in INDICATORS)
#: WHO flag limits (docs/clinical-rules.md §5.1): flagged if z < low or z > high, on the 2-dp value.
FLAG_LIMITS: Final[dict[str, tuple[float, float]]] = {
    "len": (-6.0, 6.0),
    "wei": (-6.0, 5.0),
    "wfl": (-5.0, 5.0),
    "bmi": (-5.0, 5.0),
    "ac": (-5.0, 5.0),
}

MALE: Final = 1
FEMALE: Final = 2
#: Restricted computation beyond this many SD for weight-based indicators (WHO, ch. 7).
RESTRICT_SD: Final = 3.0
_HALF: Final = 0.5
#: R's round() leaves alone values with more significant digits than a double holds.
_R_MAX_DIGITS: Final = 15
#: Beyond this |100 z| - k, the fast rounding path defers to the exact R algorithm.
_NEAR_HALF: Final = 0.4999999

#: Below this many rows the work is not split over threads.
PARALLEL_MIN_ROWS: Final = 200_000

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
Int8Array = NDArray[np.int8]
BoolArray = NDArray[np.bool_]


class Measure(enum.IntEnum):
    """How length/height was measured (WHO ``measure``: ``l``, ``h`` or missing)."""

    UNKNOWN = 0
    LYING = 1
    STANDING = 2


@dataclass(frozen=True)
class GrowthInput:
    """Column arrays for n children, already cleaned.

    ``sex`` is 1 (male) or 2 (female), anything else means unknown; ``age_days``,
    ``weight`` (kg), ``lenhei`` (cm, as measured) and ``muac`` (cm) are NaN when missing;
    ``measure`` holds :class:`Measure` codes; ``oedema`` is True for bilateral pitting
    oedema. ``exclude`` marks rows that must get no z-score at all (bad input).
    """

    sex: Int8Array
    age_days: FloatArray
    weight: FloatArray
    lenhei: FloatArray
    measure: Int8Array
    muac: FloatArray
    oedema: BoolArray
    exclude: BoolArray | None = None

    def __len__(self) -> int:
        return int(self.sex.shape[0])


@dataclass(frozen=True)
class GrowthResult:
    """Engine output for n children.

    ``z`` holds the unrounded z-scores, ``z2`` the 2-decimal ones (WHO's output), ``flags``
    the WHO flags as 0/1 (meaningless where ``z2`` is NaN: see :meth:`flag_mask`).
    """

    clenhei: FloatArray
    cbmi: FloatArray
    cmeasure: Int8Array
    c9mo_flag: BoolArray
    z: dict[str, FloatArray]
    z2: dict[str, FloatArray]
    flags: dict[str, Int8Array]

    def flag_mask(self, name: str) -> BoolArray:
        """True where flag ``name`` (e.g. ``"wfl"``) is missing because its z-score is."""
        return np.isnan(self.z2[name])


def round_half_up(x: FloatArray) -> FloatArray:
    """WHO's age rounding: ``floor(x)``, plus one when the fraction is at least 0.5."""
    floor = np.floor(x)
    return floor + (x - floor >= _HALF)


def r_round(x: FloatArray, digits: int = 2) -> FloatArray:
    """Round like R >= 4.0 ``round(x, digits)``.

    R takes the two candidates ``floor(x*10^d)/10^d`` and ``ceil(x*10^d)/10^d`` and returns the
    one nearer to ``x`` as doubles, the even one on an exact tie. It differs from
    ``numpy.round`` only when ``x*10^d`` is within rounding error of a half. Values with 15
    or more significant digits before rounding are returned unchanged, as in R.
    """
    pow10 = 10.0**digits
    ax = np.abs(x)
    x10 = ax * pow10
    i10 = np.floor(x10)
    xd = i10 / pow10
    xu = np.ceil(x10) / pow10
    du = xu - ax
    dd = ax - xd
    up = (du < dd) | ((du == dd) & (np.fmod(i10, 2.0) == 1.0))
    out = np.copysign(np.where(up, xu, xd), x)
    # R returns x itself when log10(x) + digits > _R_MAX_DIGITS (no rounding is possible), and for 0.
    logb = np.frexp(np.where(ax > 0, ax, 1.0))[1] - 1.0  # C's logb(): the binary exponent
    big = (logb + 0.5) * np.log10(2.0) + digits > _R_MAX_DIGITS
    return np.where(big | (ax == 0), x, out)


def _round2(z: FloatArray) -> FloatArray:
    """R's ``round(z, 2)``, fast path: ``rint(100 z) / 100`` unless 100 z is near a half."""
    x100 = z * 100.0
    k = np.rint(x100)
    out = k / 100.0
    near_half = np.abs(x100 - k) > _NEAR_HALF
    if near_half.any():
        idx = np.flatnonzero(near_half)
        out[idx] = r_round(z[idx], 2)
    big = np.abs(z) >= 2.0**43  # 15 significant digits before rounding: R leaves it alone
    if big.any():
        out[big] = z[big]
    return out


def _sd(lam: FloatArray, mu: FloatArray, sigma: FloatArray, k: float) -> FloatArray:
    # WHO: SD(k) = M * (1 + L*S*k)^(1/L), in this order (same rounding as WHO's code).
    return mu * np.power(1.0 + lam * sigma * k, 1.0 / lam)


def _age_zscore(table: AgeLookup, idx: IntArray, y: FloatArray, *, restricted: bool) -> FloatArray:
    """LMS z-score of ``y`` against the table rows ``idx`` (sentinel rows give NaN)."""
    m = table.m.take(idx)
    ratio = y / m
    if table.unit_power:  # L = 1 in the whole table: (y/M)^1 is y/M exactly, as in R
        ratio -= 1.0
        z = np.divide(ratio, table.s.take(idx), out=ratio)
    else:
        powered = np.power(ratio, table.l.take(idx), out=ratio)
        powered -= 1.0
        z = np.divide(powered, table.sl.take(idx), out=powered)
    if restricted:
        hi = np.flatnonzero(z > RESTRICT_SD)
        if hi.size:
            rows = idx[hi]
            z[hi] = RESTRICT_SD + (y[hi] - table.sd3pos[rows]) / table.sd23pos[rows]
        lo = np.flatnonzero(z < -RESTRICT_SD)
        if lo.size:
            rows = idx[lo]
            z[lo] = -RESTRICT_SD + (y[lo] - table.sd3neg[rows]) / table.sd23neg[rows]
    return z


def _wfl_zscore(
    tables: GrowthTables,
    *,
    weight: FloatArray,
    clenhei: FloatArray,
    sex: Int8Array,
    day: FloatArray,
    months: FloatArray,
    cmeasure: Int8Array,
    allowed: BoolArray,
) -> FloatArray:
    """Weight-for-length/height z-score with WHO's table choice and interpolation."""
    lookup = tables.wfl
    age_known = ~np.isnan(day)
    # Table: length below 731 days, height from 731 days; without age, the position decides
    # and, if it is unknown too, the length/height itself (< 87 cm: length).
    by_position = np.where(
        cmeasure == Measure.UNKNOWN, clenhei >= LENGTH_BELOW_CM, cmeasure == Measure.STANDING
    )
    height_table = np.where(age_known, day >= HEIGHT_FROM_DAY, by_position)
    x = clenhei
    in_range = np.where(
        height_table,
        (x >= WFH_VALID_CM[0]) & (x <= WFH_VALID_CM[1]),
        (x >= WFL_VALID_CM[0]) & (x <= WFL_VALID_CM[1]),
    )
    # Under-5 rule only applies when age is known (WHO computes zwfl without age).
    valid = allowed & in_range & (~age_known | (months < MAX_MONTHS))

    x10 = x * 10.0
    low_k = np.trunc(x10)
    upp_k = np.trunc(x10 + 1.0)
    diff = (x - low_k / 10.0) / 0.1
    np.maximum(diff, 0.0, out=diff)  # WHO interpolates only when diff > 0
    diff[~valid] = 0.0
    base = (height_table * 2 + (sex == FEMALE)) * TENTHS
    idx = np.where(valid, base + low_k, lookup.sentinel).astype(np.intp)

    lam = lookup.l.take(idx)
    mu = lookup.m.take(idx)
    sigma = lookup.s.take(idx)
    d_lam = lookup.dl.take(idx)
    d_mu = lookup.dm.take(idx)
    d_sigma = lookup.ds.take(idx)
    # The upper row is normally the next one; WHO's trunc(x*10+1) can skip a row (quirk).
    skip = np.flatnonzero(valid & (upp_k != low_k + 1.0) & (diff > 0.0))
    if skip.size:
        upp = np.where(upp_k[skip] < TENTHS, base[skip] + upp_k[skip], lookup.sentinel)
        upp_idx = upp.astype(np.intp)
        d_lam[skip] = lookup.l[upp_idx] - lam[skip]
        d_mu[skip] = lookup.m[upp_idx] - mu[skip]
        d_sigma[skip] = lookup.s[upp_idx] - sigma[skip]
    lam += diff * d_lam
    mu += diff * d_mu
    sigma += diff * d_sigma

    ratio = weight / mu
    z = np.power(ratio, lam, out=ratio)
    z -= 1.0
    z /= sigma * lam
    hi = np.flatnonzero(z > RESTRICT_SD)
    if hi.size:
        args = (lam[hi], mu[hi], sigma[hi])
        sd3 = _sd(*args, RESTRICT_SD)
        z[hi] = RESTRICT_SD + (weight[hi] - sd3) / (sd3 - _sd(*args, RESTRICT_SD - 1.0))
    lo = np.flatnonzero(z < -RESTRICT_SD)
    if lo.size:
        args = (lam[lo], mu[lo], sigma[lo])
        sd3 = _sd(*args, -RESTRICT_SD)
        z[lo] = -RESTRICT_SD + (weight[lo] - sd3) / (_sd(*args, 1.0 - RESTRICT_SD) - sd3)
    z[~valid] = np.nan
    return z


def _compute_block(tables: GrowthTables, inp: GrowthInput, out: GrowthResult, rows: slice) -> None:
    """Compute rows ``rows`` of ``inp`` into the preallocated ``out``."""
    sex = inp.sex[rows]
    age = inp.age_days[rows]
    weight = inp.weight[rows]
    lenhei = inp.lenhei[rows]
    measure = inp.measure[rows]
    muac = inp.muac[rows]
    oedema = inp.oedema[rows]

    sex_ok = (sex == MALE) | (sex == FEMALE)
    if inp.exclude is not None:
        sex_ok &= ~inp.exclude[rows]
    age = np.where(age >= 0.0, age, np.nan)  # negative ages are unknown
    day = round_half_up(age)
    months = age / DAYS_PER_MONTH

    # Standing before 9 months: position treated as unknown (WHO c9mo_flag).
    c9mo = (measure == Measure.STANDING) & (months < STANDING_FROM_MONTHS)
    cmeasure = np.where(c9mo, np.int8(Measure.UNKNOWN), measure).astype(np.int8)
    clenhei = lenhei.copy()
    add = (day < HEIGHT_FROM_DAY) & (cmeasure == Measure.STANDING)
    sub = (day >= HEIGHT_FROM_DAY) & (cmeasure == Measure.LYING)
    clenhei[add] += LENHEI_ADJUSTMENT_CM
    clenhei[sub] -= LENHEI_ADJUSTMENT_CM
    metres = clenhei / 100.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cbmi = weight / (metres * metres)  # R: (clenhei/100)^2 is a product, as here
    cbmi[~np.isfinite(cbmi)] = np.nan  # a length of 0 has no BMI

    age_ok = sex_ok & (months < MAX_MONTHS)  # False for unknown age
    day_idx = np.where(age_ok, day + (sex == FEMALE) * DAYS, AgeLookup.sentinel).astype(np.intp)
    not_oedema = ~oedema

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        y_len = np.where(clenhei > 0.0, clenhei, np.nan)
        y_wei = np.where(weight > 0.0, weight, np.nan)
        y_ac = np.where(muac > 0.0, muac, np.nan)
        y_bmi = np.where((weight > 0.0) & (clenhei > 0.0), cbmi, np.nan)
        z = {
            "len": _age_zscore(tables.len, day_idx, y_len, restricted=False),
            "wei": _age_zscore(tables.wei, day_idx, y_wei, restricted=True),
            "wfl": _wfl_zscore(
                tables,
                weight=y_wei,
                clenhei=clenhei,
                sex=sex,
                day=day,
                months=months,
                cmeasure=cmeasure,
                allowed=sex_ok & not_oedema,
            ),
            "bmi": _age_zscore(tables.bmi, day_idx, y_bmi, restricted=True),
            "ac": _age_zscore(tables.ac, day_idx, y_ac, restricted=True),
        }
        z["wei"][oedema] = np.nan
        z["bmi"][oedema] = np.nan
        for name, values in z.items():
            values[~np.isfinite(values)] = np.nan
            rounded = _round2(values)
            low, high = FLAG_LIMITS[name]
            out.z[name][rows] = values
            out.z2[name][rows] = rounded
            out.flags[name][rows] = (rounded < low) | (rounded > high)
    out.clenhei[rows] = clenhei
    out.cbmi[rows] = cbmi
    out.cmeasure[rows] = cmeasure
    out.c9mo_flag[rows] = c9mo


def default_threads() -> int:
    """Threads used when a caller does not say: one per CPU, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def compute(inp: GrowthInput, *, threads: int | None = None) -> GrowthResult:
    """WHO z-scores, flags, ``clenhei`` and ``cbmi`` for every child of ``inp``."""
    tables = load_tables()
    n = len(inp)
    out = GrowthResult(
        clenhei=np.empty(n),
        cbmi=np.empty(n),
        cmeasure=np.empty(n, dtype=np.int8),
        c9mo_flag=np.empty(n, dtype=np.bool_),
        z={name: np.empty(n) for name in INDICATORS},
        z2={name: np.empty(n) for name in INDICATORS},
        flags={name: np.empty(n, dtype=np.int8) for name in INDICATORS},
    )
    workers = threads if threads is not None else default_threads()
    parts = max(1, min(workers, n // (PARALLEL_MIN_ROWS // 2)))
    if parts == 1:
        _compute_block(tables, inp, out, slice(0, n))
    else:
        bounds = np.linspace(0, n, parts + 1).astype(int)
        blocks = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]
        with ThreadPoolExecutor(max_workers=parts) as pool:
            for future in [pool.submit(_compute_block, tables, inp, out, b) for b in blocks]:
                future.result()
    return out
