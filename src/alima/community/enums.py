"""Categories of community screening, stored as short, stable ASCII strings."""

from __future__ import annotations

from enum import StrEnum


class ScreenerType(StrEnum):
    """Who measured the child's arm (docs/clinical-rules.md §6, DERIVED software fields)."""

    MOTHER = "mother"
    CHW = "chw"
    HEALTH_WORKER = "health_worker"


class TrainerRole(StrEnum):
    """Who led a MUAC-for-mothers training session."""

    CHW = "chw"
    HEALTH_WORKER = "health_worker"
    NGO_STAFF = "ngo_staff"


class ReferralUrgency(StrEnum):
    """Urgent for SAM (red MUAC or oedema), routine for MAM (yellow)."""

    URGENT = "urgent"
    ROUTINE = "routine"


class ReferralStatus(StrEnum):
    """A referral waits for the child's arrival, then is completed or closed as not arrived."""

    PENDING = "pending"
    COMPLETED = "completed"
    #: Closed by staff after the set number of days without the child (with a reason).
    NOT_ARRIVED = "not_arrived"
