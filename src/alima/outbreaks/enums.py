"""Categories of outbreak surveillance, stored as short, stable ASCII strings."""

from __future__ import annotations

from enum import StrEnum


class Disease(StrEnum):
    """IDSR priority diseases and events reported every week (``docs/clinical-rules.md §8.2``)."""

    CHOLERA = "cholera"
    MENINGITIS = "meningitis"
    MEASLES = "measles"
    YELLOW_FEVER = "yellow_fever"
    EBOLA = "ebola"
    MARBURG = "marburg"
    LASSA = "lassa"
    CCHF = "cchf"
    RVF = "rvf"
    DENGUE = "dengue"
    AFP = "afp"
    NEONATAL_TETANUS = "neonatal_tetanus"
    MALARIA = "malaria"
    BLOODY_DIARRHOEA = "bloody_diarrhoea"
    SEVERE_PNEUMONIA = "severe_pneumonia"
    ILI = "ili"
    MATERNAL_DEATH = "maternal_death"
    COVID19 = "covid19"


#: Diseases notifiable at once: each suspected case goes on the line list (§8.2).
IMMEDIATELY_NOTIFIABLE = frozenset(
    {
        Disease.CHOLERA,
        Disease.MENINGITIS,
        Disease.MEASLES,
        Disease.YELLOW_FEVER,
        Disease.EBOLA,
        Disease.MARBURG,
        Disease.LASSA,
        Disease.CCHF,
        Disease.RVF,
        Disease.DENGUE,
        Disease.AFP,
        Disease.NEONATAL_TETANUS,
        Disease.COVID19,
    }
)

#: Diseases whose line list asks for the vaccination status (a vaccine exists and is given).
VACCINE_PREVENTABLE = frozenset(
    {
        Disease.MENINGITIS,
        Disease.MEASLES,
        Disease.YELLOW_FEVER,
        Disease.AFP,
        Disease.NEONATAL_TETANUS,
        Disease.COVID19,
    }
)


class Level(StrEnum):
    """How serious a crossed threshold is."""

    ALERT = "alert"
    EPIDEMIC = "epidemic"


class RuleKind(StrEnum):
    """How a threshold rule reads the figures (``docs/clinical-rules.md §13.2``)."""

    COUNT = "count"
    RATE = "rate"
    INCREASE = "increase"
    CLUSTER = "cluster"


class Measure(StrEnum):
    """Which figure a rule counts."""

    CASES = "cases"
    DEATHS = "deaths"
    CONFIRMED = "confirmed"


class Baseline(StrEnum):
    """What an increase rule compares the week with."""

    PREVIOUS_WEEK = "previous_week"
    PREVIOUS_YEARS = "previous_years"


class Unit(StrEnum):
    """The places thresholds are evaluated for."""

    HEALTH_AREA = "health_area"
    DISTRICT = "district"


class AlertStatus(StrEnum):
    """Where an alert stands in the response."""

    RAISED = "raised"
    VERIFIED = "verified"
    INVESTIGATING = "investigating"
    DECLARED = "declared"
    DISCARDED = "discarded"
    CLOSED = "closed"


class AlertAction(StrEnum):
    """What a district or country user does with an alert."""

    VERIFY = "verify"
    INVESTIGATE = "investigate"
    DECLARE = "declare"
    DISCARD = "discard"
    CLOSE = "close"


#: Statuses from which each action may be taken, and the status it leads to.
TRANSITIONS: dict[AlertAction, tuple[frozenset[AlertStatus], AlertStatus]] = {
    AlertAction.VERIFY: (frozenset({AlertStatus.RAISED}), AlertStatus.VERIFIED),
    AlertAction.INVESTIGATE: (
        frozenset({AlertStatus.RAISED, AlertStatus.VERIFIED}),
        AlertStatus.INVESTIGATING,
    ),
    AlertAction.DECLARE: (
        frozenset({AlertStatus.VERIFIED, AlertStatus.INVESTIGATING}),
        AlertStatus.DECLARED,
    ),
    AlertAction.DISCARD: (
        frozenset({AlertStatus.RAISED, AlertStatus.VERIFIED, AlertStatus.INVESTIGATING}),
        AlertStatus.DISCARDED,
    ),
    AlertAction.CLOSE: (frozenset({AlertStatus.DECLARED}), AlertStatus.CLOSED),
}

#: Statuses of an alert still being dealt with (a new firing at its level is not raised again).
OPEN_STATUSES = frozenset(
    {AlertStatus.RAISED, AlertStatus.VERIFIED, AlertStatus.INVESTIGATING, AlertStatus.DECLARED}
)


class Sex(StrEnum):
    """Sex of a line-listed case."""

    MALE = "M"
    FEMALE = "F"


class Vaccination(StrEnum):
    """Vaccination status of a case against its disease, as known."""

    VACCINATED = "vaccinated"
    NOT_VACCINATED = "not_vaccinated"
    UNKNOWN = "unknown"


class LabResult(StrEnum):
    """The laboratory result of a case's sample."""

    AWAITING = "awaiting"
    POSITIVE = "positive"
    NEGATIVE = "negative"
    NOT_DONE = "not_done"


class Outcome(StrEnum):
    """What became of a case."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"
