"""RUTF stock of the demo sites: a year of monthly receipts, a few losses, last month's count.

Receipts follow what each site's CMAM visits gave (read from the nutrition demo), in cartons
of 150 sachets, bringing the stock up to two and a half months of need, so every stock page
has batches, a balance and weeks left. The busiest centre missed this month's delivery: its stock is low and
the alert shows on its page and on the home pages of its nurse and coordinators.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.enums import SERVICE_POINTS
from alima.demo.treat.base import BUSY_SITE, audit_columns
from alima.nutrition import repository as nutrition_repository
from alima.stock.models import StockMovement
from alima.stock.rules import DEFAULT_SACHETS_PER_CARTON, weekly_need

SEED = 1717
MONTHS = 12
#: Each delivery brings the stock up to this many months of what the site gave last month.
TARGET_MONTHS = 2.5
#: The site that missed this month's delivery (its stock is low: the alert shows), when
#: children are in treatment there; otherwise the site with the most.
SHORT_SITE = BUSY_SITE


def _month_start(day: date, back: int) -> date:
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def load(session: Session, *, today: date) -> None:
    """Insert the demo sites' stock movements (one transaction)."""
    rng = random.Random(SEED)
    with session.begin():
        sites = [
            p
            for p in core_repository.list_places(
                session, ["/"], kinds=[k.value for k in SERVICE_POINTS]
            )
            if p.code.startswith("ML")
        ]
        given: dict[tuple[uuid.UUID, date], int] = defaultdict(int)
        for place_id, day, sachets in nutrition_repository.sachets_given_by_day(
            session, [p.id for p in sites], product="rutf", until=today
        ):
            given[place_id, day.replace(day=1)] += sachets
        weekly = {
            p.id: weekly_need(
                nutrition_repository.daily_sachets_of_caseload(
                    session, [p.path], on=today, today=today, product="rutf"
                )
            )
            for p in sites
        }
        busy = next((p for p in sites if p.code == SHORT_SITE), None)
        short = (
            busy if busy is not None and weekly[busy.id] else max(sites, key=lambda p: weekly[p.id])
        )
        rows: list[StockMovement] = []
        for site in sites:
            history = Site(
                place_id=site.id,
                given={m: n for (i, m), n in given.items() if i == site.id},
                weekly=weekly[site.id],
                short=site.id == short.id and weekly[site.id] > 0,
            )
            rows += _site_rows(history, today, rng)
        session.add_all(rows)


@dataclass(frozen=True)
class Site:
    """What a demo site's stock follows: its monthly dispensing and this week's need."""

    place_id: uuid.UUID
    given: dict[date, int]
    weekly: int
    #: The site that missed this month's delivery.
    short: bool


def _movement(site: Site, kind: str, on: date, sachets: int, **more: object) -> StockMovement:
    """A movement of the site's RUTF on a day, written then."""
    return StockMovement(
        **audit_columns(_at(on)),
        place_id=site.place_id,
        kind=kind,
        product="rutf",
        moved_on=on,
        sachets=sachets,
        **more,
    )


def _receipt(site: Site, on: date, cartons: int, rng: random.Random) -> StockMovement:
    per_carton = DEFAULT_SACHETS_PER_CARTON
    return _movement(
        site,
        "receipt",
        on,
        cartons * per_carton,
        cartons=cartons,
        sachets_per_carton=per_carton,
        batch=f"RUTF-{on:%y%m}-{rng.randint(100, 999)}",
        expires_on=on + timedelta(days=rng.randint(300, 540)),
    )


def _site_rows(site: Site, today: date, rng: random.Random) -> list[StockMovement]:
    per_carton = DEFAULT_SACHETS_PER_CARTON
    this_month = today.replace(day=1)
    first = min([*site.given, _month_start(today, MONTHS)])
    rows = []
    balance = 0
    previous = site.given.get(first, 0)
    month = first
    while month <= this_month:
        dispensed = site.given.get(month, 0)
        target = max(previous, per_carton // 3) * TARGET_MONTHS
        if month == this_month:
            # Enough for the children in treatment now, beyond the alert's weeks.
            target = max(target, site.weekly * 8 + dispensed)
        if not (month == this_month and site.short):
            cartons = max(1, math.ceil((target - max(balance, 0)) / per_carton))
            received_on = min(month + timedelta(days=rng.randint(1, 5)), today)
            rows.append(_receipt(site, received_on, cartons, rng))
            balance += cartons * per_carton
        balance -= dispensed
        previous = dispensed
        next_month = (month + timedelta(days=32)).replace(day=1)
        if next_month == this_month:
            # Last month's physical count found a few sachets fewer (damaged, miscounted); the
            # site that missed this month's delivery had about two weeks left after it.
            counted_on = month.replace(day=28)
            found = max(balance - rng.randint(0, 12), 0)
            if site.short:
                found = site.weekly * 2 + site.given.get(this_month, 0)
            rows.append(
                _movement(site, "stock_count", counted_on, found, note="Inventaire de fin de mois")
            )
            balance = found
        if month == _month_start(today, 6) and rng.random() < 0.3:
            lost = min(rng.randint(5, 30), max(balance, 0))
            if lost:
                lost_on = month.replace(day=15)
                rows.append(
                    _movement(
                        site,
                        "loss",
                        lost_on,
                        lost,
                        reason=rng.choice(["damaged", "expired"]),
                        note="Cartons abîmés par la pluie",
                    )
                )
                balance -= lost
        month = next_month
    return rows
