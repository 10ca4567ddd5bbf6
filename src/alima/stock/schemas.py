"""Pydantic schemas of RUTF stock: what forms and the API accept and return."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from alima.core import schemas as core_schemas
from alima.core.schemas import Input
from alima.core.types import Note, PlaceCode, ShortText
from alima.nutrition.enums import Product
from alima.stock.enums import MovementKind, MovementReason, QuantityUnit, StockLevel

#: A soft deletion with its reason: the core's schema, shared by every record.
RecordDelete = core_schemas.RecordDelete

EARLIEST = date(2000, 1, 1)
Quantity = Annotated[int, Field(ge=0, le=1_000_000, description="Sachets, or cartons.")]
PerCarton = Annotated[int, Field(ge=1, le=1000, description="Sachets in one carton.")]
BatchNumber = Annotated[ShortText, Field(min_length=1, max_length=60)]


class _Movement(Input):
    """What every movement form has."""

    place_code: PlaceCode | None = Field(
        None, description="The site (a service point); default: your only site."
    )
    moved_on: date | None = Field(None, ge=EARLIEST, description="Default: today.")
    product: Product = Product.RUTF
    note: Note | None = None
    corrects_id: uuid.UUID | None = Field(
        None, description="The movement this one corrects (it then counts instead of it)."
    )


class _Quantity(_Movement):
    quantity: Quantity
    unit: QuantityUnit = QuantityUnit.SACHET
    sachets_per_carton: PerCarton | None = Field(
        None, description="With cartons; default: the site's setting."
    )


class ReceiptCreate(_Quantity):
    """Sachets received, of one batch."""

    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    batch: BatchNumber
    expires_on: date = Field(ge=EARLIEST)


class LossCreate(_Quantity):
    """Sachets lost (expired, damaged, stolen...), of a batch or by FEFO."""

    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    reason: MovementReason
    batch: BatchNumber | None = None


class AdjustmentCreate(_Movement):
    """A signed change of the balance with its reason (a correction, a transfer...)."""

    change: Annotated[int, Field(ge=-1_000_000, le=1_000_000, description="Sachets, + or -.")]
    reason: MovementReason
    batch: BatchNumber | None = None


class CountCreate(_Quantity):
    """A physical count: what is on the shelf at the end of the day (of a batch, or all)."""

    batch: BatchNumber | None = None


class MovementRead(BaseModel):
    """A movement as pages and the API show it, with its effect on the balance."""

    id: uuid.UUID
    place_code: str
    kind: MovementKind
    product: Product
    moved_on: date
    sachets: int
    cartons: int | None
    sachets_per_carton: int | None
    batch: str | None
    expires_on: date | None
    reason: MovementReason | None
    #: Free text, given only to readers of the site's patients.
    note: str | None
    corrects_id: uuid.UUID | None
    #: Replaced by a correction (it no longer counts).
    corrected: bool = False
    deleted: bool = False
    #: The change of the balance it made (a count: the difference found); None when it no
    #: longer counts.
    change: int | None = None
    created_at: datetime


class BatchRead(BaseModel):
    """A batch's balance, read on a day (``batch`` None: sachets of no known batch)."""

    batch: str | None
    expires_on: date | None
    sachets: int
    expired: bool


class StockRead(BaseModel):
    """A site's stock read on a day, against the weekly need of its children in treatment."""

    place_code: str
    place_name: str
    product: Product
    on: date
    balance: int
    usable: int
    expired: int
    batches: list[BatchRead]
    weekly_need: int
    weeks_left: float | None
    level: StockLevel
    alert_weeks: float
    last_count_on: date | None
    movements: list[MovementRead] = []
    can_write: bool = False


class StockAlert(BaseModel):
    """A site whose stock runs out within the alert's weeks (or has run out)."""

    place_code: str
    place_name: str
    level: StockLevel
    usable: int
    weekly_need: int
    weeks_left: float | None


class StockReportSite(BaseModel):
    """One site's line of the monthly stock report."""

    place_code: str
    place_name: str
    opening: int
    received: int
    dispensed: int
    losses: int
    adjustments: int
    closing: int
    counted: int | None
    #: Sachets not expired at the end of the month (today, for the month in progress).
    usable: int
    weekly_need: int
    weeks_left: float | None


class StockReport(StockReportSite):
    """The monthly stock report of a site, or of the sites of a place (their sum)."""

    month: str
    start: date
    end: date
    product: Product
    sites: list[StockReportSite]
