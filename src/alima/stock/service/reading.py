"""Reading stock: a site's stock on a day, the sites in scope and their alerts, the month report.

Everything that depends on the day (expired batches, weeks left, the alert) is computed here,
when it is read, from the movements and the visits as they stand.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor
from alima.core.errors import BadRequest, CoreError
from alima.core.models import Place
from alima.core.service.common import audit_read, dto
from alima.core.time import today as utc_today
from alima.nutrition.enums import Product
from alima.nutrition.rules.report import reportable_month
from alima.stock import repository, rules
from alima.stock.enums import StockLevel
from alima.stock.schemas import (
    BatchRead,
    MovementRead,
    StockAlert,
    StockRead,
    StockReport,
    StockReportSite,
)
from alima.stock.service.common import (
    SERVICE_POINT_KINDS,
    WRITE_PERMISSION,
    can_read,
    daily_need,
    daily_needs,
    ledgers,
    movement_read,
    not_a_place,
    read_paths,
    readable_place,
    sites_in,
)

#: Movements listed on a site's page.
RECENT_MOVEMENTS = 30
ALERT_LEVELS = frozenset({StockLevel.LOW, StockLevel.OUT})
#: The audited entity of a refused read of a site's stock.
STOCK_SITE = "stock_site"


def _state(
    session: Session,
    place: Place,
    ledger: rules.Ledger,
    *,
    on: date,
    alert_weeks: float,
    product: str,
) -> rules.StockState:
    need = daily_need(session, place, on=on, today=on, product=product)
    return rules.read_stock(ledger, on=on, daily_need=need, alert_weeks=alert_weeks)


def site_stock(
    session: Session,
    place_code: str,
    *,
    actor: Actor,
    alert_weeks: float,
    product: Product = Product.RUTF,
    today: date | None = None,
) -> StockRead:
    """A site's stock read on ``today``: batches (FEFO), weeks left, alert, latest movements.

    A place outside the reader's scope is absent (404), the attempt audited.
    """
    on = today or utc_today()
    with session.begin():
        place = core_repository.find_place_by_code(session, place_code)
        if place is None or place.kind not in SERVICE_POINT_KINDS:
            result = None
        elif not can_read(actor, place.path):
            audit_read(
                session,
                actor,
                allowed=False,
                entity_type=STOCK_SITE,
                entity_id=place.id,
                patient_id=None,
                place_id=place.id,
            )
            result = None
        else:
            result = _site_read(
                session, place, actor, on=on, alert_weeks=alert_weeks, product=product
            )
    if result is None:
        raise not_a_place(place_code)
    return result


def _site_read(
    session: Session,
    place: Place,
    actor: Actor,
    *,
    on: date,
    alert_weeks: float,
    product: str,
) -> StockRead:
    ledger = ledgers(session, [place], product=product, until=on)[place.id]
    state = _state(session, place, ledger, on=on, alert_weeks=alert_weeks, product=product)
    changes = {p.event.movement_id: p.change for p in ledger.played if p.event.movement_id}
    recent = repository.recent_movements(session, place.id, product=product, limit=RECENT_MOVEMENTS)
    counts = [p.event.on for p in ledger.played if p.event.step is rules.Step.COUNT]
    return dto(
        StockRead,
        state,
        place_code=place.code,
        place_name=place.name,
        product=product,
        on=on,
        batches=[dto(BatchRead, b) for b in state.batches],
        alert_weeks=alert_weeks,
        last_count_on=max(counts) if counts else None,
        movements=[
            movement_read(m, actor, place=place, corrected=c, change=changes.get(m.id))
            for m, c in recent
        ],
        can_write=actor.can_at(WRITE_PERMISSION, place.path),
    )


def stock_overview(
    session: Session,
    *,
    actor: Actor,
    alert_weeks: float,
    product: Product = Product.RUTF,
    today: date | None = None,
) -> list[StockAlert]:
    """Every site in the reader's scope with its stock level (alerts first)."""
    on = today or utc_today()
    with session.begin():
        places = sites_in(session, read_paths(actor))
        books = ledgers(session, places, product=product, until=on)
        needs = daily_needs(session, places, on=on, today=on, product=product)
        result = []
        for place in places:
            state = rules.read_stock(
                books[place.id], on=on, daily_need=needs[place.id], alert_weeks=alert_weeks
            )
            result.append(dto(StockAlert, state, place_code=place.code, place_name=place.name))
    order = {StockLevel.OUT: 0, StockLevel.LOW: 1, StockLevel.OK: 2, StockLevel.NO_NEED: 3}
    return sorted(result, key=lambda a: (order[a.level], a.place_name))


def stock_alerts(
    session: Session,
    *,
    actor: Actor,
    alert_weeks: float,
    product: Product = Product.RUTF,
    today: date | None = None,
) -> list[StockAlert]:
    """The sites in scope whose stock runs out within ``alert_weeks`` weeks, or has run out."""
    overview = stock_overview(
        session, actor=actor, alert_weeks=alert_weeks, product=product, today=today
    )
    return [a for a in overview if a.level in ALERT_LEVELS]


def monthly_stock_report(
    session: Session,
    *,
    month: str,
    place_code: str,
    actor: Actor,
    alert_weeks: float,
    product: Product = Product.RUTF,
    today: date | None = None,
) -> StockReport:
    """The month of a site's stock, or the sum of the sites of a place (district, area...).

    Weeks left are those at the end of the month (or today, for the month in progress).
    """
    on = today or utc_today()
    start, end = reportable_month(month, on)
    if start > on:
        raise BadRequest(CoreError.CORE_004, fields="month")
    read_on = min(end, on)
    with session.begin():
        place = readable_place(session, actor, place_code)
        if place is None:
            result = None
        else:
            sites = sites_in(session, [place.path])
            books = ledgers(session, sites, product=product, until=end)
            lines = []
            for site in sites:
                figures = rules.month_figures(books[site.id].played, start, end)
                state = _state(
                    session,
                    site,
                    _until(books[site.id], read_on),
                    on=read_on,
                    alert_weeks=alert_weeks,
                    product=product,
                )
                lines.append(_line(site, figures, state))
            result = (place, lines)
    if result is None:
        raise not_a_place(place_code)
    place, lines = result
    total = sum(
        (
            rules.MonthFigures(
                s.opening, s.received, s.dispensed, s.losses, s.adjustments, s.closing, s.counted
            )
            for s in lines
        ),
        start=rules.MonthFigures(0, 0, 0, 0, 0, 0, 0 if lines else None),
    )
    need = sum(s.weekly_need for s in lines)
    return dto(
        StockReport,
        total,
        place_code=place.code,
        place_name=place.name,
        month=f"{start:%Y-%m}",
        start=start,
        end=end,
        product=product,
        weekly_need=need,
        usable=sum(s.usable for s in lines),
        weeks_left=rules.weeks_left(sum(s.usable for s in lines), need),
        sites=lines,
    )


def _until(ledger: rules.Ledger, on: date) -> rules.Ledger:
    """The ledger replayed up to the end of ``on``."""
    return rules.play(p.event for p in ledger.played if p.event.on <= on)


def _line(site: Place, figures: rules.MonthFigures, state: rules.StockState) -> StockReportSite:
    return dto(
        StockReportSite,
        figures,
        place_code=site.code,
        place_name=site.name,
        usable=state.usable,
        weekly_need=state.weekly_need,
        weeks_left=state.weeks_left,
    )


def report_places(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """Places (any level) whose stock report the actor may read."""
    with session.begin():
        return [(p.code, p.name) for p in core_repository.list_places(session, read_paths(actor))]


def writable_sites(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """The sites where the actor may record movements (code, name)."""
    with session.begin():
        return [(p.code, p.name) for p in sites_in(session, actor.paths_for(WRITE_PERMISSION))]


def movement_to_correct(
    session: Session, movement_id: uuid.UUID, *, actor: Actor
) -> MovementRead | None:
    """The live movement a correction form starts from, if the actor may write at its site."""
    with session.begin():
        row = repository.find_movement(session, movement_id)
        if row is None or row.deleted_at is not None:
            return None
        if not actor.can_at(WRITE_PERMISSION, row.place.path):
            return None
        return movement_read(row, actor, place=row.place)
