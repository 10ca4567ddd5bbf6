"""The default threshold set shipped with alima (``thresholds.toml``), or a country's file."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from alima.outbreaks.rules.thresholds import ThresholdRule, parse_rules


@cache
def default_rules(path: str | None = None) -> tuple[ThresholdRule, ...]:
    """The rules of ``path`` (a country's TOML file), or of the file shipped in the package."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("alima.outbreaks").joinpath("thresholds.toml").read_text("utf-8")
    return tuple(parse_rules(tomllib.loads(text).get("rules", [])))
