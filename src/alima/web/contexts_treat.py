"""Typed page contexts of community screening, care and the impact page.

Templates compute nothing: options carry their display text, charts their geometry.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date

from alima.care.schemas import (
    CareFormRead,
    CareRecordsRead,
    ConsultationRead,
    MobileOverview,
    SurgeryRead,
)
from alima.community.schemas import (
    CommunityOverview,
    CommunityStatistics,
    ReferralRead,
    ScreeningRead,
)
from alima.core.access import Actor
from alima.core.schemas import Page, PatientSummary
from alima.indicators.schemas import ContextFormRead, ImpactRead
from alima.web.contexts import FormState


@dataclass(frozen=True)
class Option:
    """A choice of a select, radio group or checkbox list."""

    value: str
    text: str


@dataclass
class FormContext(FormState):
    """A form with the values typed so far and the error of each refused field."""

    actor: Actor
    action: str
    options: dict[str, list[Option]] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)


@dataclass
class CareFormContext(FormContext):
    """A care form for one patient (consultation, antenatal, delivery, postnatal, surgery)."""

    form: CareFormRead | None = None


@dataclass
class CommunityContext:
    """The community page: referrals waiting, latest screenings and trainings."""

    actor: Actor
    overview: CommunityOverview
    #: Whether the actor has a place to record a screening at (a service point).
    can_screen: bool
    #: Whether the actor has a place to record a training at (a health area, a service point).
    can_train: bool
    #: Pending referrals whose arrival the actor may record (at a place where they write).
    arrivals: frozenset[uuid.UUID]


@dataclass
class ScreeningContext:
    """One screening and its referral."""

    actor: Actor
    screening: ScreeningRead
    just_saved: bool
    just_arrived: bool
    can_complete: bool
    just_closed: bool = False
    #: The actor works at the referral's health centre: the arrival page (register, admit) opens.
    can_follow: bool = False


@dataclass
class ReferralsContext:
    """Referrals waiting for the child."""

    actor: Actor
    referrals: list[ReferralRead]
    #: Pending referrals whose arrival the actor may record (at a place where they write).
    arrivals: frozenset[uuid.UUID]


@dataclass
class ArrivalContext(FormContext):
    """A referral at the health centre: the arrival, then the child's record and admission.

    ``candidates`` are the registered children matching ``q`` (a search from the page, to link
    one instead of registering); ``just`` says which step was just saved.
    """

    referral: ReferralRead | None = None
    q: str = ""
    candidates: list[PatientSummary] | None = None
    just: str = ""


@dataclass
class StatisticsContext:
    """Community screening statistics of a place subtree."""

    actor: Actor
    statistics: CommunityStatistics
    places: list[Option]


@dataclass
class CareHomeContext:
    """Care: find a patient, then record care."""

    actor: Actor
    q: str
    results: Page[PatientSummary] | None
    #: The surgery log names patients: only for readers of patient records.
    can_see_surgeries: bool


@dataclass
class PatientCareContext:
    """A patient's care records."""

    actor: Actor
    care: CareRecordsRead
    can_record: bool
    saved: str | None
    error: str | None = None


@dataclass
class ConsultationContext:
    """A consultation and what to do now."""

    actor: Actor
    consultation: ConsultationRead
    just_saved: bool


@dataclass
class SurgeryLogContext:
    """The surgery log."""

    actor: Actor
    surgeries: list[SurgeryRead]
    start: date
    end: date
    place_code: str


@dataclass
class MobileContext:
    """Mobile clinics and displacement sites."""

    actor: Actor
    overview: MobileOverview
    month_labels: list[str]
    #: Whether the actor has a displacement site to record a session or a count at.
    can_record: bool
    saved: bool


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in viewBox units, with the number it stands for."""

    x: float
    y: float
    width: float
    height: float
    value: int
    month: date


@dataclass(frozen=True)
class ChartRow:
    """One indicator of the monthly chart: its label, scale and bars."""

    code: str
    label: str
    label_y: float
    maximum: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    """A small-multiples bar chart of monthly activity (inline SVG, no script)."""

    width: float
    height: float
    rows: list[ChartRow]
    month_labels: list[tuple[float, str]]
    baseline: float


class PublicPage:
    """A page anyone may read: a visitor not signed in is shown the way to sign in."""

    actor: Actor | None

    @property
    def sign_in_offered(self) -> bool:
        """Whether the page offers the sign-in link."""
        return self.actor is None


@dataclass
class ImpactContext(PublicPage):
    """A country's public impact page (aggregates only)."""

    impact: ImpactRead
    chart: Chart
    month_names: list[str]
    actor: Actor | None = None


@dataclass
class CountriesContext(PublicPage):
    """The list of countries with an impact page."""

    countries: list[tuple[str, str]]
    actor: Actor | None = None


@dataclass
class ContextFiguresContext(FormContext):
    """The context figures of a country, and the form to enter one."""

    figures: ContextFormRead | None = None
