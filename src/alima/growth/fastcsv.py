"""The fast path of the CSV conversion: plain files parsed and written with numpy, no pandas.

A *plain* file is what spreadsheets and most programs write: UTF-8, no quote
character, lines ending in LF or CR LF, every line with as many fields as the
header, a header of distinct, non-empty names. For such a file a field is exactly the
text between two commas, so the converter can work on bytes:

* the lines are cut in blocks of ``chunk_size`` rows (the rows pandas reads in one chunk,
  so that each column is converted with the same per-chunk rules as
  :func:`alima.growth.csvio.convert_csv`'s general path): :func:`spans` only finds where
  each block starts and ends, :func:`read_block` reads and checks it where it is converted;
* the seven input fields are parsed by vectorised code when they are plain decimals (at
  most 15 digits, which ``m / 10**k`` converts to the correctly rounded double, as
  ``float()`` does) or short codes; any other spelling in a column sends that column of
  the block through :mod:`alima.growth.inputs` exactly as the general path does;
* each output row is the input line unchanged, then the added columns, formatted by
  vectorised code that gives the same text as Python's ``format(value, ".15g")`` (the
  15-significant-digit rounding is done on the exact product, see :func:`alima.growth.numtext.format_g15`),
  written into a slot of a buffer per row; the slots' non-zero bytes are the rows.

Anything else raises :class:`NotPlain` before or while converting, and the caller starts
again with the general path: the output is the same text either way
(``tests/unit/growth/test_growth_fastcsv.py`` compares the two paths byte for byte).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from io import BufferedIOBase
from typing import Final

import numpy as np
from numpy.typing import NDArray

from alima.growth.engine import (
    INDICATORS,
    FloatArray,
    GrowthInput,
    GrowthResult,
    Int8Array,
    compute,
)
from alima.growth.inputs import (
    CleanInput,
    clean_arrays,
    factorized_text,
    measure_code,
    note_categories,
    numeric_text,
    oedema_code,
    sex_code,
)
from alima.growth.numtext import (
    COMMA,
    MAX_DIGITS,
    POW10,
    BytesArray,
    IntArray,
    build_tables,
    flag_table,
    format_g15,
    format_two_decimals,
)
from alima.growth.tables import load_tables

UInt8Array = NDArray[np.uint8]

#: Rows computed and written at a time within a block (the engine makes many arrays).
SLICE_ROWS: Final = 25_000
#: About this many bytes of output rows are assembled at a time (fewer rows if lines are long).
_SLICE_BYTES: Final = 8_000_000
#: Bytes read from the file at a time (the block of rows is cut from them).
READ_BYTES: Final = 1 << 23
_NL: Final = 10
_CR: Final = 13
_ZERO: Final = 48
#: Fields of at most this many bytes are read as one uint64 each.
_WORD: Final = 8
#: For k = 0..8: a uint64 with its k low bytes set (little-endian: the first k characters).
_LOW_BYTES: Final = np.array(
    [(1 << (8 * k)) - 1 for k in range(_WORD)] + [2**64 - 1], dtype=np.uint64
)
#: Byte classes for plain decimals: padding, digit, dot, anything else.
_PAD, _DIGIT, _DOT_KIND, _OTHER = 0, 1, 2, 3
_KIND: Final = np.full(256, _OTHER, dtype=np.uint8)
_KIND[0] = _PAD
_KIND[ord("0") : ord("9") + 1] = _DIGIT
_KIND[ord(".")] = _DOT_KIND
#: Zeros after a block's bytes, so that fields are read as fixed-width items past its end.
_PADDING: Final = 64


def prepare() -> None:
    """Load the WHO tables and build the formatting tables, once.

    Called before worker processes are forked: they then share the tables instead of each
    building its own.
    """
    load_tables()
    build_tables()


class NotPlain(Exception):
    """The file needs the general CSV reader (quotes, ragged lines, another encoding...)."""


@dataclass(frozen=True)
class Header:
    """The header line of a plain file: its raw bytes (without line end) and its names."""

    line: bytes
    names: list[str]


def plain_header(first_line: bytes, added: Sequence[str]) -> Header:
    """The header of a plain file from its first line, or :class:`NotPlain`."""
    if sys.byteorder != "little":  # fields and digits are read as little-endian words
        raise NotPlain
    line = first_line.removeprefix(b"\xef\xbb\xbf").removesuffix(b"\n").removesuffix(b"\r")
    if b'"' in line or b"\r" in line or b"\0" in line:
        raise NotPlain
    try:
        names = line.decode("utf-8").split(",")
    except UnicodeDecodeError:
        raise NotPlain from None
    if "" in names or len(set(names)) != len(names) or set(names) & set(added):
        raise NotPlain
    return Header(line=line, names=names)


@dataclass(frozen=True)
class Block:
    """Lines of a plain file: their bytes (then zeros) and each line's first and end offsets."""

    data: bytes
    starts: IntArray
    ends: IntArray


def _check_plain(data: bytes) -> bytes:
    """``data`` with CR LF line ends as LF, or :class:`NotPlain`."""
    if b'"' in data or b"\0" in data:
        raise NotPlain
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            raise NotPlain
        data = data.replace(b"\r\n", b"\n")
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise NotPlain from None
    return data


@dataclass(frozen=True)
class Span:
    """Where ``rows`` non-blank lines of a file lie: ``size`` bytes from byte ``offset``."""

    offset: int
    size: int
    rows: int

    @property
    def end(self) -> int:
        """The offset just after the span."""
        return self.offset + self.size


def spans(handle: BufferedIOBase, rows: int, read_bytes: int = READ_BYTES) -> Iterator[Span]:
    """Spans of ``rows`` non-blank lines (fewer in the last one) from ``handle``.

    ``handle`` is positioned after the header. A blank line (nothing, or a CR alone, before
    its line feed) is not counted, as pandas skips it. Only line feeds are looked for here:
    whether the lines are plain is checked by :func:`read_block`, in the process that
    converts them.
    """
    begin = line_start = handle.tell()  # where the current span and line start
    counted = 0  # non-blank lines of the current span
    before = 0  # the byte before the piece read
    piece = bytearray(read_bytes)  # one buffer for every read
    while size := handle.readinto(piece):
        at = handle.tell() - size
        buf = np.frombuffer(piece, dtype=np.uint8, count=size)
        feeds = np.flatnonzero(buf == _NL)
        if feeds.size:
            ends = feeds + at
            lengths = np.diff(ends, prepend=line_start - 1) - 1
            previous = buf[np.maximum(feeds - 1, 0)]
            if feeds[0] == 0:
                previous[0] = before
            lengths -= previous == _CR
            filled = ends[lengths > 0]
            taken = 0
            while filled.size - taken >= rows - counted:
                taken += rows - counted
                stop = int(filled[taken - 1]) + 1
                yield Span(begin, stop - begin, rows)
                begin, counted = stop, 0
            counted += filled.size - taken
            line_start = int(ends[-1]) + 1
        before = int(buf[-1])
    stop = handle.tell()
    if stop - line_start - (before == _CR) > 0:  # a last line without its line feed
        counted += 1
    if counted:
        yield Span(begin, stop - begin, counted)


def read_block(source: str, span: Span) -> Block:
    """The lines of ``span`` in the file ``source``, or :class:`NotPlain`."""
    with open(source, "rb") as handle:
        data = os.pread(handle.fileno(), span.size, span.offset)
    if len(data) != span.size:  # the file changed under us
        raise NotPlain
    if not data.endswith(b"\n"):
        data += b"\n"
    data = _check_plain(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(buf == _NL)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    filled = ends > starts
    if int(np.count_nonzero(filled)) != span.rows:
        raise NotPlain
    # The block's bytes, then zeros: room for reading fields as fixed-width items.
    return Block(data=data + bytes(_PADDING), starts=starts[filled], ends=ends[filled])


def _window(data: bytes | UInt8Array, width: int) -> BytesArray:
    """Overlapping ``S{width}`` items starting at every byte of ``data`` (zero-padded)."""
    size = len(data) if isinstance(data, bytes) else data.size
    return np.ndarray(shape=(size - width + 1,), dtype=f"S{width}", buffer=data, strides=(1,))


@dataclass(frozen=True)
class Fields:
    """One column of a block: each field's bytes (NUL-padded to ``width``) and length."""

    values: BytesArray
    lengths: IntArray
    longest: int
    #: The fields as text, for fields too long to be numbers or codes (``values`` is empty).
    strings: NDArray[np.object_] | None = None

    @property
    def width(self) -> int:
        """Bytes per item."""
        return int(self.values.dtype.itemsize)

    def chars(self) -> UInt8Array:
        """The fields as an ``(n, width)`` array of bytes, 0 after each field's end."""
        return self.values.view(np.uint8).reshape(self.values.shape[0], self.width)

    def texts(self) -> NDArray[np.object_]:
        """The fields as Python strings (an object array)."""
        if self.strings is not None:
            return self.strings
        out = np.empty(self.values.shape[0], dtype=object)
        out[:] = [value.decode("utf-8") for value in self.values.tolist()]
        return out


def _fields(padded: bytes, first: IntArray, stop: IntArray) -> Fields:
    lengths = stop - first
    longest = int(lengths.max(initial=0))
    if longest <= _WORD:  # one uint64 per field: cut after its length with a mask
        values = _window(padded, _WORD)[first]
        values.view(np.uint64)[:] &= _LOW_BYTES[lengths]
        return Fields(values=values, lengths=lengths, longest=longest)
    if longest > MAX_DIGITS + 1:  # neither a plain decimal nor a code: only its text is read
        strings = np.empty(first.shape[0], dtype=object)
        strings[:] = [
            padded[a:b].decode("utf-8") for a, b in zip(first.tolist(), stop.tolist(), strict=True)
        ]
        empty = np.zeros(0, dtype="S1")
        return Fields(values=empty, lengths=lengths, longest=longest, strings=strings)
    values = _window(padded, longest)[first]
    chars = values.view(np.uint8).reshape(values.shape[0], longest)
    chars[np.arange(longest) >= lengths[:, None]] = 0
    return Fields(values=values, lengths=lengths, longest=longest)


def parse_decimals(fields: Fields) -> FloatArray | None:
    """Plain decimals (digits, at most one dot, at most 15 digits) as doubles; empty is NaN.

    Returns None when a field is anything else. ``m / 10**k`` with ``m < 10**15`` and
    ``k <= 15`` is one correctly rounded division of two exact doubles, so the value is
    the one ``float(text)`` gives.
    """
    if fields.longest > MAX_DIGITS + 1:
        return None
    if fields.longest <= _WORD:
        return _parse_word_decimals(fields)
    chars = fields.chars()[:, : fields.longest]
    kind = _KIND[chars]
    if np.any(kind == _OTHER):
        return None
    n = chars.shape[0]
    mantissa = np.zeros(n, dtype=np.float64)
    digits = np.zeros(n, dtype=np.intp)
    dots = np.zeros(n, dtype=np.intp)
    decimals = np.zeros(n, dtype=np.intp)
    for column in range(fields.longest):  # exact: every partial value is below 10**15
        digit = kind[:, column] == _DIGIT
        mantissa = np.where(digit, mantissa * 10.0 + (chars[:, column] - _ZERO), mantissa)
        digits += digit
        decimals += digit & (dots > 0)
        dots += kind[:, column] == _DOT_KIND
    if np.any(dots > 1) or np.any(digits > MAX_DIGITS):
        return None
    if np.any((fields.lengths > 0) & (digits == 0)):  # "." alone
        return None
    values = mantissa / POW10[decimals]
    values[fields.lengths == 0] = np.nan
    return values


_U64: Final = np.uint64
#: Bytes of a uint64: every byte 0x30 ("0"), 0x7F, 0x80, 0x76 (127 - 9), 0x1E ("." ^ "0").
_ZEROS: Final = np.uint64(0x3030303030303030)
_LOW7: Final = np.uint64(0x7F7F7F7F7F7F7F7F)
_HIGH: Final = np.uint64(0x8080808080808080)
_ABOVE_NINE: Final = np.uint64(0x7676767676767676)
_DOT_DIGIT: Final = np.uint64(0x1E1E1E1E1E1E1E1E)


def _parse_word_decimals(fields: Fields) -> FloatArray | None:
    """:func:`parse_decimals` for fields of at most 8 bytes, each read as one uint64.

    Character j is byte j (little-endian). Each character minus "0" is a digit (0 to 9) or,
    for the dot, 0x1E; the padding stays 0. Both are found for the 8 bytes at once with
    byte-wise arithmetic that cannot carry from one byte to the next. The dot is squeezed
    out, the digits are moved to the high bytes (leading zeros) and combined in three
    multiplications (the "eight digits at once" method): at most 8 digits, so the integer
    is exact.
    """
    lengths = fields.lengths
    y = fields.values.view(np.uint64) ^ (_ZEROS & _LOW_BYTES[lengths])
    above_nine = (((y & _LOW7) + _ABOVE_NINE) | y) & _HIGH  # the high bit of each byte > 9
    d = y ^ _DOT_DIGIT
    dot_bits = ~(((d & _LOW7) + _LOW7) | d) & _HIGH  # the high bit of each byte that was "."
    if np.any(above_nine ^ dot_bits):  # a byte that is neither a digit, the dot nor padding
        return None
    dots = np.bitwise_count(dot_bits)
    digits = lengths - dots
    if np.any(dots > 1) or np.any((lengths > 0) & (digits == 0)):  # two dots, or "." alone
        return None
    # Byte position of the dot, 8 when there is none: the bits below the dot's byte, / 8.
    at = np.bitwise_count((dot_bits >> _U64(7)) - _U64(1)) >> 3
    low = _LOW_BYTES[at]
    squeezed = (y & low) | ((y >> _U64(8)) & ~low)
    # At most 8 digits: shift them to the high bytes (no digit: the shift leaves 0 below).
    shift = np.minimum((_WORD - digits) * 8, 63).astype(np.uint64)
    values = np.where(digits > 0, squeezed << shift, _U64(0))
    values = ((values & _U64(0x0F0F0F0F0F0F0F0F)) * _U64(2561)) >> _U64(8)
    values = ((values & _U64(0x00FF00FF00FF00FF)) * _U64(6553601)) >> _U64(16)
    values = ((values & _U64(0x0000FFFF0000FFFF)) * _U64(42949672960001)) >> _U64(32)
    decimals = np.where(dots > 0, lengths - 1 - at.astype(np.intp), 0)
    out = values.astype(np.float64) / POW10[decimals]
    out[lengths == 0] = np.nan
    return out


def _codes(fields: Fields, code_of: Callable[[Hashable], int]) -> Int8Array:
    """Each field's code, ``code_of`` called once per distinct text."""
    if fields.longest > 2:  # noqa: PLR2004 - codes are one or two bytes; longer: general path
        return factorized_text(fields.texts(), code_of)
    chars = fields.chars()
    keys = chars[:, 0].astype(np.intp)
    if fields.width > 1:
        keys |= chars[:, 1].astype(np.intp) << 8
    lookup = np.zeros(1 << 16, dtype=np.int8)
    for key in np.flatnonzero(np.bincount(keys, minlength=1)).tolist():
        text = bytes([key & 0xFF, key >> 8]).rstrip(b"\0").decode("utf-8")
        lookup[key] = code_of(text)
    return np.asarray(lookup[keys], dtype=np.int8)


def _numbers(fields: Fields) -> tuple[FloatArray, NDArray[np.bool_]]:
    fast = parse_decimals(fields)
    if fast is not None:
        return fast, np.zeros(fast.shape[0], dtype=np.bool_)
    return numeric_text(fields.texts())


class _Rows:
    """Output rows of a slice, each written left to right into its own slot of a buffer.

    A slot is zero after its row's text, and no text has a NUL (plain files have none), so
    the rows, one after the other, are the buffer's non-zero bytes.
    """

    def __init__(self, n: int, width: int) -> None:
        self.width = width
        self.buffer = np.zeros(n * width + 64, dtype=np.uint8)
        self.base = np.arange(n, dtype=np.intp) * width
        self.position = self.base.copy()

    def put(self, items: BytesArray, lengths: IntArray, rows: IntArray | None = None) -> None:
        """Append ``items`` (of ``lengths``) to every row, or to ``rows`` only."""
        size = int(items.dtype.itemsize)
        window = _window(self.buffer, size)
        if rows is None:
            window[self.position] = items
            self.position += lengths
        else:
            window[self.position[rows]] = items
            self.position[rows] += lengths

    def clear(self, size: int) -> None:
        """Zero ``size`` bytes from each row's position (the position does not move)."""
        _window(self.buffer, size)[self.position] = b""

    def text(self) -> tuple[UInt8Array, IntArray]:
        """The rows one after the other, and where each one ends in that text."""
        slots = self.buffer[: self.base.shape[0] * self.width]
        return slots[slots != 0], np.cumsum(self.position - self.base)


def convert_block(
    block: Block,
    names: Sequence[str],
    input_columns: Sequence[str],
    quote: Callable[[str], str],
    *,
    threads: int | None,
) -> tuple[list[bytes | memoryview], CleanInput]:
    """Output rows of one block (each ending in a line feed), in pieces, and its cleaned input."""
    data = block.data
    starts, ends = block.starts, block.ends
    n = starts.shape[0]
    commas_at = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == COMMA)
    separators = len(names) - 1
    # Every line has its own ``separators`` commas exactly when there are that many per line
    # in all and each line's share (in order) lies inside it.
    if commas_at.size != n * separators:
        raise NotPlain
    commas = commas_at.reshape(n, separators)
    if separators and (np.any(commas[:, 0] < starts) or np.any(commas[:, -1] >= ends)):
        raise NotPlain
    longest_line = int((ends - starts).max())
    padded = data if longest_line < _PADDING else data + bytes(longest_line)

    def column(name: str) -> Fields:
        j = names.index(name)
        begin = starts if j == 0 else commas[:, j - 1] + 1
        stop = ends if j == separators else commas[:, j]
        return _fields(padded, begin, stop)

    fields = {name: column(name) for name in input_columns}
    cleaned = clean_arrays(
        sex=_codes(fields["sex"], sex_code),
        measure=_codes(fields["measure"], measure_code),
        oedema=_codes(fields["oedema"], oedema_code),
        numbers={name: _numbers(fields[name]) for name in ("age_days", "weight", "lenhei", "muac")},
    )
    pieces: list[bytes | memoryview] = []
    # Bounded memory: the engine makes many arrays, and each output row takes about twice
    # the longest line; long lines (a text column) mean fewer rows at a time.
    step = max(64, min(SLICE_ROWS, _SLICE_BYTES // (2 * longest_line + 256)))
    for first_row in range(0, n, step):
        rows = slice(first_row, min(n, first_row + step))
        pieces += _slice_text(
            padded, starts[rows], ends[rows], _input_rows(cleaned, rows), quote, threads=threads
        )
    return pieces, cleaned


def _input_rows(cleaned: CleanInput, rows: slice) -> CleanInput:
    arrays = cleaned.arrays
    return CleanInput(
        arrays=GrowthInput(
            sex=arrays.sex[rows],
            age_days=arrays.age_days[rows],
            weight=arrays.weight[rows],
            lenhei=arrays.lenhei[rows],
            measure=arrays.measure[rows],
            muac=arrays.muac[rows],
            oedema=arrays.oedema[rows],
            exclude=None if arrays.exclude is None else arrays.exclude[rows],
        ),
        notes=cleaned.notes[rows],
    )


def _slice_text(
    padded: bytes,
    starts: IntArray,
    ends: IntArray,
    cleaned: CleanInput,
    quote: Callable[[str], str],
    *,
    threads: int | None,
) -> list[bytes | memoryview]:
    """Output rows of rows ``starts``/``ends`` of a block, in pieces, given their cleaned input."""
    result = compute(cleaned.arrays, threads=threads)
    parts = _added_columns(result)
    lengths = ends - starts
    longest_line = int(lengths.max())
    # Each row: the line, zeros over the rest of the line's item (the bytes after the line
    # in the file), then the added columns, each written as a whole item; the slot holds
    # either. The fewer bytes a slot has, the less there is to compact.
    rest = longest_line - int(lengths.min())
    text_lengths = lengths + sum(item_lengths for _, item_lengths in parts)
    widest = max(int(items.dtype.itemsize) for items, _ in parts)
    width = max(longest_line + rest, int(text_lengths.max()) + widest)
    out = _Rows(starts.shape[0], width)
    out.put(_window(padded, longest_line)[starts], lengths)
    if rest:
        out.clear(rest)
    for items, item_lengths in parts:
        out.put(items, item_lengths)
    text, row_ends = out.text()
    view = text.data  # the bytes, without a copy
    codes, texts = note_categories(cleaned.notes)
    if not texts:
        return [view]
    # Rows with a note: the note goes before the line feed that ends the row.
    notes = [f"{quote(t)}\n".encode() for t in texts]
    noted = np.flatnonzero(codes >= 0)
    pieces: list[bytes | memoryview] = []
    done = 0
    for end, code in zip((row_ends[noted] - 1).tolist(), codes[noted].tolist(), strict=True):
        pieces += (view[done:end], notes[code])
        done = end + 1
    pieces.append(view[done:])
    return pieces


def _added_columns(result: GrowthResult) -> list[tuple[BytesArray, IntArray]]:
    """``clenhei, cbmi, z..., f...`` as items with a leading comma.

    The last item ends with the comma of the note column and the line feed: a row's note
    goes in before the line feed.
    """
    parts = [format_g15(result.clenhei), format_g15(result.cbmi)]
    parts += [format_two_decimals(result.z2[name]) for name in INDICATORS]
    combined = np.zeros(result.clenhei.shape[0], dtype=np.intp)
    for i, name in enumerate(INDICATORS):
        code = np.where(result.flag_mask(name), 2, result.flags[name]).astype(np.intp)
        combined += code * 3**i
    items, lengths = flag_table()
    parts.append((items[combined], lengths[combined]))
    return parts
