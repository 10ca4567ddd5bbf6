"""Categories of the core model, stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    """What kind of body an organisation is."""

    INTERNATIONAL_NGO = "international_ngo"
    NATIONAL_NGO = "national_ngo"
    MINISTRY = "ministry"
    RESEARCH_INSTITUTE = "research_institute"
    DONOR = "donor"


class PlaceKind(StrEnum):
    """Levels of the health pyramid, and the three kinds of service point."""

    COUNTRY = "country"
    REGION = "region"
    DISTRICT = "district"
    HEALTH_AREA = "health_area"
    FACILITY = "facility"
    MOBILE_CLINIC = "mobile_clinic"
    DISPLACEMENT_SITE = "displacement_site"


#: Which kinds may sit directly under which (a facility under a health area, and so on).
PLACE_PARENTS: dict[PlaceKind, frozenset[PlaceKind]] = {
    PlaceKind.COUNTRY: frozenset(),
    PlaceKind.REGION: frozenset({PlaceKind.COUNTRY}),
    PlaceKind.DISTRICT: frozenset({PlaceKind.REGION}),
    PlaceKind.HEALTH_AREA: frozenset({PlaceKind.DISTRICT}),
    PlaceKind.FACILITY: frozenset({PlaceKind.HEALTH_AREA, PlaceKind.DISTRICT}),
    PlaceKind.MOBILE_CLINIC: frozenset({PlaceKind.DISTRICT, PlaceKind.HEALTH_AREA}),
    PlaceKind.DISPLACEMENT_SITE: frozenset({PlaceKind.HEALTH_AREA, PlaceKind.DISTRICT}),
}

#: Places where patients are seen and registered.
SERVICE_POINTS = frozenset(
    {PlaceKind.FACILITY, PlaceKind.MOBILE_CLINIC, PlaceKind.DISPLACEMENT_SITE}
)


class PartnerRole(StrEnum):
    """Role of an organisation in a project."""

    LEAD = "lead"
    CO_LEAD = "co_lead"
    IMPLEMENTING = "implementing"
    RESEARCH = "research"
    FUNDER = "funder"


class Role(StrEnum):
    """What a user may do, within the scope of the assignment."""

    CLINICIAN = "clinician"
    DATA_MANAGER = "data_manager"
    COORDINATOR = "coordinator"
    RESEARCHER = "researcher"
    PARTNER_VIEWER = "partner_viewer"
    ADMINISTRATOR = "administrator"
    #: A study's monitor: reads the included children's records at their sites, raises queries.
    MONITOR = "monitor"


class Sex(StrEnum):
    """Sex at birth, as recorded for growth standards (WHO codes 1 = male, 2 = female)."""

    MALE = "M"
    FEMALE = "F"


class AuditAction(StrEnum):
    """What an audit event records."""

    READ = "read"
    READ_DENIED = "read_denied"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    WRITE_DENIED = "write_denied"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    TOKEN_CREATED = "token_created"  # noqa: S105 - an audit action, not a secret
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 - an audit action, not a secret
    SUBMIT = "submit"
    APPROVE = "approve"
    UNLOCK = "unlock"
    BREAK_GLASS = "break_glass"
    EXPORT = "export"
