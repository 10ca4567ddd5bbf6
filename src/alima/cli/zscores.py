"""``alima growth zscores``: the conversion itself, and its plain arguments read without Typer.

:func:`run` converts a file and says what it did on standard error; the Typer command
(:mod:`alima.cli.growth`) calls it after Typer has read and checked the arguments.
:func:`run_plain` is how :func:`alima.cli.main` starts it when the arguments are plain (one
existing, readable input file, ``-o``/``--output``, whole numbers of at least 1 for
``--chunk-size`` and ``--processes``): converting them does not need Typer, whose
conversion of arguments imports pydantic, a fifth of a second at every start. For any other
line it returns ``None`` and Typer reads the line, with its help and its messages.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from alima.core.i18n import N_, gettext, ngettext
from alima.growth.csvio import DEFAULT_CHUNK_ROWS, OutputIsInput, convert_csv
from alima.growth.errors import FILE_REASONS, GrowthError
from alima.growth.frame import MissingColumns

#: Worker processes by default: the CPUs this process may run on, at most 4.
DEFAULT_PROCESSES: Final = min(4, len(os.sched_getaffinity(0)))

MSG_DONE = N_("Wrote {rows} rows to {path}.")
MSG_NOTED = N_("{count} row(s) have a note in column zscore_note.")
MSG_SKIPPED = N_("Skipped {count} malformed line(s) (wrong number of fields):")
MSG_PROGRESS = N_("Computing z-scores")

#: The options :func:`run_plain` reads, each followed by its value.
_OPTIONS: Final = {
    "-o": "output",
    "--output": "output",
    "--chunk-size": "chunk_size",
    "--processes": "processes",
}


def _say(text: str) -> None:
    sys.stderr.write(f"{text}\n")


def run(input: Path, output: Path, *, chunk_size: int, processes: int) -> int:
    """Add z-scores to every row of ``input`` into ``output``; returns the exit status."""
    with _progress(input.stat().st_size) as advance:
        try:
            summary = convert_csv(
                input, output, chunk_size=chunk_size, on_progress=advance, processes=processes
            )
        except (MissingColumns, OutputIsInput) as exc:
            advance.stop()
            _say(exc.message)
            return 2
        except OSError as exc:  # a folder that does not exist, a full disk...
            advance.stop()
            _say(_file_error(exc, input, output))
            return 2
    _say(gettext(MSG_DONE, rows=summary.rows, path=output))
    if summary.noted_rows:
        _say(gettext(MSG_NOTED, count=summary.noted_rows))
    if summary.bad_rows:
        _say(
            ngettext(
                "{n} row has a bad value and no z-scores.",
                "{n} rows have a bad value and no z-scores.",
                summary.bad_rows,
            )
        )
    if summary.skipped_lines:
        _say(gettext(MSG_SKIPPED, count=len(summary.skipped_lines)))
        for line in summary.skipped_lines[:20]:
            _say(f"  {line}")
    return 0


def _file_error(exc: OSError, input: Path, output: Path) -> str:
    """What went wrong with a file, in the reader's language; a partial output is removed."""
    name = errno.errorcode.get(exc.errno or 0, "")
    reason = gettext(FILE_REASONS[name]) if name in FILE_REASONS else (exc.strerror or str(exc))
    if exc.filename is None and output.is_file() and output.resolve() != input.resolve():
        output.unlink()  # failed while writing: a part of the rows must not pass for the whole
    path = exc.filename or output
    return gettext(GrowthError.GRO_003.detail.message, path=path, reason=reason)


def run_plain(args: list[str]) -> int | None:
    """:func:`run` for plain arguments (after ``growth zscores``); None: Typer must read them."""
    values: dict[str, str] = {}
    inputs: list[str] = []
    at = 0
    while at < len(args):
        name = _OPTIONS.get(args[at])
        if name is not None:
            if at + 1 == len(args) or name in values:
                return None
            values[name] = args[at + 1]
            at += 2
        elif args[at].startswith("-"):  # --help, another option, "--", "-"
            return None
        else:
            inputs.append(args[at])
            at += 1
    numbers = {name: _whole(values.get(name)) for name in ("chunk_size", "processes")}
    if len(inputs) != 1 or "output" not in values or 0 in numbers.values():
        return None
    if not os.path.isfile(inputs[0]) or not os.access(inputs[0], os.R_OK):
        return None  # Typer says why
    return run(
        Path(inputs[0]),
        Path(values["output"]),
        chunk_size=numbers["chunk_size"] or DEFAULT_CHUNK_ROWS,
        processes=numbers["processes"] or DEFAULT_PROCESSES,
    )


def _whole(text: str | None) -> int | None:
    """A whole number of at least 1 written with digits only, None if absent, else 0."""
    if text is None:
        return None
    return int(text) if text.isascii() and text.isdigit() and int(text) >= 1 else 0


class _Advance:
    """``on_progress`` for :func:`convert_csv`: a progress bar on a terminal, else nothing."""

    def __init__(self, update: Callable[[int, int], None] | None = None) -> None:
        self.update = update
        self.stop: Callable[[], None] = lambda: None

    def __call__(self, done_bytes: int, rows: int) -> None:
        if self.update is not None:
            self.update(done_bytes, rows)


@contextmanager
def _progress(total_bytes: int) -> Iterator[_Advance]:
    """A transient progress bar on stderr when it is a terminal (rich is loaded only then)."""
    if not sys.stderr.isatty():
        yield _Advance()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task(gettext(MSG_PROGRESS), total=total_bytes, rows=0)

        def update(done_bytes: int, rows: int) -> None:
            progress.update(task, completed=done_bytes, rows=rows)

        advance = _Advance(update)
        advance.stop = progress.stop
        yield advance
