"""Categories of co-management, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class DataAccess(StrEnum):
    """What a partner's users may see of the project's data."""

    PATIENT_LEVEL = "patient_level"
    AGGREGATES = "aggregates"


class ExportLevel(StrEnum):
    """What a partner's users may take out of the platform (ordered: none < aggregates < patient)."""

    NONE = "none"
    AGGREGATES = "aggregates"
    PATIENT_LEVEL = "patient_level"


class PeriodStatus(StrEnum):
    """Where a site's month stands in the approval workflow."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REOPENED = "reopened"
