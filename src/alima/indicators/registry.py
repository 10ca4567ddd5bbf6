"""The indicator registry: one home for every indicator's code, label, definition and functions.

Why a registry: the impact page, reports and exports must show every domain's activity
without knowing the domains. A domain registers its indicators in a module named
``alima/indicators/<domain>.py`` or ``alima/<domain>/indicators.py``, calling :func:`register`
at import; :func:`load_indicators` imports all of them. Codes (``TREAT-CONSULTATIONS``) never
change after release.

Every function runs inside the caller's transaction, reads only, and counts records whose
place lies in one of ``paths`` (materialised place paths) and whose date is between ``start``
and ``end``, both included. The monthly variant returns ``{first day of month: value}`` with
months without activity left out; for additive indicators the months sum to the count.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

import alima

#: ``DOMAIN-WHAT`` in capitals, digits and hyphens.
CODE_PATTERN = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+$")
#: Packages that deliver pages or commands: never searched for indicator modules.
DELIVERY_PACKAGES = frozenset({"api", "web", "cli", "migrations", "demo", "locale"})


class CountFunction(Protocol):
    """The value of an indicator over place subtrees and a period."""

    def __call__(self, session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
        """Compute the value."""
        ...


class MonthlyFunction(Protocol):
    """The value of an indicator by month (first day of the month -> value)."""

    def __call__(
        self, session: Session, *, paths: Sequence[str], start: date, end: date
    ) -> dict[date, int]:
        """Compute the values by month."""
        ...


class ByPathFunction(Protocol):
    """The value of an indicator by place path of the records, within subtrees and a period."""

    def __call__(
        self, session: Session, *, paths: Sequence[str], start: date, end: date
    ) -> dict[str, int]:
        """Compute the values by place path."""
        ...


@dataclass(frozen=True)
class Indicator:
    """An activity indicator: metadata and the functions that compute it.

    ``label`` and ``definition`` are English source strings marked with ``N_`` (translated
    where shown). ``additive`` is false for counts of distinct things (sites, teams), whose
    months do not add up to the year and are not charted.
    """

    code: str
    label: str
    definition: str
    domain: str
    count: CountFunction
    monthly: MonthlyFunction
    order: int = 100
    public: bool = True
    additive: bool = True
    #: For an additive count: the value by place path, summed into many subtrees at once
    #: (a DHIS2 export's organisation units) instead of one count per subtree.
    by_path: ByPathFunction | None = None


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add an indicator; its code must be well formed and not taken by another indicator."""
    if not CODE_PATTERN.match(indicator.code):
        msg = f"indicator code {indicator.code!r} must look like DOMAIN-WHAT"
        raise ValueError(msg)
    existing = _REGISTRY.get(indicator.code)
    if existing is not None and existing != indicator:
        msg = f"indicator code {indicator.code} is already registered"
        raise ValueError(msg)
    _REGISTRY[indicator.code] = indicator
    return indicator


def registered() -> list[Indicator]:
    """Every registered indicator, in display order."""
    return sorted(_REGISTRY.values(), key=lambda i: (i.order, i.code))


def get(code: str) -> Indicator:
    """The indicator with this code (``KeyError`` if none)."""
    return _REGISTRY[code]


def _definition_modules() -> list[str]:
    import alima.indicators as package

    names = [
        f"{package.__name__}.{m.name}"
        for m in pkgutil.iter_modules(package.__path__)
        if m.name != "registry"
    ]
    for module in pkgutil.iter_modules(alima.__path__):
        if not module.ispkg or module.name in DELIVERY_PACKAGES or module.name == "indicators":
            continue
        name = f"alima.{module.name}.indicators"
        if importlib.util.find_spec(name) is not None:
            names.append(name)
    return sorted(names)


def load_indicators() -> list[Indicator]:
    """Import every module that registers indicators, and return them in display order."""
    for name in _definition_modules():
        importlib.import_module(name)
    return registered()
