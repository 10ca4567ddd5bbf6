"""Codes of research: study status, consent method, withdrawal scope, non-inclusion reasons."""

from enum import StrEnum


class StudyStatus(StrEnum):
    """Where a study stands: set up, recruiting, or closed to recruitment."""

    SETUP = "setup"
    RECRUITING = "recruiting"
    CLOSED = "closed"


class ConsentMethod(StrEnum):
    """How the caregiver consented: a signature, or a thumbprint before a witness."""

    SIGNED = "signed"
    THUMBPRINT = "thumbprint"


class FormKind(StrEnum):
    """A document the ethics committee approved: the information sheet or the consent form."""

    INFORMATION = "information"
    CONSENT = "consent"


class WithdrawalUse(StrEnum):
    """What of a withdrawn child's data the study may still use."""

    #: Data collected until the withdrawal stays in the analysis; nothing after it.
    COLLECTED = "collected"
    #: Nothing at all: the child leaves every export.
    NONE = "none"


class ConsentStatus(StrEnum):
    """A consent record's state."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # a re-consent on a newer form version replaced it


class NotIncluded(StrEnum):
    """Why a screened child was not included (CONSORT)."""

    INELIGIBLE = "ineligible"
    NOT_APPROACHED = "not_approached"
    DECLINED = "declined"
    OTHER = "other"


class Ineligible(StrEnum):
    """Which eligibility rule a child failed."""

    AGE_BELOW = "age_below"
    AGE_ABOVE = "age_above"
    MUAC_MISSING = "muac_missing"
    MUAC_ABOVE = "muac_above"
    OEDEMA = "oedema"
    COMPLICATION = "complication"
    OUTSIDE_CATCHMENT = "outside_catchment"
