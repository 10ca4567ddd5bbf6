"""Default as a date, follow-up tiers and the state of an episode on any day (docs/clinical-rules.md §4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alima.nutrition.enums import EpisodeStatus, Outcome
from alima.nutrition.protocol import apply_overrides
from alima.nutrition.rules import detect_default
from alima.nutrition.rules.follow_up import (
    FollowUpState,
    default_on,
    episode_state,
    follow_up,
)
from tests.unit.nutrition.builders import OPTIMA

DUE = date(2025, 3, 4)


@settings(max_examples=200, deadline=None)
@given(
    late=st.integers(min_value=-30, max_value=120),
    interval=st.integers(min_value=1, max_value=28),
    after=st.integers(min_value=1, max_value=5),
)
def test_default_on_is_the_first_day_detect_default_is_true(
    late: int, interval: int, after: int
) -> None:
    p = apply_overrides(OPTIMA, {"exit": {"default_after_missed_visits": after}})
    today = DUE + timedelta(days=late)
    day = default_on(next_visit_due_on=DUE, interval_days=interval, p=p)
    assert detect_default(next_visit_due_on=DUE, today=today, interval_days=interval, p=p) is (
        today >= day
    )
    where = follow_up(next_visit_due_on=DUE, today=today, interval_days=interval, p=p)
    assert (where.state is FollowUpState.DEFAULTED) is (today >= day)
    assert where.defaulted_on == (day if today >= day else None)
    state = episode_state(status="open", outcome=None, closed_on=None, defaults_on=day, today=today)
    assert state.is_open is (today < day)


@pytest.mark.parametrize(
    ("after", "tiers"),
    [
        (2, ["upcoming", "due", "overdue", "overdue", "defaulted", "defaulted"]),
        (3, ["upcoming", "due", "missed", "missed", "overdue", "defaulted"]),
    ],
)
def test_tiers_come_from_the_protocol(after: int, tiers: list[str]) -> None:
    """Overdue: one more missed visit and the child is defaulted (``default_after_missed_visits``)."""
    p = apply_overrides(OPTIMA, {"exit": {"default_after_missed_visits": after}})
    offsets = [-1, 0, 1, 7, 8, 15]  # weekly, due on DUE
    got = [
        follow_up(
            next_visit_due_on=DUE, today=DUE + timedelta(days=d), interval_days=7, p=p
        ).state.value
        for d in offsets
    ]
    assert got == tiers


def test_a_recorded_exit_wins_and_no_schedule_never_defaults() -> None:
    closed = episode_state(
        status="closed", outcome="died", closed_on=DUE, defaults_on=None, today=DUE
    )
    assert (closed.status, closed.outcome, closed.closed_on) == (
        EpisodeStatus.CLOSED,
        Outcome.DIED,
        DUE,
    )
    waiting = follow_up(next_visit_due_on=None, today=DUE, interval_days=7, p=OPTIMA)
    assert waiting.state is FollowUpState.UNSCHEDULED
    assert episode_state(
        status="open", outcome=None, closed_on=None, defaults_on=None, today=date(2099, 1, 1)
    ).is_open
