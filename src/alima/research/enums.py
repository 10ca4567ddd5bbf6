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


class EventStatus(StrEnum):
    """Where a child's scheduled study event stands, computed whenever it is read."""

    #: A routine nutrition visit inside the window carries the event's measures.
    ROUTINE = "routine"
    #: A study visit, recorded because routine care had no data in the window.
    STUDY_VISIT = "study_visit"
    #: The window is open and nothing fills the event yet.
    DUE = "due"
    #: The window has not opened.
    UPCOMING = "upcoming"
    #: The window closed with nothing recorded.
    MISSED = "missed"
    #: Consent was withdrawn before the window closed: the event is no longer expected.
    WITHDRAWN = "withdrawn"


class SaeCategory(StrEnum):
    """Why an adverse event is serious (ICH E2A, II.B): the seriousness criteria."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALISATION = "hospitalisation"
    DISABILITY = "disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    OTHER_IMPORTANT = "other_important"


class SaeOutcome(StrEnum):
    """An adverse event's outcome when reported."""

    RECOVERED = "recovered"
    RECOVERING = "recovering"
    NOT_RECOVERED = "not_recovered"
    SEQUELAE = "sequelae"
    FATAL = "fatal"
    UNKNOWN = "unknown"


class Relatedness(StrEnum):
    """The investigator's judgement of a causal link with the study's intervention (E2A III.A.1)."""

    RELATED = "related"
    POSSIBLY = "possibly"
    NOT_RELATED = "not_related"


class ReportStatus(StrEnum):
    """Whether a serious adverse event reached the sponsor within the study's delay."""

    #: Not reported yet, the delay still running.
    TO_REPORT = "to_report"
    #: Not reported and the delay passed: first on every list.
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"
