"""Reading DHIS2's answer to ``POST /api/dataValueSets``: its import summary.

DHIS2 answers an ``ImportSummary`` (``status``, ``importCount`` with ``imported``,
``updated``, ``ignored`` and ``deleted``, and ``conflicts``), either bare (up to 2.37) or
inside a web message (``{"httpStatus": ..., "response": {ImportSummary}}``, 2.38 and later,
with HTTP 409 when there are conflicts). A conflict names the object refused (``object``, a
uid or a value) and why (``value``); newer versions add an ``errorCode`` (``E7610``...), the
``property`` concerned and the ``indexes`` of the refused values in the set sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Our status of an answer that is not an import summary (an HTML page, a proxy's error).
UNREADABLE = "UNREADABLE"
#: Our status when DHIS2 could not be reached at all.
UNREACHABLE = "UNREACHABLE"


@dataclass(frozen=True, slots=True)
class Conflict:
    """One refusal of the import, as DHIS2 wrote it."""

    object: str
    value: str
    error_code: str = ""
    property: str = ""
    indexes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What DHIS2 did with a data value set."""

    status: str
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    conflicts: tuple[Conflict, ...] = field(default_factory=tuple)
    description: str = ""


def _count(counts: Mapping[str, Any], name: str) -> int:
    value = counts.get(name, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def _conflict(raw: Any) -> Conflict | None:
    if not isinstance(raw, Mapping):
        return None
    indexes = raw.get("indexes")
    return Conflict(
        object=str(raw.get("object", "")),
        value=str(raw.get("value", "")),
        error_code=str(raw.get("errorCode") or ""),
        property=str(raw.get("property") or ""),
        indexes=tuple(i for i in indexes if isinstance(i, int))
        if isinstance(indexes, list)
        else (),
    )


def parse_import_summary(body: Any) -> ImportSummary:
    """The import summary of DHIS2's JSON answer, bare or wrapped; ``UNREADABLE`` otherwise."""
    if not isinstance(body, Mapping):
        return ImportSummary(status=UNREADABLE)
    summary = body.get("response") if isinstance(body.get("response"), Mapping) else body
    assert isinstance(summary, Mapping)  # noqa: S101 - chosen just above
    counts = summary.get("importCount")
    if not isinstance(counts, Mapping) or not isinstance(summary.get("status"), str):
        return ImportSummary(status=UNREADABLE, description=str(body.get("message") or "")[:500])
    raw_conflicts = summary.get("conflicts")
    conflicts = (
        tuple(c for c in (_conflict(r) for r in raw_conflicts) if c is not None)
        if isinstance(raw_conflicts, list)
        else ()
    )
    return ImportSummary(
        status=str(summary["status"]),
        imported=_count(counts, "imported"),
        updated=_count(counts, "updated"),
        ignored=_count(counts, "ignored"),
        deleted=_count(counts, "deleted"),
        conflicts=conflicts,
        description=str(summary.get("description") or body.get("message") or "")[:500],
    )
