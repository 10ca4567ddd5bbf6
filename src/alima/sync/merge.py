"""Three-way merge of a record changed on a node against the hub's copy (pure).

The node sends the whole row it now holds and the old values (its base) of the fields it
changed. For each of those fields: if the hub still holds the base value, the node's value
applies; if the hub already holds the node's value, nothing changes; otherwise both sides
changed the same field, a conflict whose provisional winner is the owning site's value. Fields
only the hub changed keep the hub's value: different fields merge, and the merge is marked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Columns that change with every write and decide nothing (a version is the larger one).
BOOKKEEPING = frozenset({"updated_at", "version"})


@dataclass(frozen=True)
class Merge:
    """What to write on the hub, and what a person must look at."""

    apply: dict[str, Any] = field(default_factory=dict)
    conflicts: tuple[str, ...] = ()
    #: Fields the hub had changed since the node's base (kept): the merge is marked.
    hub_changed: tuple[str, ...] = ()
    #: The hub's record is deleted and the node changed it: held for review.
    against_delete: bool = False


def three_way(
    base: Mapping[str, Any],
    theirs: Mapping[str, Any],
    ours: Mapping[str, Any],
    *,
    theirs_own_it: bool,
) -> Merge:
    """Merge the node's change (``theirs``, with its ``base``) into the hub's row (``ours``)."""
    if ours.get("deleted_at") is not None and theirs.get("deleted_at") is None:
        changed = tuple(k for k in base if k not in BOOKKEEPING)
        return Merge(conflicts=changed, against_delete=True)
    apply: dict[str, Any] = {}
    conflicts: list[str] = []
    for key, old in base.items():
        if key in BOOKKEEPING or key not in theirs:
            continue
        new, current = theirs[key], ours.get(key)
        if current in (old, new):
            if current != new:
                apply[key] = new
            continue
        conflicts.append(key)
        if theirs_own_it:
            apply[key] = new
    if "version" in base and isinstance(theirs.get("version"), int):
        apply["version"] = max(theirs["version"], ours.get("version") or 0) + (
            1 if conflicts else 0
        )
    hub_changed = tuple(
        k
        for k, v in ours.items()
        if k not in base and k not in BOOKKEEPING and k in theirs and theirs[k] != v
    )
    return Merge(apply=apply, conflicts=tuple(conflicts), hub_changed=hub_changed)
