"""Pure rules of the DHIS2 exchange: identifiers, periods, places that overlap.

DHIS2 identifiers (uids) are 11 characters, letters and digits, starting with a letter. A
monthly period is ``YYYYMM`` in ``dataValueSets`` and ``YYYY-MM-01/P1M`` (ISO 8601 start and
duration) in ADX.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

#: A DHIS2 uid: a letter then ten letters or digits.
UID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
#: The only period type alima sends (its reports are monthly).
MONTHLY = "MONTHLY"
PERIOD_TYPES = (MONTHLY,)


def is_uid(text: str) -> bool:
    """Whether ``text`` is a well-formed DHIS2 uid."""
    return bool(UID_PATTERN.match(text))


def data_value_set_period(start: date) -> str:
    """The month starting on ``start`` as ``dataValueSets`` names it: ``202406``."""
    return f"{start:%Y%m}"


def adx_period(start: date) -> str:
    """The month starting on ``start`` as ADX names it: ``2024-06-01/P1M``."""
    return f"{start:%Y-%m}-01/P1M"


def overlapping(paths: Mapping[str, str]) -> list[tuple[str, str]]:
    """Pairs of places (by code) where one lies inside the other.

    ``paths`` maps a place code to its materialised path. Each organisation unit receives the
    figures of its place's whole subtree, so a district mapped together with one of its
    facilities would be counted twice by DHIS2's totals: such pairs are refused.
    """
    items = sorted(paths.items(), key=lambda item: (len(item[1]), item[0]))
    return [
        (outer, inner)
        for i, (outer, outer_path) in enumerate(items)
        for inner, inner_path in items[i + 1 :]
        if inner_path.startswith(outer_path)
    ]
