"""Typed page contexts: what each template receives (templates compute nothing)."""

from dataclasses import dataclass, field
from typing import Any

from alima.core.access import Actor
from alima.core.schemas import (
    AuditEventRead,
    HomeRead,
    Page,
    PatientRead,
    PatientSummary,
    PlaceRead,
)
from alima.nutrition.schemas import CaseloadRead, EpisodeRead, MonthlyReport, TracingRow
from alima.research.schemas import PatientStudy
from alima.stock.schemas import StockAlert
from alima.web.charts import Chart
from alima.web.nutrition_format import RationView


@dataclass(kw_only=True)
class FormState:
    """What a form page shows again: the values typed and the error of each refused field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class FormsState(FormState):
    """A page with several small forms: which one was refused, and what was just saved."""

    #: The refused form (its values and errors are shown in it), empty for none.
    failed: str = ""
    saved: str = ""


@dataclass
class LoginContext:
    """Sign-in page."""

    username: str = ""
    error: str | None = None
    next_url: str = "/"
    actor: Actor | None = None


@dataclass
class HomeContext:
    """Home: my places and recently seen patients."""

    actor: Actor
    home: HomeRead
    can_register: bool
    #: Sites in scope whose RUTF runs out within ``stock_alert_weeks`` weeks.
    stock_alerts: list[StockAlert] = field(default_factory=list)
    stock_alert_weeks: float = 0


@dataclass
class RegisterContext(FormState):
    """Registration form, with errors and duplicate candidates when re-shown."""

    actor: Actor
    places: list[PlaceRead]
    duplicate_message: str | None = None
    duplicates: list[PatientSummary] = field(default_factory=list)
    #: Where the form posts (a referred child registers from the referral, linked to it).
    action: str = "/patients/new"
    #: The referral the child comes from, shown above the form.
    referral_child: str = ""


@dataclass
class SearchContext:
    """Search page and results."""

    actor: Actor
    q: str
    results: Page[PatientSummary] | None
    can_register: bool
    #: Rank of the first and last patient shown, and links to the pages around (paging).
    first: int = 0
    last: int = 0
    previous_url: str = ""
    next_url: str = ""


@dataclass
class PatientContext:
    """The patient page."""

    actor: Actor
    patient: PatientRead
    just_registered: bool
    can_see_audit: bool
    episodes: list["EpisodeSummary"] = field(default_factory=list)
    can_admit: bool = False


@dataclass
class AuditContext:
    """A patient's audit trail."""

    actor: Actor
    patient: PatientRead
    events: list[AuditEventRead]


@dataclass
class ErrorContext:
    """An error page."""

    status: int
    message: str
    actor: Actor | None = None


@dataclass
class VisitRow:
    """A line of the visits table, ready to print."""

    visit_on: str
    kind: str
    weight: str
    muac: str
    oedema: str
    zwfl: str
    band: str
    band_class: str
    sachets: str
    alerts: list[str]


@dataclass
class EpisodeSummary:
    """An episode as listed on the patient page."""

    id: str
    admitted_on: str
    protocol: str
    status: str
    band: str
    band_class: str
    outcome: str


@dataclass
class EpisodeContext(FormState):
    """The child's nutrition card with the visit form."""

    actor: Actor
    episode: EpisodeRead
    band: str
    band_class: str
    criteria: list[str]
    severity: str
    outcome: str
    rows: list[VisitRow]
    chart: Chart
    ration: RationView | None
    last_alerts: list[str]
    just_saved: bool
    can_write: bool
    oedema_choices: list[tuple[str, str]]
    needs_confirmation: bool = False
    awaited: list[str] = field(default_factory=list)
    referral_pending: bool = False
    referral_choices: list[tuple[str, str]] = field(default_factory=list)
    #: The studies that screened the child (alima.research): the eligibility notice.
    studies: list[PatientStudy] = field(default_factory=list)


@dataclass
class AdmissionContext(FormState):
    """The admission form."""

    actor: Actor
    patient: PatientRead
    protocols: list[tuple[str, str]]
    oedema_choices: list[tuple[str, str]]
    needs_confirmation: bool = False
    #: Where the form posts: the patient's admission, or the referral's (which keeps the link).
    action: str = ""


@dataclass
class ExitContext(FormState):
    """The exit form."""

    actor: Actor
    episode: EpisodeRead
    outcomes: list[tuple[str, str]]


@dataclass
class CaseloadContext:
    """Today's caseload at a site."""

    actor: Actor
    sites: list[tuple[str, str]]
    site: str
    caseload: CaseloadRead | None
    band_labels: dict[str, str]
    band_classes: dict[str, str]
    can_trace: bool = False


@dataclass
class ReportContext:
    """The monthly report page."""

    actor: Actor
    sites: list[tuple[str, str]]
    projects: list[tuple[str, str]]
    place: str
    project: str
    month: str
    report: MonthlyReport | None
    criterion_labels: dict[str, str]
    outcome_labels: dict[str, str]
    error: str | None = None
    #: Why the month typed cannot be reported, shown next to the month field.
    month_error: str | None = None
    #: The latest month that can be chosen (the current one, in progress).
    latest_month: str = ""


@dataclass
class TracingContext:
    """Children to trace (missed a visit, or defaulted this month), as of today."""

    actor: Actor
    rows: list[TracingRow]
    just_saved: bool = False
    #: The reader may record tracing visits (writes patient data somewhere).
    can_record: bool = False


@dataclass
class TracingFormContext(FormState):
    """The outcome of a tracing visit."""

    actor: Actor | None = None
    episode: EpisodeRead | None = None
    #: The choices of each select (``outcome``), as the community and care form macros read.
    options: dict[str, list[Any]] = field(default_factory=dict)
