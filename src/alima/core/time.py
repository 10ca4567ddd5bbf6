"""Time helpers: everything stored is timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in UTC (health centres in the Sahel run on UTC or UTC+1)."""
    return utcnow().date()


def age_in_months(birth_date: date, on: date) -> float:
    """Age in months with WHO's 30.4375-day month (WHO Anthro convention)."""
    return (on - birth_date).days / 30.4375
