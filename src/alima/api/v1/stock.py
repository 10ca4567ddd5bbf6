"""RUTF stock: a site's stock, the alerts in scope, movements and the monthly stock report."""

import uuid

from fastapi import APIRouter, status

from alima.api.deps import ApiActor, SessionDep, SettingsDep
from alima.api.v1.common import (
    FromQuery,
    MonthQuery,
    PlaceCodePath,
    PlaceCodeQuery,
    error_responses,
)
from alima.stock import service
from alima.stock.schemas import (
    AdjustmentCreate,
    CountCreate,
    LossCreate,
    MovementRead,
    ReceiptCreate,
    RecordDelete,
    StockAlert,
    StockRead,
    StockReport,
)

router = APIRouter(
    prefix="/stock",
    tags=["stock"],
    responses=error_responses(not_found="No such site or movement in your scope"),
)


@router.get("/sites")
def sites(session: SessionDep, actor: ApiActor, settings: SettingsDep) -> list[StockAlert]:
    """Every site in your scope with its stock level (stock-outs and low stock first)."""
    return service.stock_overview(session, actor=actor, alert_weeks=settings.stock_alert_weeks)


@router.get("/alerts")
def alerts(session: SessionDep, actor: ApiActor, settings: SettingsDep) -> list[StockAlert]:
    """The sites in your scope whose RUTF runs out within the alert's weeks."""
    return service.stock_alerts(session, actor=actor, alert_weeks=settings.stock_alert_weeks)


@router.get("/sites/{place_code}")
def site_stock(
    place_code: PlaceCodePath, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> StockRead:
    """A site's stock today: batches (first expiry first), weeks left, latest movements."""
    return service.site_stock(
        session, place_code, actor=actor, alert_weeks=settings.stock_alert_weeks
    )


@router.post("/receipts", status_code=status.HTTP_201_CREATED)
def record_receipt(
    body: ReceiptCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> MovementRead:
    """Record sachets received of one batch (in sachets or cartons)."""
    return service.record_receipt(
        session, body, actor=actor, per_carton=settings.stock_sachets_per_carton
    )


@router.post("/losses", status_code=status.HTTP_201_CREATED)
def record_loss(
    body: LossCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> MovementRead:
    """Record sachets lost, with the reason."""
    return service.record_loss(
        session, body, actor=actor, per_carton=settings.stock_sachets_per_carton
    )


@router.post("/adjustments", status_code=status.HTTP_201_CREATED)
def record_adjustment(body: AdjustmentCreate, session: SessionDep, actor: ApiActor) -> MovementRead:
    """Record a signed change of the balance, with the reason."""
    return service.record_adjustment(session, body, actor=actor)


@router.post("/counts", status_code=status.HTTP_201_CREATED)
def record_count(
    body: CountCreate, session: SessionDep, actor: ApiActor, settings: SettingsDep
) -> MovementRead:
    """Record a physical count: it sets the balance, the difference shows as an adjustment."""
    return service.record_count(
        session, body, actor=actor, per_carton=settings.stock_sachets_per_carton
    )


@router.delete("/movements/{stock_movement_id}")
def delete_movement(
    stock_movement_id: uuid.UUID,
    session: SessionDep,
    actor: ApiActor,
    deletion: FromQuery[RecordDelete],
) -> MovementRead:
    """Soft-delete a movement with a reason (``?reason=``)."""
    return service.delete_movement(session, stock_movement_id, deletion, actor=actor)


@router.get("/reports/monthly")
def monthly_report(
    session: SessionDep,
    actor: ApiActor,
    settings: SettingsDep,
    month: MonthQuery,
    place: PlaceCodeQuery,
) -> StockReport:
    """The monthly stock report of a site, or of the sites of a place."""
    return service.monthly_stock_report(
        session,
        month=month,
        place_code=place,
        actor=actor,
        alert_weeks=settings.stock_alert_weeks,
    )
