"""Page contexts of the outbreak pages (``web/routes/outbreaks.py``)."""

from dataclasses import dataclass, field

from alima.core.access import Actor
from alima.outbreaks.schemas import AlertRead, CaseRead, Completeness, DistrictDashboard
from alima.web.charts import Chart
from alima.web.contexts_treat import FormContext


@dataclass
class OutbreaksHomeContext:
    """Alerts in scope (open first), districts to open, and the forms the reader may use."""

    actor: Actor
    alerts: list[AlertRead]
    districts: list[tuple[str, str]]
    may_report: bool


@dataclass
class WeeklyFormContext(FormContext):
    """The weekly report form: one block per disease, a line per age group."""

    diseases: list[tuple[str, str]] = field(default_factory=list)
    #: (index, code) of each age group: inputs are named ``c_<disease>_<index>``.
    age_groups: list[tuple[int, str]] = field(default_factory=list)
    week_hint: str = ""


@dataclass
class CaseFormContext(FormContext):
    """The line-list case form."""


@dataclass
class LineListContext:
    """The line list in scope, latest onset first."""

    actor: Actor
    cases: list[CaseRead]
    saved: bool = False


@dataclass
class AlertContext(FormContext):
    """An alert, its figures and log, and the action form."""

    alert: AlertRead | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Curve:
    """A disease's curve of a district: its chart and its table rows."""

    disease: str
    chart: Chart
    rows: list[tuple[str, int, int, str, str]]
    alert_rate: float | None
    epidemic_rate: float | None


@dataclass
class DashboardContext:
    """A district's weekly curves against the thresholds, its reports and open alerts."""

    actor: Actor
    board: DistrictDashboard
    curves: list[Curve]
    completeness: list[Completeness]
