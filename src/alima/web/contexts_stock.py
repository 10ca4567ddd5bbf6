"""Page contexts of the RUTF stock pages (``web/routes/stock.py``)."""

from dataclasses import dataclass, field

from alima.core.access import Actor
from alima.stock.schemas import StockAlert, StockRead, StockReport
from alima.web.contexts_treat import FormContext


@dataclass
class StockOverviewContext:
    """The sites in scope with their stock level (stock-outs and low stock first)."""

    actor: Actor
    sites: list[StockAlert]
    alert_weeks: float


@dataclass
class StockSiteContext:
    """A site's stock: alert, batches, weeks left, latest movements."""

    actor: Actor
    stock: StockRead
    #: The kind of movement just saved (a confirmation), empty for none.
    saved: str = ""


@dataclass
class StockFormContext(FormContext):
    """A movement form; ``correcting`` says the movement it replaces is named."""

    kind: str = ""
    correcting: bool = False


@dataclass
class StockReportContext:
    """The monthly stock report page: a place and a month, and the report when asked."""

    actor: Actor
    places: list[tuple[str, str]]
    place: str
    month: str
    report: StockReport | None
    month_error: str | None = None
    latest_month: str = ""
    sites: list[StockAlert] = field(default_factory=list)
