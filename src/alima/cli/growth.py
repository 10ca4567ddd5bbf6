"""``alima growth``: WHO 2006 z-scores for a CSV file of children, in bounded memory."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from alima.core.i18n import N_, gettext, ngettext
from alima.growth.csvio import DEFAULT_CHUNK_ROWS, OutputIsInput, convert_csv
from alima.growth.frame import MissingColumns

app = typer.Typer(
    help="WHO 2006 Child Growth Standards z-scores (length/height, weight, weight-for-"
    "length/height, BMI and MUAC for age), computed as WHO's R package anthro does.",
    no_args_is_help=True,
    add_completion=False,
)

MSG_DONE = N_("Wrote {rows} rows to {path}.")
MSG_NOTED = N_("{count} row(s) have a note in column zscore_note.")
MSG_SKIPPED = N_("Skipped {count} malformed line(s) (wrong number of fields):")
MSG_PROGRESS = N_("Computing z-scores")


@app.callback()
def main() -> None:
    """WHO 2006 Child Growth Standards z-scores."""


@app.command()
def zscores(
    input: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with WHO Anthro columns: sex (1/2), age_days, weight (kg), lenhei (cm), "
            "measure (l/h/empty), muac (cm), oedema (y/n). Other columns are kept.",
        ),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write.")],
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Rows read and computed at a time.")
    ] = DEFAULT_CHUNK_ROWS,
    processes: Annotated[
        int,
        typer.Option(
            "--processes",
            min=1,
            help="Processes converting blocks of rows at the same time (default: the CPUs).",
        ),
    ] = min(4, len(os.sched_getaffinity(0))),
) -> None:
    """Add clenhei, cbmi, zlen, zwei, zwfl, zbmi, zac, their flags and a note to each row."""

    def say(text: str) -> None:
        typer.echo(text, err=True)

    with _progress(input.stat().st_size) as advance:
        try:
            summary = convert_csv(
                input, output, chunk_size=chunk_size, on_progress=advance, processes=processes
            )
        except (MissingColumns, OutputIsInput) as exc:
            advance.stop()
            say(exc.message)
            raise typer.Exit(code=2) from exc
    say(gettext(MSG_DONE, rows=summary.rows, path=output))
    if summary.noted_rows:
        say(gettext(MSG_NOTED, count=summary.noted_rows))
    if summary.bad_rows:
        say(
            ngettext(
                "{n} row has a bad value and no z-scores.",
                "{n} rows have a bad value and no z-scores.",
                summary.bad_rows,
            )
        )
    if summary.skipped_lines:
        say(gettext(MSG_SKIPPED, count=len(summary.skipped_lines)))
        for line in summary.skipped_lines[:20]:
            say(f"  {line}")


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
