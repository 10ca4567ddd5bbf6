"""Typed page contexts of the co-management pages (templates ``alliance/*.html``).

Kept apart from ``web/contexts.py`` so that each domain owns its page contexts; the same
rule applies: templates compute nothing, every flag and figure is filled here.
"""

from dataclasses import dataclass, field

from alima.alliance.schemas import (
    ApprovalsPage,
    CountryDashboard,
    EmergencyAccessRead,
    EmergencyAlertRead,
    ProjectOverview,
    ProjectSummary,
    ReadAuditPage,
    TrainingList,
    TrainingRead,
)
from alima.core.access import Actor
from alima.core.schemas import PlaceRead
from alima.web.contexts import FormState


@dataclass
class ProjectListContext:
    """Projects whose aggregates the reader may see."""

    actor: Actor
    projects: list[ProjectSummary]


@dataclass
class ProjectContext:
    """A co-managed project: partners, agreements in plain words, funding, trainings."""

    actor: Actor
    project: ProjectOverview
    can_record_agreement: bool
    can_record_funding: bool
    organisations: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


@dataclass
class ProjectFormContext(FormState):
    """Recording something for a project: a partner agreement (``roles``) or a grant."""

    actor: Actor
    project_code: str
    project_name: str
    organisations: list[tuple[str, str]]
    roles: list[str] = field(default_factory=list)
    reporting_currency: str = ""


@dataclass
class CountryContext:
    """A country's co-management dashboard."""

    actor: Actor
    dashboard: CountryDashboard


@dataclass
class TrainingListContext:
    """Trainings in scope, with this year's figures."""

    actor: Actor
    trainings: TrainingList
    can_record: bool


@dataclass
class TrainingFormContext(FormState):
    """Recording a training."""

    actor: Actor
    places: list[PlaceRead]
    organisations: list[tuple[str, str]]
    projects: list[ProjectSummary]
    topics: list[str]


@dataclass
class TrainingContext(FormState):
    """One training and its participants (names only for those who record trainings)."""

    actor: Actor
    training: TrainingRead
    can_add: bool
    organisations: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ApprovalsContext:
    """Monthly approval: months in scope, submission form, approve and unlock actions."""

    actor: Actor
    approvals: ApprovalsPage
    error: str | None = None


@dataclass
class EmergencyContext(FormState):
    """Break-the-glass: the form for clinicians, the list for coordinators."""

    actor: Actor
    accesses: list[EmergencyAccessRead]
    can_open: bool
    hours: int
    alerts: list[EmergencyAlertRead] = field(default_factory=list)
    notice: str | None = None


@dataclass
class ReadAuditContext:
    """Who opened which patient record, and when."""

    actor: Actor
    audit: ReadAuditPage
    values: dict[str, str]
    can_export: bool
    export_query: str
    previous_query: str | None
    next_query: str | None
