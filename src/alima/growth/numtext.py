"""Numbers to CSV text with numpy: the same bytes as Python's ``format`` for the growth output.

:func:`format_g15` gives the text of ``format(value, ".15g")`` (the 15-significant-digit
rounding is done on the exact product, ties included), :func:`format_two_decimals` the
z-scores' two decimals from a table; both return fixed-width byte items and their lengths, for
:mod:`alima.growth.fastcsv` to assemble output rows. ``tests/unit/growth/test_growth_fastcsv.py``
compares them with Python's own formatting.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import numpy as np
from numpy.typing import NDArray

from alima.growth.engine import INDICATORS, FloatArray

UInt8Array = NDArray[np.uint8]
IntArray = NDArray[np.intp]
BytesArray = NDArray[np.bytes_]

COMMA: Final = 44
DOT: Final = 46
#: A plain decimal of at most this many digits converts exactly as ``m / 10**k``.
MAX_DIGITS: Final = 15
_HALF: Final = 0.5
#: Exact powers of ten as doubles (10**22 is the largest exact one).
POW10: Final[FloatArray] = 10.0 ** np.arange(23, dtype=np.float64)
#: Veltkamp's split constant for doubles: 2**27 + 1.
_SPLITTER: Final = 134217729.0
#: Values formatted by vectorised code: 1 <= |x| < 1e15 (fixed notation in ``.15g``).
_FIXED_LIMIT: Final = 1e15
#: Two-decimal z-scores up to this many hundredths in absolute value come from a table.
TWO_DECIMAL_LIMIT: Final = 30_000


def _two_product_error(a: FloatArray, b: FloatArray, product: FloatArray) -> FloatArray:
    """``a * b - product`` exactly (Dekker's product with Veltkamp's split)."""

    def split(x: FloatArray) -> tuple[FloatArray, FloatArray]:
        c = _SPLITTER * x
        high = c - (c - x)
        return high, x - high

    a_high, a_low = split(a)
    b_high, b_low = split(b)
    return ((a_high * b_high - product) + a_high * b_low + a_low * b_high) + a_low * b_low


@cache
def _four_digits() -> tuple[NDArray[np.uint32], IntArray]:
    """``"0000"`` ... ``"9999"`` as 4-byte items, and each one's trailing zero digits."""
    k = np.arange(10_000)
    powers = np.array([1000, 100, 10, 1])
    text = (k[:, None] // powers % 10 + ord("0")).astype(np.uint8)
    zeros = sum((k % (10 * p) == 0).astype(np.intp) for p in powers.tolist())
    return text.view(np.uint32).reshape(k.shape[0]), zeros


@cache
def _dot_masks() -> tuple[NDArray[np.uint64], ...]:
    """For k = 0..17: bytes 0..k-1 set (low and high uint64), and a dot at byte k."""
    full = (1 << 128) - 1
    masks = [((1 << (8 * k)) - 1) & full for k in range(18)]
    dots = [(DOT << (8 * k)) & full if k < 16 else 0 for k in range(18)]  # noqa: PLR2004

    def halves(values: list[int]) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
        low = np.array([v & (2**64 - 1) for v in values], dtype=np.uint64)
        high = np.array([v >> 64 for v in values], dtype=np.uint64)
        return low, high

    mask_low, mask_high = halves(masks)
    dot_low, dot_high = halves(dots)
    return mask_low, mask_high, dot_low, dot_high


def format_g15(values: FloatArray) -> tuple[BytesArray, IntArray]:
    """``"," + format(v, ".15g")`` for each value (just ``","`` for NaN and infinities).

    Returns NUL-padded items and their lengths. A positive value that is exactly a number of
    hundredths (the double nearest ``k / 100``, as a length measured to the millimetre is)
    takes its text from the table of :func:`format_two_decimals`. Other values
    ``1 <= v < 1e15`` are formatted by vectorised code: ``v * 10**(14 - e)`` (``e`` the
    decimal exponent) is rounded to an integer of 15 digits half to even on its exact value
    (the product's rounding error is computed exactly), which is the correctly rounded
    decimal Python prints; its digits get a dot after ``e + 1`` of them and lose their
    trailing zeros, as ``%g`` writes them. Other finite values (rare: negative, below 1,
    huge) are formatted by Python.
    """
    n = values.shape[0]
    width = 17
    with np.errstate(invalid="ignore", over="ignore"):
        hundredths = np.rint(values * 100.0)
        listed = (hundredths / 100.0 == values) & (values > 0.0)
        listed &= hundredths <= TWO_DECIMAL_LIMIT
        fixed = (values >= 1.0) & (values < _FIXED_LIMIT) & ~listed
    other = np.flatnonzero(~fixed & ~listed & np.isfinite(values))
    rows = np.flatnonzero(fixed)
    out = np.zeros((n, width), dtype=np.uint8)
    out[:, 0] = COMMA
    all_lengths = np.ones(n, dtype=np.intp)
    if rows.size:
        other = _format_fixed(values, rows, out, all_lengths, other)
    items = out.view(f"S{width}").reshape(n)
    table_rows = np.flatnonzero(listed)
    if table_rows.size:
        table, table_lengths = _two_decimal_table()
        keys = hundredths[table_rows].astype(np.intp) + TWO_DECIMAL_LIMIT
        items[table_rows] = table[keys]
        all_lengths[table_rows] = table_lengths[keys]
    if other.size:
        texts = ["," + format(v, ".15g") for v in values[other].tolist()]
        longest = max(len(t) for t in texts)
        if longest > width:
            items = items.astype(f"S{longest}")
        items[other] = texts
        all_lengths[other] = [len(t) for t in texts]
    return items, all_lengths


def _format_fixed(
    values: FloatArray, rows: IntArray, out: UInt8Array, all_lengths: IntArray, other: IntArray
) -> IntArray:
    """Write rows ``rows`` (``1 <= value < 1e15``) of ``out`` and their lengths.

    Returns ``other`` plus the rows that round to 1e15 (Python writes them as ``1e+15``).
    """
    x = values[rows]
    exponent = np.floor(np.log10(x)).astype(np.intp)
    exponent -= x < POW10[exponent]
    exponent += x >= POW10[exponent + 1]
    scale = np.asarray(POW10[14 - exponent], dtype=np.float64)
    product = x * scale
    error = _two_product_error(x, scale, product)
    whole = np.floor(product)
    half = product - whole  # exact
    up = half > _HALF
    tie = np.flatnonzero(half == _HALF)  # rare: the product's error decides, else half to even
    if tie.size:
        err, low = error[tie], whole[tie]
        up[tie] = (err > 0.0) | ((err == 0.0) & (np.fmod(low, 2.0) == 1.0))
    mantissa = whole + up
    carry = mantissa == POW10[15]  # 9.99...95 rounded up to 10.0000...
    mantissa[carry] = POW10[14]
    exponent += carry
    exponent_form = exponent >= MAX_DIGITS  # ".15g" switches to 1e+15: Python formats it
    if exponent_form.any():
        other = np.union1d(other, rows[exponent_form])
        keep = ~exponent_form
        rows, mantissa, exponent = rows[keep], mantissa[keep], exponent[keep]
    # 15 digits as 4 groups of 4 characters from a table: "0ddd" "dddd" "dddd" "dddd", read
    # as a 128-bit little-endian number in two uint64 halves (character j is byte j).
    digits4, zeros4 = _four_digits()
    groups = np.empty((rows.size, 4), dtype=np.uint32)
    trailing = np.zeros(rows.size, dtype=np.intp)  # trailing zero digits of the mantissa
    rest = mantissa
    for column, power in enumerate((12, 8, 4, 0)):
        group = np.floor(rest / POW10[power])  # exact: rest < 10**(power + 4) < 2**53
        rest = rest - group * POW10[power]
        index = group.astype(np.intp)
        groups[:, column] = digits4[index]
        # Trailing zeros: those of the last non-zero group plus 4 per zero group after it.
        trailing = np.where(index > 0, zeros4[index], trailing + 4)
    halves = groups.view(np.uint64)
    low, high = halves[:, 0], halves[:, 1]
    before = exponent + 1  # digits before the dot (1 to 15)
    after = np.maximum(14 - trailing - exponent, 0)  # digits after the dot, zeros dropped
    lengths = 1 + before + np.where(after > 0, after + 1, 0)  # with the leading comma
    # Characters 0..b-1: digits 0..b-1 (bytes 1..b, shifted down one); character b: the dot;
    # characters after b: digits b.. (bytes b+1.., in place). Then cut at the length.
    mask_low, mask_high, dot_low, dot_high = _dot_masks()
    at, cut = before, lengths - 1
    down_low = (low >> np.uint64(8)) | (high << np.uint64(56))
    down_high = high >> np.uint64(8)
    text_low = (down_low & mask_low[at]) | dot_low[at] | (low & ~mask_low[at + 1])
    text_high = (down_high & mask_high[at]) | dot_high[at] | (high & ~mask_high[at + 1])
    text = np.empty((rows.size, 2), dtype=np.uint64)
    text[:, 0] = text_low & mask_low[cut]
    text[:, 1] = text_high & mask_high[cut]
    out[rows, 1:] = text.view(np.uint8).reshape(rows.size, 16)
    all_lengths[rows] = lengths
    return other


@cache
def _two_decimal_table() -> tuple[BytesArray, IntArray]:
    """``"," + format(k / 100, ".15g")`` for ``|k| <= TWO_DECIMAL_LIMIT`` (index ``k + limit``)."""
    keys = np.arange(-TWO_DECIMAL_LIMIT, TWO_DECIMAL_LIMIT + 1)
    magnitude = np.abs(keys)
    units = np.array([f"{k}" for k in range(TWO_DECIMAL_LIMIT // 100 + 1)], dtype="S8")
    cents = np.array([("." + f"{k:02d}".rstrip("0")) if k else "" for k in range(100)], dtype="S3")
    sign = np.where(keys < 0, b",-", b",").astype("S2")
    table = np.strings.add(np.strings.add(sign, units[magnitude // 100]), cents[magnitude % 100])
    return table, np.strings.str_len(table).astype(np.intp)


def format_two_decimals(values: FloatArray) -> tuple[BytesArray, IntArray]:
    """``","`` + a 2-decimal z-score as :func:`alima.growth.csvio.format_two_decimals` writes it."""
    table, table_lengths = _two_decimal_table()
    with np.errstate(invalid="ignore"):
        hundredths = np.rint(values * 100.0)
        inside = np.abs(hundredths) <= TWO_DECIMAL_LIMIT  # False for NaN
    keys = np.where(inside, hundredths + TWO_DECIMAL_LIMIT, 0).astype(np.intp)
    items = table[keys]
    lengths = table_lengths[keys]
    outside = np.flatnonzero(~inside)
    if outside.size:
        general, general_lengths = format_g15(values[outside])
        if general.dtype.itemsize > items.dtype.itemsize:
            items = items.astype(general.dtype)
        items[outside] = general
        lengths[outside] = general_lengths
    return items, lengths


@cache
def flag_table() -> tuple[BytesArray, IntArray]:
    """``,f1,f2,f3,f4,f5,`` and a line feed for the 3**5 combinations of 0, 1 and missing.

    The last comma opens the note column, empty unless the row has a note.
    """
    texts = ["0", "1", ""]
    table = []
    for code in range(3 ** len(INDICATORS)):
        parts = [texts[(code // 3**i) % 3] for i in range(len(INDICATORS))]
        table.append("".join("," + p for p in parts) + ",\n")
    items = np.array(table, dtype="S12")
    return items, np.strings.str_len(items).astype(np.intp)


def build_tables() -> None:
    """Build the formatting tables now (worker processes forked afterwards share them)."""
    _two_decimal_table()
    _four_digits()
    _dot_masks()
    flag_table()
