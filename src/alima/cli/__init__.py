"""The ``alima`` command line.

:func:`main` is the program. The commands are Typer apps (:mod:`alima.cli.commands`), imported
for every call but ``alima growth zscores`` with plain arguments: that one starts without
Typer and the pydantic it loads to convert arguments, a fifth of a second of a one-second
conversion (:mod:`alima.cli.zscores`, ``benchmarks/growth.py --cli``). Anything else on its
line, ``--help`` or a wrong argument included, goes to Typer, which says what it always said.
"""

from __future__ import annotations

import os
import sys

# No command uses numpy's linear algebra: without this, OpenBLAS starts a thread per CPU when
# numpy is imported (``alima growth``), CPU time taken at every start (benchmarks/README.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> None:
    """Run ``alima`` with ``argv`` (default: the process's arguments)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:2] == ["growth", "zscores"]:
        from alima.cli.zscores import run_plain

        code = run_plain(args[2:])
        if code is not None:
            raise SystemExit(code)
    from alima.cli.commands import app

    app(args=args, prog_name="alima")
