"""Error catalogue of RUTF stock (``STOCK_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class StockError(ErrorCode):
    """Errors of stock movements and reports."""

    STOCK_001 = Detail("date in future", N_("The date cannot be in the future."))
    STOCK_002 = Detail(
        "not a service point", N_("Choose a health facility, mobile clinic or displacement site.")
    )
    STOCK_003 = Detail(
        "batch expiry differs",
        N_("Batch {batch} was received with the expiry date {expires_on}: use the same date."),
    )
    STOCK_004 = Detail(
        "expiry before receipt", N_("The expiry date cannot be before the day of receipt.")
    )
    STOCK_005 = Detail(
        "more than in stock",
        N_("Only {available} sachets are in stock here on that day: {asked} cannot be removed."),
    )
    STOCK_006 = Detail("unknown batch", N_("No batch {batch} was received at this site."))
    STOCK_007 = Detail(
        "already corrected",
        N_("This movement was already corrected: correct the latest correction instead."),
    )
    STOCK_008 = Detail(
        "correction of another kind",
        N_("A correction records the same kind of movement at the same site."),
    )
    STOCK_009 = Detail("adjustment of zero", N_("An adjustment changes the stock: it cannot be 0."))
    STOCK_010 = Detail(
        "cartons need their size",
        N_("Give the number of sachets per carton (or type the quantity in sachets)."),
    )
    STOCK_011 = Detail("already deleted", N_("This movement was already deleted."))
