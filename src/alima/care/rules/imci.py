"""IMCI triage of a sick child: danger signs, fast breathing by age, fever, MUAC.

Sources (docs/clinical-rules.md §9, §1, §6): WHO IMCI distance-learning module 1 (2014) for the five
general danger signs, fast-breathing cut-offs (at or above 60/min under 2 months, 50/min from
2 to 11 months, 40/min from 12 to 59 months) and fever (37.5 °C or more); WHO 2013 for SAM
(MUAC below 115 mm or bilateral oedema) and "SAM with a danger sign or complication goes to
inpatient care". Values still UNCERTAIN for a country are fields of :class:`ImciSettings`, so a
ministry's chart can change them without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass

from alima.care.enums import Action, Classification, DangerSign, RdtResult, Urgency
from alima.growth.muac import DEFAULT_CUTOFFS, MuacBand, MuacCutoffs, muac_band
from alima.nutrition.enums import Oedema

#: Fast breathing: (age below this many completed months, breaths per minute at or above).
#: WHO IMCI 2014; docs/clinical-rules.md §9 (CONFIRMED; IMCI counts a full minute and uses "≥").
FAST_BREATHING_PER_MIN: tuple[tuple[int, int], ...] = ((2, 60), (12, 50), (60, 40))
#: Fever: axillary temperature of 37.5 °C or more (IMCI chart; docs/clinical-rules.md §9, CONFIRMED).
FEVER_FROM_C = 37.5
#: IMCI applies to children up to 59 completed months.
IMCI_MAX_AGE_MONTHS = 59
#: Young infants (below 2 months) follow the young-infant chart.
YOUNG_INFANT_BELOW_MONTHS = 2
#: MUAC is used from 6 to 59 completed months (WHO 2013; docs/clinical-rules.md §1).
MUAC_MIN_AGE_MONTHS = 6
MUAC_MAX_AGE_MONTHS = 59

PINK_ACTIONS = frozenset({Action.REFER_URGENTLY, Action.REFER_STABILISATION})
YELLOW_CLASSIFICATIONS = frozenset(
    {
        Classification.PNEUMONIA,
        Classification.MALARIA,
        Classification.FEVER_TEST_NEEDED,
        Classification.UNCOMPLICATED_SAM,
        Classification.MAM,
    }
)
PINK_CLASSIFICATIONS = frozenset(
    {
        Classification.VERY_SEVERE_DISEASE,
        Classification.SEVERE_PNEUMONIA,
        Classification.VERY_SEVERE_FEBRILE_DISEASE,
        Classification.COMPLICATED_SAM,
    }
)


@dataclass(frozen=True)
class ImciSettings:
    """Cut-offs and choices of one country's IMCI chart (defaults: WHO 2014)."""

    fast_breathing_per_min: tuple[tuple[int, int], ...] = FAST_BREATHING_PER_MIN
    fever_from_c: float = FEVER_FROM_C
    max_age_months: int = IMCI_MAX_AGE_MONTHS
    #: Classic IMCI refers chest indrawing as severe pneumonia; the 2014 WHO revision treats
    #: chest indrawing without danger signs with oral amoxicillin (UNCERTAIN per country).
    chest_indrawing_refers: bool = True
    #: Young-infant chart: fast breathing below 2 months is a sign of possible serious
    #: bacterial infection, referred (UNCERTAIN: newer guidance treats some as outpatients).
    refer_young_infant_fast_breathing: bool = True
    muac_cutoffs: MuacCutoffs = DEFAULT_CUTOFFS


DEFAULT_SETTINGS = ImciSettings()


@dataclass(frozen=True)
class TriageFindings:
    """What the clinician observed; ``age_months`` is in completed months."""

    age_months: int
    danger_signs: frozenset[DangerSign] = frozenset()
    cough_or_difficult_breathing: bool = False
    breaths_per_minute: int | None = None
    chest_indrawing: bool = False
    stridor: bool = False
    temperature_c: float | None = None
    fever_history: bool = False
    stiff_neck: bool = False
    rdt: RdtResult = RdtResult.NOT_DONE
    muac_mm: int | None = None
    oedema: Oedema = Oedema.NONE


@dataclass(frozen=True)
class Triage:
    """The triage of one consultation: what the child has and what to do now."""

    imci_applies: bool
    urgency: Urgency
    classifications: tuple[Classification, ...]
    actions: tuple[Action, ...]
    danger_signs: tuple[DangerSign, ...]
    fast_breathing: bool | None
    fever: bool
    muac_band: MuacBand | None

    @property
    def refer_urgently(self) -> bool:
        """True when the child must leave for a higher level now."""
        return self.urgency is Urgency.URGENT_REFERRAL


def fast_breathing_threshold(
    age_months: int, settings: ImciSettings = DEFAULT_SETTINGS
) -> int | None:
    """Breaths per minute at or above which breathing is fast; ``None`` from 5 years."""
    if age_months < 0:
        msg = f"age must not be negative, got {age_months}"
        raise ValueError(msg)
    for below_months, threshold in settings.fast_breathing_per_min:
        if age_months < below_months:
            return threshold
    return None


def is_fast_breathing(
    age_months: int, breaths_per_minute: int, settings: ImciSettings = DEFAULT_SETTINGS
) -> bool | None:
    """Whether a respiratory rate is fast for the age (``None`` when IMCI does not apply)."""
    threshold = fast_breathing_threshold(age_months, settings)
    if threshold is None:
        return None
    return breaths_per_minute >= threshold


def has_fever(temperature_c: float | None, settings: ImciSettings = DEFAULT_SETTINGS) -> bool:
    """Fever by measured temperature (37.5 °C or more)."""
    return temperature_c is not None and temperature_c >= settings.fever_from_c


def danger_signs(signs: frozenset[DangerSign]) -> tuple[DangerSign, ...]:
    """The general danger signs present, in the chart's order."""
    return tuple(s for s in DangerSign if s in signs)


def muac_applies(age_months: int) -> bool:
    """MUAC is measured from 6 to 59 completed months."""
    return MUAC_MIN_AGE_MONTHS <= age_months <= MUAC_MAX_AGE_MONTHS


def _add(items: list[Action], *new: Action) -> None:
    for item in new:
        if item not in items:
            items.append(item)


def _respiratory(
    findings: TriageFindings,
    *,
    danger: bool,
    fast: bool | None,
    settings: ImciSettings,
    classes: list[Classification],
    actions: list[Action],
) -> None:
    if not findings.cough_or_difficult_breathing:
        return
    severe_sign = findings.stridor or (findings.chest_indrawing and settings.chest_indrawing_refers)
    if severe_sign or danger:
        classes.append(Classification.SEVERE_PNEUMONIA)
        _add(actions, Action.REFER_URGENTLY, Action.PRE_REFERRAL_ANTIBIOTIC)
    elif fast or findings.chest_indrawing:
        classes.append(Classification.PNEUMONIA)
        _add(actions, Action.GIVE_AMOXICILLIN)
    else:
        classes.append(Classification.COUGH_OR_COLD)
        _add(actions, Action.HOME_CARE_ADVICE)


def _febrile(
    findings: TriageFindings,
    danger: bool,
    fever: bool,
    classes: list[Classification],
    actions: list[Action],
) -> None:
    positive = findings.rdt is RdtResult.POSITIVE
    if fever and (danger or findings.stiff_neck):
        classes.append(Classification.VERY_SEVERE_FEBRILE_DISEASE)
        _add(actions, Action.REFER_URGENTLY, Action.PRE_REFERRAL_ANTIBIOTIC)
        if findings.rdt is not RdtResult.NEGATIVE:
            # IMCI: in a malaria-risk area, give the first dose of artesunate before referral.
            _add(actions, Action.PRE_REFERRAL_ARTESUNATE)
    elif positive:
        classes.append(Classification.MALARIA)
        _add(actions, Action.GIVE_ACT)
    elif fever and findings.rdt is RdtResult.NEGATIVE:
        classes.append(Classification.FEVER_NO_MALARIA)
        _add(actions, Action.HOME_CARE_ADVICE)
    elif fever:
        classes.append(Classification.FEVER_TEST_NEEDED)
        _add(actions, Action.DO_MALARIA_TEST)


def _nutrition(
    findings: TriageFindings,
    danger: bool,
    band: MuacBand | None,
    classes: list[Classification],
    actions: list[Action],
) -> None:
    if muac_applies(findings.age_months) and findings.muac_mm is None:
        _add(actions, Action.MEASURE_MUAC)
    sam = band is MuacBand.RED or findings.oedema.present
    if sam:
        complicated = (
            danger
            or findings.oedema is Oedema.PLUS3
            or any(c in PINK_CLASSIFICATIONS for c in classes)
        )
        if complicated:
            classes.append(Classification.COMPLICATED_SAM)
            _add(actions, Action.REFER_STABILISATION)
        else:
            classes.append(Classification.UNCOMPLICATED_SAM)
            _add(actions, Action.ADMIT_NUTRITION)
    elif band is MuacBand.YELLOW:
        classes.append(Classification.MAM)
        _add(actions, Action.ADMIT_NUTRITION)


def triage(findings: TriageFindings, settings: ImciSettings = DEFAULT_SETTINGS) -> Triage:
    """Classify a sick child by the IMCI chart and list what to do now.

    From 5 years IMCI does not apply: only fever and the malaria test are classified.
    """
    imci = 0 <= findings.age_months <= settings.max_age_months
    signs = danger_signs(findings.danger_signs) if imci else ()
    danger = bool(signs)
    fast = (
        is_fast_breathing(findings.age_months, findings.breaths_per_minute, settings)
        if imci and findings.breaths_per_minute is not None
        else None
    )
    fever = has_fever(findings.temperature_c, settings) or findings.fever_history
    classes: list[Classification] = []
    actions: list[Action] = []
    young_infant_fast = (
        findings.age_months < YOUNG_INFANT_BELOW_MONTHS
        and bool(fast)
        and settings.refer_young_infant_fast_breathing
    )
    if imci and (danger or young_infant_fast):
        classes.append(Classification.VERY_SEVERE_DISEASE)
        _add(actions, Action.REFER_URGENTLY, Action.PRE_REFERRAL_ANTIBIOTIC)
    if imci:
        _respiratory(
            findings, danger=danger, fast=fast, settings=settings, classes=classes, actions=actions
        )
    _febrile(findings, danger, fever, classes, actions)
    band = None
    if imci and findings.muac_mm is not None and muac_applies(findings.age_months):
        band = muac_band(findings.muac_mm, settings.muac_cutoffs)
    if imci:
        _nutrition(findings, danger, band, classes, actions)
    if any(a in PINK_ACTIONS for a in actions):
        urgency = Urgency.URGENT_REFERRAL
    elif any(c in YELLOW_CLASSIFICATIONS for c in classes):
        urgency = Urgency.TREAT
    else:
        urgency = Urgency.HOME_CARE
    return Triage(
        imci_applies=imci,
        urgency=urgency,
        classifications=tuple(classes),
        actions=tuple(actions),
        danger_signs=signs,
        fast_breathing=fast,
        fever=fever,
        muac_band=band,
    )
