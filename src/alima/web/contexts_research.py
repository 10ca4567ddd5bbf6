"""Page contexts of the research pages (``web/routes/research.py``)."""

from dataclasses import dataclass, field

from alima.core.access import Actor
from alima.research.schemas import (
    ChildFollowUp,
    MissedEvent,
    MonitoredChild,
    Participants,
    PatientStudy,
    SourceRecord,
    StudyDashboard,
    StudyListItem,
    StudySafety,
    StudySetup,
)
from alima.web.consort_figure import ConsortFigure
from alima.web.contexts import FormsState, FormState
from alima.web.contexts_treat import Option


@dataclass
class StudiesContext:
    """The studies with a site in the reader's scope."""

    actor: Actor
    studies: list[StudyListItem]
    may_create: bool = False


@dataclass
class StudyContext:
    """A study's dashboard: recruitment against target and the CONSORT flow."""

    actor: Actor
    board: StudyDashboard
    #: The CONSORT steps in order: (label, count).
    flow: list[tuple[str, int]]
    #: Reasons not included: (label, count).
    not_included: list[tuple[str, str, int]]
    arms: list[tuple[str, int]]
    #: Whether the reader may export the study's pseudonymised data (the download links).
    may_export: bool = False
    #: The CONSORT flow as a figure (geometry from ``web.consort_figure``).
    figure: ConsortFigure | None = None
    #: Recruitment against target per site: (name, randomised, target or None, percent or None).
    site_targets: list[tuple[str, int, int | None, float | None]] = field(default_factory=list)
    #: Per arm (open-label only): (label, randomised, target from the ratio, percent).
    arm_targets: list[tuple[str, int, float, float]] = field(default_factory=list)


@dataclass
class ChildStudyContext(FormsState):
    """One child in one study: eligibility, consent form, randomisation, withdrawal."""

    actor: Actor | None = None
    patient_id: str = ""
    study: PatientStudy | None = None
    reasons: list[str] = field(default_factory=list)
    options: dict[str, list[Option]] = field(default_factory=dict)
    episode_id: str = ""
    #: The child's follow-up: the schedule with statuses, SAEs, deaths to report.
    follow: ChildFollowUp | None = None
    #: What each stored follow-up code reads as (statuses, categories, outcomes).
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class ParticipantsContext:
    """A study's included children as its researchers see them (research ids only)."""

    actor: Actor
    participants: Participants


@dataclass
class MissedContext:
    """A study's missed windows, at its sites in the reader's scope."""

    actor: Actor
    study_code: str
    rows: list[MissedEvent]


@dataclass
class SafetyContext:
    """A study's serious adverse events, overdue first, and routine deaths to report."""

    actor: Actor
    safety: StudySafety
    labels: dict[str, str]
    saved: str = ""


@dataclass
class MonitoringContext:
    """A monitor's list of the study's included children at its sites."""

    actor: Actor
    study_code: str
    children: list[MonitoredChild]


@dataclass
class SourceContext(FormState):
    """An included child's record for source data verification, and its queries."""

    actor: Actor | None = None
    record: SourceRecord | None = None
    saved: str = ""


@dataclass
class SetupContext(FormsState):
    """A study's set-up: sites, arms, approvals, form versions; forms to add the last two."""

    actor: Actor | None = None
    setup: StudySetup | None = None
    options: dict[str, list[Option]] = field(default_factory=dict)


@dataclass
class NewStudyContext(FormState):
    """The form that sets a study up (administrators)."""

    actor: Actor | None = None
    #: Each arm's inputs: (number, code field, label field, protocol field).
    arms: list[tuple[int, str, str, str]] = field(
        default_factory=lambda: [
            (i, f"arm{i}_code", f"arm{i}_label", f"arm{i}_protocol") for i in (1, 2, 3)
        ]
    )
