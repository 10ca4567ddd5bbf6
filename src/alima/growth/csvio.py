"""Chunked CSV conversion: WHO Anthro input columns in, the same rows plus z-scores out.

The file is read in chunks of ``chunk_size`` rows, every column as text, so a file of any
length runs in bounded memory and the other columns are written back exactly as read.
Each output row gets ``clenhei, cbmi, zlen, zwei, zwfl, zbmi, zac, flen, fwei, fwfl, fbmi,
fac`` and ``zscore_note``. Numbers are written as WHO's R package writes them
(``write.csv``: 15 significant digits, z-scores rounded to 2 decimals), empty when missing.
A row with a bad value gets empty z-scores and a note; it never stops the conversion.

Plain files (UTF-8, no quotes, every line complete: what spreadsheets usually write) take
a fast path that works on bytes with numpy (:mod:`alima.growth.fastcsv`); any other file,
or ``fast=False``, goes through pandas' CSV reader. Both write the same bytes.
"""

from __future__ import annotations

import contextvars
import csv
import multiprocessing
import os
import re
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final, TypeVar

import numpy as np
from numpy.typing import NDArray

from alima.core.errors import RuleViolation
from alima.core.i18n import get_locale, reset_locale, set_locale, translations
from alima.growth.engine import INDICATORS, FloatArray, GrowthResult, compute
from alima.growth.errors import GrowthError
from alima.growth.fastcsv import (
    NotPlain,
    Span,
    convert_block,
    plain_header,
    prepare,
    read_block,
    spans,
)
from alima.growth.frame import NOTE_COLUMN, OUTPUT_COLUMNS, MissingColumns, missing_columns
from alima.growth.inputs import BAD_ROW, INPUT_COLUMNS, clean, note_categories

if TYPE_CHECKING:  # imported where used: plain files never need pandas
    import pandas as pd

DEFAULT_CHUNK_ROWS: Final = 100_000
ENCODING: Final = "utf-8-sig"
#: Buffers one ``os.pwritev`` call takes at most (IOV_MAX on Linux).
_IOV_MAX: Final = 1024
#: 2-decimal values with |z| <= 1000 are formatted through a lookup table.
_TABLE_LIMIT: Final = 100_000

ObjectArray = NDArray[np.object_]
_T = TypeVar("_T")
ProgressCallback = Callable[[int, int], None]


class OutputIsInput(RuleViolation):
    """The output path names the input file, which writing would destroy."""

    def __init__(self, path: Path) -> None:
        super().__init__(GrowthError.GRO_002, path=str(path))


@dataclass
class ConvertSummary:
    """What a conversion did: rows written, rows with a note, bad rows, skipped lines."""

    rows: int = 0
    noted_rows: int = 0
    bad_rows: int = 0
    skipped_lines: list[str] = field(default_factory=list)


def read_header(path: Path) -> list[str]:
    """The column names of the CSV file at ``path`` (empty for an empty file)."""
    with path.open(encoding=ENCODING, errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


@cache
def _two_decimal_table() -> ObjectArray:
    keys = np.arange(-_TABLE_LIMIT, _TABLE_LIMIT + 1)
    return np.array([format(k / 100.0, ".15g") for k in keys.tolist()], dtype=object)


def _format_general(values: FloatArray) -> ObjectArray:
    """Each value as R's ``write.csv`` writes a double (15 significant digits); NaN empty."""
    out = np.empty(values.shape[0], dtype=object)
    out[:] = ""
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size:
        out[finite] = [format(v, ".15g") for v in values[finite].tolist()]
    return out


def _format_repeated(values: FloatArray) -> ObjectArray:
    """Like :func:`_format_general`, formatting each distinct value once."""
    import pandas as pd

    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = _format_general(np.asarray(uniques, dtype=np.float64))
    table[-1] = ""
    return np.asarray(table[codes], dtype=object)


def format_two_decimals(values: FloatArray) -> ObjectArray:
    """2-decimal values (already rounded) as text, e.g. ``-1.5``, ``0.01``, ``0``; NaN empty."""
    table = _two_decimal_table()
    with np.errstate(invalid="ignore"):
        hundredths = np.rint(values * 100.0)
        inside = np.abs(hundredths) <= _TABLE_LIMIT  # False for NaN
    keys = np.where(inside, hundredths + _TABLE_LIMIT, 0).astype(np.intp)
    out = np.asarray(table[keys], dtype=object)
    outside = np.flatnonzero(~inside)
    if outside.size:
        out[outside] = _format_general(values[outside])
    return out


_FLAG_TEXT: Final = np.array(["0", "1", ""], dtype=object)
_NEEDS_QUOTES: Final = re.compile(r'[",\r\n]')


def _quote(value: str) -> str:
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value


def _quoted_column(values: ObjectArray) -> ObjectArray:
    """The column with CSV quoting where a value needs it (checked once per column)."""
    if not _NEEDS_QUOTES.search("".join(values.tolist())):
        return values
    return np.array([_quote(v) for v in values.tolist()], dtype=object)


def _output_columns(result: GrowthResult, notes: NDArray[np.uint32]) -> list[ObjectArray]:
    columns = [_format_repeated(result.clenhei), _format_general(result.cbmi)]
    columns += [format_two_decimals(result.z2[name]) for name in INDICATORS]
    for name in INDICATORS:
        codes = np.where(result.flag_mask(name), 2, result.flags[name]).astype(np.intp)
        columns.append(np.asarray(_FLAG_TEXT[codes], dtype=object))
    codes, texts = note_categories(notes)
    note_table = np.array([*(_quote(t) for t in texts), ""], dtype=object)
    columns.append(np.asarray(note_table[codes], dtype=object))
    return columns


def _chunks(handle: IO[bytes], chunk_size: int, summary: ConvertSummary) -> Iterator[pd.DataFrame]:
    import pandas as pd

    reader = pd.read_csv(
        handle,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        chunksize=chunk_size,
        encoding=ENCODING,
        encoding_errors="replace",
        on_bad_lines="warn",
        skip_blank_lines=True,
    )
    with reader:
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                try:
                    chunk = next(reader)
                except StopIteration:
                    return
            for warning in caught:
                summary.skipped_lines.extend(
                    line.strip() for line in str(warning.message).splitlines() if line.strip()
                )
            yield chunk


def convert_csv(
    source: Path,
    target: Path,
    *,
    chunk_size: int = DEFAULT_CHUNK_ROWS,
    on_progress: ProgressCallback | None = None,
    threads: int | None = None,
    processes: int = 1,
    fast: bool = True,
) -> ConvertSummary:
    """Write ``target``: every row of ``source`` plus WHO z-scores, flags and a note.

    ``on_progress(bytes_read, rows_done)`` is called after each chunk. ``fast=False``
    skips the fast path for plain files (the output is the same; tests compare them).
    ``processes`` > 1 converts the blocks of a plain file in that many forked worker
    processes (for a command-line program: forking a process that runs threads, such as a
    web server, is not safe).

    Raises:
        MissingColumns: when an input column is absent (nothing is written).
        OutputIsInput: when ``target`` is ``source`` (nothing is written).
    """
    if target.exists() and target.resolve() == source.resolve():
        raise OutputIsInput(target)
    header = read_header(source)
    missing = missing_columns(header)
    if missing:
        raise MissingColumns(missing)
    if fast:
        try:
            return _convert_plain(
                source,
                target,
                chunk_size=chunk_size,
                on_progress=on_progress,
                threads=threads,
                processes=processes,
            )
        except NotPlain:
            pass  # the general path below reads the file again and rewrites ``target``
    added = (*OUTPUT_COLUMNS, NOTE_COLUMN)
    summary = ConvertSummary()
    with source.open("rb") as handle, target.open("w", encoding="utf-8", newline="") as out:
        first = True
        for chunk in _chunks(handle, chunk_size, summary):
            kept: Sequence[str] = [c for c in chunk.columns if c not in added]
            if first:
                out.write(",".join(_quote(str(c)) for c in (*kept, *added)) + "\n")
                first = False
            if len(chunk) == 0:
                continue
            cleaned = clean({name: chunk[name] for name in INPUT_COLUMNS})
            result = compute(cleaned.arrays, threads=threads)
            columns = [
                _quoted_column(
                    np.asarray(chunk[c].to_numpy(dtype=object, na_value=""), dtype=object)
                )
                for c in kept
            ]
            columns += _output_columns(result, cleaned.notes)
            out.write("\n".join(map(",".join, zip(*columns, strict=True))))
            out.write("\n")
            summary.rows += len(chunk)
            summary.noted_rows += int(np.count_nonzero(cleaned.notes))
            summary.bad_rows += int(np.count_nonzero(cleaned.notes & np.uint32(BAD_ROW)))
            if on_progress is not None:
                on_progress(handle.tell(), summary.rows)
        if first:  # header only: still write the output header
            out.write(",".join(_quote(c) for c in (*header, *added)) + "\n")
    return summary


def _convert_plain(
    source: Path,
    target: Path,
    *,
    chunk_size: int,
    on_progress: ProgressCallback | None,
    threads: int | None,
    processes: int = 1,
) -> ConvertSummary:
    """:func:`convert_csv` for a plain file, or :class:`NotPlain` (``target`` then partial).

    Blocks are converted one at a time unless ``threads`` or ``processes`` say more. Threads
    do not help: the many short numpy calls compete for the GIL, and a 1M-row file took more
    CPU and more time with two (benchmarks/README.md). Forked processes do: the parent only
    finds where each block's lines start and end (:func:`spans`); each worker reads, checks
    and converts whole blocks and writes its output into ``target`` itself, where the block
    before it ends (:class:`_Starts`), so that the output is written once, by the workers at
    the same time. Sending 100 MB of output back through pipes cost more CPU than the
    conversion saved; leaving it in a file for the parent to copy cost a tenth of the CPU.
    """
    added = (*OUTPUT_COLUMNS, NOTE_COLUMN)
    summary = ConvertSummary()
    with source.open("rb") as handle:
        header = plain_header(handle.readline(), added)
        if header.names != read_header(source):
            raise NotPlain
        names = tuple(header.names)
        locale = get_locale()
        translations(locale)  # read once, before the workers are forked
        prepare()
        with target.open("wb") as out:
            out.write((",".join(_quote(c) for c in (*header.names, *added)) + "\n").encode())
            out.flush()
            starts = _Starts(out.tell()) if processes > 1 else None
            writes_to = str(target) if starts is not None else None
            jobs = (  # the line feeds are found here; each block is read where it is converted
                partial(
                    _convert_block, str(source), span, names, locale, target=writes_to, index=index
                )
                for index, span in enumerate(spans(handle, chunk_size))
            )
            for converted in _in_order(jobs, threads or 1, processes, starts):
                if converted.data is not None:
                    out.write(converted.data)
                summary.rows += converted.rows
                summary.noted_rows += converted.noted_rows
                summary.bad_rows += converted.bad_rows
                if on_progress is not None:
                    on_progress(converted.end, summary.rows)
    if summary.rows == 0:
        raise NotPlain  # header only: the general path writes what it always wrote
    return summary


@dataclass(frozen=True)
class _Converted:
    """The output of one block (its bytes, or None when its worker wrote them) and its counts."""

    data: bytes | None
    #: Where the block ends in the input file.
    end: int
    rows: int
    noted_rows: int
    bad_rows: int


class _Starts:
    """Where each block's output starts in the target, handed from one block to the next.

    Shared by the forked workers (made before they are: :func:`_in_order` hands it to them
    at their start). Block ``i``'s worker converts its rows, waits for its start (the end of
    block ``i - 1``), hands on its own end as block ``i + 1``'s start, then writes. A block
    that fails hands on a failure instead, and every block after it gives up as well. A ring
    of ``_SLOTS`` entries is enough: at most one block per worker and one more are under way.
    """

    _SLOTS: Final = 64

    def __init__(self, first: int) -> None:
        context = multiprocessing.get_context("fork")
        self._start = context.RawArray("q", self._SLOTS)
        #: ``i + 1`` once block ``i``'s start is known, ``-(i + 1)`` if an earlier one failed.
        self._known = context.RawArray("q", self._SLOTS)
        self._changed = context.Condition()
        self._start[0], self._known[0] = first, 1
        self._parent = os.getpid()

    def wait(self, block: int) -> int | None:
        """Block ``block``'s start in the target, or None if a block before it failed."""
        slot, tag = block % self._SLOTS, block + 1
        with self._changed:
            while not self._changed.wait_for(lambda: abs(self._known[slot]) == tag, timeout=1.0):
                if os.getppid() != self._parent:  # the conversion was abandoned
                    return None
            return int(self._start[slot]) if self._known[slot] > 0 else None

    def hand_on(self, block: int, end: int | None) -> None:
        """Tell block ``block + 1`` where it starts (``end``), or that it must give up (None)."""
        slot, tag = (block + 1) % self._SLOTS, block + 2
        with self._changed:
            self._start[slot] = end or 0
            self._known[slot] = tag if end is not None else -tag
            self._changed.notify_all()


#: The workers' :class:`_Starts`, set in each worker process when it starts.
_STARTS: _Starts | None = None


def _use_starts(starts: _Starts) -> None:
    global _STARTS  # noqa: PLW0603 - one per worker process, set once as it starts
    _STARTS = starts


def _convert_block(
    source: str,
    span: Span,
    names: tuple[str, ...],
    locale: str,
    *,
    target: str | None = None,
    index: int = 0,
) -> _Converted:
    """Block ``index``, its notes in ``locale`` (a worker process has its own context).

    With ``target`` (in a worker), the output is written there, where the block before it
    ends, and not returned.
    """
    try:
        token = set_locale(locale)
        try:
            block = read_block(source, span)
            pieces, cleaned = convert_block(block, names, INPUT_COLUMNS, _quote, threads=1)
        finally:
            reset_locale(token)
    except BaseException:
        if target is not None and _STARTS is not None:
            _STARTS.hand_on(index, None)
        raise
    data: bytes | None = None
    if target is None:
        data = b"".join(pieces)
    else:
        _write_at(target, pieces, index)
    return _Converted(
        data=data,
        end=span.end,
        rows=int(cleaned.notes.shape[0]),
        noted_rows=int(np.count_nonzero(cleaned.notes)),
        bad_rows=int(np.count_nonzero(cleaned.notes & np.uint32(BAD_ROW))),
    )


def _write_at(target: str, pieces: list[bytes | memoryview], index: int) -> None:
    """Write block ``index``'s ``pieces`` into ``target`` where the block before it ends."""
    if _STARTS is None:
        raise RuntimeError("a block is written into the target only by a worker process")
    start = _STARTS.wait(index)
    if start is None:
        _STARTS.hand_on(index, None)
        raise NotPlain  # a block before this one failed: the caller starts again
    _STARTS.hand_on(index, start + sum(len(piece) for piece in pieces))
    handle = os.open(target, os.O_WRONLY)
    try:
        for first in range(0, len(pieces), _IOV_MAX):
            group = pieces[first : first + _IOV_MAX]
            size = sum(len(piece) for piece in group)
            written = os.pwritev(handle, group, start)
            if written != size:  # a short write (a full disk...): the rest, piece by piece
                _write_rest(handle, group, start, written)
            start += size
    finally:
        os.close(handle)


def _write_rest(handle: int, pieces: list[bytes | memoryview], start: int, written: int) -> None:
    """Finish a ``pwritev`` that wrote only ``written`` bytes of ``pieces`` from ``start``."""
    data = memoryview(b"".join(pieces))[written:]
    at = start + written
    while data:
        done = os.pwrite(handle, data, at)
        if done <= 0:
            raise OSError("no byte written")
        data, at = data[done:], at + done


def _in_order(
    jobs: Iterator[Callable[[], _T]],
    threads: int,
    processes: int = 1,
    starts: _Starts | None = None,
) -> Iterator[_T]:
    """Each job's result in order, with up to ``threads`` or ``processes`` jobs at a time.

    ``starts`` is handed to each worker process as it starts (forked: it is not pickled).
    """
    workers = max(threads, processes)
    if workers <= 1:
        for job in jobs:
            yield job()
        return
    pool: Executor
    if processes > 1:
        # Forked: the workers start at once with everything imported; jobs are picklable.
        context = multiprocessing.get_context("fork")
        if starts is None:
            pool = ProcessPoolExecutor(processes, mp_context=context)
        else:
            pool = ProcessPoolExecutor(
                processes, mp_context=context, initializer=_use_starts, initargs=(starts,)
            )
    else:
        pool = ThreadPoolExecutor(max_workers=threads)
    with pool:
        pending: deque[Future[_T]] = deque()
        try:
            for job in jobs:
                if processes > 1:
                    pending.append(pool.submit(job))
                else:  # in the caller's context: the notes are written in its locale
                    pending.append(pool.submit(contextvars.copy_context().run, job))
                if len(pending) > workers:  # bounded memory: a block per worker, one waiting
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            pool.shutdown(cancel_futures=True)
