"""Coverage and drop-out of a campaign's cycles (pure; docs/clinical-rules.md §14).

Coverage of a cycle = children given day 1 in the cycle / target children 3-59 months.
Drop-out from cycle 1 to cycle n = children given in cycle 1 but not in cycle n / children
given in cycle 1 (the usual SMC programme indicator).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping


def percent(part: int, whole: int) -> float | None:
    """``part`` in percent of ``whole``, one decimal; ``None`` when the whole is 0."""
    return round(100 * part / whole, 1) if whole else None


def target_from_population(population: int, share_percent: float) -> int:
    """Children 3-59 months in a population, from the share set for the country (§14)."""
    return math.ceil(population * share_percent / 100)


def treated_per_cycle(given: Iterable[tuple[int, uuid.UUID]]) -> dict[int, set[uuid.UUID]]:
    """The children given day 1 in each cycle number, from (cycle, child) pairs."""
    out: dict[int, set[uuid.UUID]] = {}
    for cycle, child in given:
        out.setdefault(cycle, set()).add(child)
    return out


def dropout(treated: Mapping[int, set[uuid.UUID]], first: int, cycle: int) -> tuple[int, int]:
    """(children of cycle ``first`` missing from ``cycle``, children of cycle ``first``)."""
    start = treated.get(first, set())
    return len(start - treated.get(cycle, set())), len(start)
