"""The commands' rich console, made on first use.

A command that prints nothing through rich (``alima growth zscores``, timed by
``benchmarks/growth.py --cli``) then never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class LazyConsole:
    """Stands for ``rich.console.Console(stderr=stderr)``; the console is made on first use."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        """The console itself (for rich objects that take one, such as ``Progress``)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)
