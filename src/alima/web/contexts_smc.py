"""Page contexts of the SMC pages (``web/routes/smc.py``)."""

from dataclasses import dataclass, field

from alima.core.access import Actor
from alima.core.schemas import PatientSummary
from alima.smc.schemas import (
    CampaignRead,
    CampaignReport,
    ChildStatus,
    DistributionList,
    Household,
)
from alima.web.contexts import FormsState
from alima.web.contexts_treat import FormContext, Option


@dataclass
class SmcCampaignsContext:
    """The campaigns in scope."""

    actor: Actor
    campaigns: list[CampaignRead]
    can_set_up: bool


@dataclass
class SmcSetupContext(FormContext):
    """The campaign setup form, with the districts and health areas it may cover."""

    areas: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SmcCampaignContext(FormsState):
    """A campaign: cycles, coverage, drop-out, products, teams, and its two small forms."""

    actor: Actor | None = None
    campaign: CampaignRead | None = None
    report: CampaignReport | None = None
    options: dict[str, list[Option]] = field(default_factory=dict)


@dataclass
class SmcListContext:
    """The door-to-door list of a cycle."""

    actor: Actor
    listing: DistributionList
    teams: list[Option]
    team: str


@dataclass
class SmcHouseholdContext(FormsState):
    """A household's children for a cycle, one child's day-1 form at a time.

    With days 2 and 3 of the previous cycle, and the registration of another child.
    """

    actor: Actor | None = None
    cycle_id: str = ""
    cycle_number: int = 0
    campaign_name: str = ""
    village: str = ""
    caregiver: str = ""
    household: Household | None = None
    #: The child whose forms are shown (``None``: every child is done, or none yet).
    current: ChildStatus | None = None
    options: dict[str, list[Option]] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    duplicate_message: str | None = None
    duplicates: list[PatientSummary] = field(default_factory=list)
    redose_window: int = 30
    redose: bool = True
