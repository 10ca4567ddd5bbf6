"""RUTF stock use cases: write movements (``movements``), read stock and reports (``reading``).

Each public function is one use case and one transaction; ``common`` holds what they share
(who reads and writes a site, the ledger of sites, DTOs).
"""

from alima.stock.service.movements import (
    delete_movement,
    record_adjustment,
    record_count,
    record_loss,
    record_receipt,
)
from alima.stock.service.reading import (
    monthly_stock_report,
    movement_to_correct,
    report_places,
    site_stock,
    stock_alerts,
    stock_overview,
    writable_sites,
)

__all__ = [
    "delete_movement",
    "monthly_stock_report",
    "movement_to_correct",
    "record_adjustment",
    "record_count",
    "record_loss",
    "record_receipt",
    "report_places",
    "site_stock",
    "stock_alerts",
    "stock_overview",
    "writable_sites",
]
