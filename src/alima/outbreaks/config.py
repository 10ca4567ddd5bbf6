"""What a deployment (a country's hub) sets for surveillance, read once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from alima.core.config import Settings
from alima.outbreaks.rules.epiweeks import ISO, EpiCalendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_AGE_GROUPS = ("0-11m", "1-4y", "5-14y", "15y+")


@dataclass(frozen=True)
class Surveillance:
    """The country's epi calendar, report age groups, report deadline and threshold file."""

    calendar: EpiCalendar = ISO
    age_groups: tuple[str, ...] = DEFAULT_AGE_GROUPS
    #: Days after the last day of a week by which its report is on time.
    due_days: int = 2
    thresholds_file: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> Surveillance:
        """The surveillance configuration of ``settings`` (``ALIMA_OUTBREAKS_*``)."""
        return cls(
            calendar=EpiCalendar(
                WEEKDAYS.index(settings.outbreaks_week_starts_on),
                settings.outbreaks_week_one_min_days,
            ),
            age_groups=tuple(g for g in settings.outbreaks_age_groups.split(",") if g),
            due_days=settings.outbreaks_report_due_days,
            thresholds_file=settings.outbreaks_thresholds_file,
        )
