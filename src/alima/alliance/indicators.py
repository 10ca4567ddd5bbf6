"""The "Together" indicators of the impact page and reports (``alima.indicators.registry``).

Health workers trained counts people, not attendances: one health worker at three trainings
counts once over the period (and once in each month they were trained), so the months do not
add up to the period and the indicator is registered as not additive.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from alima.alliance import repository
from alima.core.i18n import N_
from alima.indicators.registry import Indicator, register


def health_workers_trained(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> int:
    """Distinct health workers trained at places in ``paths``, trainings ending in the period."""
    return repository.count_health_workers_trained(session, paths=paths, start=start, end=end)


def health_workers_trained_monthly(
    session: Session, *, paths: Sequence[str], start: date, end: date
) -> dict[date, int]:
    """Distinct health workers trained, by month (months without training left out)."""
    series = repository.health_workers_trained_by_month(session, paths=paths, start=start, end=end)
    return {date(int(key[:4]), int(key[5:7]), 1): count for key, count in series.items() if count}


HEALTH_WORKERS_TRAINED = register(
    Indicator(
        code="TOGETHER-HEALTH-WORKERS-TRAINED",
        label=N_("health workers trained"),
        definition=N_(
            "Distinct health workers (same name and organisation count once) who attended a "
            "training (infection prevention and control, MUAC, CMAM...) that ended in the period."
        ),
        domain="alliance",
        count=health_workers_trained,
        monthly=health_workers_trained_monthly,
        order=80,
        additive=False,
    )
)
