"""Typed page contexts: what each template receives (templates compute nothing)."""

from dataclasses import dataclass, field

from alima.core.access import Actor
from alima.core.schemas import (
    AuditEventRead,
    HomeRead,
    Page,
    PatientRead,
    PatientSummary,
    PlaceRead,
)


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


@dataclass
class RegisterContext:
    """Registration form, with errors and duplicate candidates when re-shown."""

    actor: Actor
    places: list[PlaceRead]
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    duplicate_message: str | None = None
    duplicates: list[PatientSummary] = field(default_factory=list)


@dataclass
class SearchContext:
    """Search page and results."""

    actor: Actor
    q: str
    results: Page[PatientSummary] | None
    can_register: bool


@dataclass
class PatientContext:
    """The patient page."""

    actor: Actor
    patient: PatientRead
    just_registered: bool
    can_see_audit: bool


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
