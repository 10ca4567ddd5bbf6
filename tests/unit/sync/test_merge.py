"""The three-way merge of a laptop's change into the hub's row, as a table."""

from __future__ import annotations

from typing import Any

import pytest

from alima.sync.merge import three_way

BASE_ROW = {"phone": "1", "village": "Molodo", "caregiver_name": "Awa", "deleted_at": None}


def _row(**changes: Any) -> dict[str, Any]:
    return {**BASE_ROW, **changes}


CASES = [
    # Only the laptop changed the phone: it applies.
    (_row(), _row(phone="2"), {"phone": "1"}, True, {"phone": "2"}, (), ()),
    # The hub already holds the laptop's value: nothing to do.
    (_row(phone="2"), _row(phone="2"), {"phone": "1"}, True, {}, (), ()),
    # The hub changed the village, the laptop the phone: both kept, the merge marked.
    (
        _row(village="Niono"),
        _row(phone="2"),
        {"phone": "1"},
        True,
        {"phone": "2"},
        (),
        ("village",),
    ),
    # Same field, both changed: the owning laptop's value holds until reviewed...
    (_row(phone="9"), _row(phone="2"), {"phone": "1"}, True, {"phone": "2"}, ("phone",), ()),
    # ...and the hub's when the laptop only shares the record.
    (_row(phone="9"), _row(phone="2"), {"phone": "1"}, False, {}, ("phone",), ()),
    # The updated_at column decides nothing.
    (
        _row(),
        _row(phone="2", updated_at="x"),
        {"phone": "1", "updated_at": "w"},
        True,
        {"phone": "2"},
        (),
        (),
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_three_way(case: tuple[Any, ...]) -> None:
    ours, theirs, base, owns, apply, conflicts, hub_changed = case
    merge = three_way(base, theirs, ours, theirs_own_it=owns)
    assert merge.apply == apply
    assert merge.conflicts == conflicts
    assert merge.hub_changed == hub_changed
    assert not merge.against_delete


def test_a_change_against_a_deletion_goes_to_review_and_applies_nothing() -> None:
    merge = three_way(
        {"phone": "1"}, _row(phone="2"), _row(deleted_at="2026-11-01T00:00:00"), theirs_own_it=True
    )
    assert merge.against_delete
    assert merge.apply == {}
    assert merge.conflicts == ("phone",)


def test_the_version_is_the_larger_one_plus_one_on_a_conflict() -> None:
    merge = three_way(
        {"phone": "1", "version": 1},
        _row(phone="2", version=2),
        _row(phone="9", version=3),
        theirs_own_it=True,
    )
    assert merge.apply == {"phone": "2", "version": 4}
