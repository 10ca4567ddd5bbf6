"""``alima growth``: WHO 2006 z-scores for a CSV file of children, in bounded memory.

The Typer sub-app: its arguments, help and messages. The conversion is
:func:`alima.cli.zscores.run`, which :func:`alima.cli.main` also starts without Typer when
the arguments are plain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from alima.cli.zscores import DEFAULT_PROCESSES, run
from alima.growth.csvio import DEFAULT_CHUNK_ROWS

app = typer.Typer(
    help="WHO 2006 Child Growth Standards z-scores (length/height, weight, weight-for-"
    "length/height, BMI and MUAC for age), computed as WHO's R package anthro does.",
    no_args_is_help=True,
    add_completion=False,
)


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
    ] = DEFAULT_PROCESSES,
) -> None:
    """Add clenhei, cbmi, zlen, zwei, zwfl, zbmi, zac, their flags and a note to each row."""
    code = run(input, output, chunk_size=chunk_size, processes=processes)
    if code:
        raise typer.Exit(code=code)
