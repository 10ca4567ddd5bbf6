"""Categories of stock movements, stored as short, stable ASCII strings."""

from __future__ import annotations

from enum import StrEnum


class MovementKind(StrEnum):
    """What a movement records (dispensing is read from the visits, never typed)."""

    RECEIPT = "receipt"
    LOSS = "loss"
    ADJUSTMENT = "adjustment"
    COUNT = "stock_count"


class MovementReason(StrEnum):
    """Why sachets were lost or the balance adjusted."""

    EXPIRED = "expired"
    DAMAGED = "damaged"
    STOLEN = "stolen"
    CORRECTION = "correction"
    TRANSFER = "transfer"
    OTHER = "other"


class QuantityUnit(StrEnum):
    """How a quantity was typed: sachets, or cartons of a configurable number of sachets."""

    SACHET = "sachet"
    CARTON = "carton"


class StockLevel(StrEnum):
    """The state of a site's stock against the need of its caseload (read on a day)."""

    OK = "ok"
    LOW = "low"
    OUT = "out"
    NO_NEED = "no_need"
