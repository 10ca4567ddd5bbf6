"""Who gets SPAQ on a cycle's day 1, and which dose (pure; docs/clinical-rules.md §7, §14).

Age is computed on the cycle's start date, never on the day the distributor happens to pass:
a child's band is the same for the whole cycle. Months are WHO Anthro's 30.4375-day months
(``alima.growth.engine.DAYS_PER_MONTH``, §5.2), the month alima's other age thresholds use:
"3 to 59 months" is from 3.0 months to the end of the 59th month (below 60.0), and the
infant band ends below 12.0 months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alima.core.errors import RuleViolation
from alima.growth.engine import DAYS_PER_MONTH
from alima.smc.enums import AgeBand, Exclusion, Product
from alima.smc.errors import SmcError

#: Youngest age given SPAQ, in months (docs/clinical-rules.md §7).
MIN_AGE_MONTHS = 3.0
#: Age from which the child band applies, in months (§7).
CHILD_BAND_MONTHS = 12.0
#: First age no longer given SPAQ: 59 completed months is the last (§7).
MAX_AGE_MONTHS = 60.0
#: The age from which MUAC is measured (the community screening's lower bound, §6).
MUAC_MIN_AGE_MONTHS = 6.0


@dataclass(frozen=True)
class Dose:
    """The co-packaged dose of a band (docs/clinical-rules.md §7)."""

    band: AgeBand
    product: Product
    aq_mg: float  # amodiaquine base per tablet, one tablet a day for 3 days
    aq_tablets: int
    sp_sulfadoxine_mg: int  # sulfadoxine / pyrimethamine, one tablet on day 1
    sp_pyrimethamine_mg: float


DOSES: dict[AgeBand, Dose] = {
    AgeBand.INFANT: Dose(AgeBand.INFANT, Product.SPAQ_3_11, 76.5, 3, 250, 12.5),
    AgeBand.CHILD: Dose(AgeBand.CHILD, Product.SPAQ_12_59, 153.0, 3, 500, 25.0),
}


def age_months(birth_date: date, cycle_date: date) -> float:
    """Age in (unrounded) 30.4375-day months on the cycle date (§5.2, §14)."""
    return (cycle_date - birth_date).days / DAYS_PER_MONTH


def shown_months(months: float) -> int:
    """Completed months, as said to the distributor (never negative)."""
    return max(int(months), 0)


def check_age(months: float) -> None:
    """Refuse a child under 3 months or over 59 months on the cycle date (§7)."""
    if months < MIN_AGE_MONTHS:
        raise RuleViolation(SmcError.SMC_001, months=shown_months(months), field="patient_id")
    if months >= MAX_AGE_MONTHS:
        raise RuleViolation(SmcError.SMC_002, months=shown_months(months), field="patient_id")


def band_for(months: float) -> AgeBand:
    """The dose band of an eligible age (3-11 or 12-59 months); refuses any other age."""
    check_age(months)
    return AgeBand.INFANT if months < CHILD_BAND_MONTHS else AgeBand.CHILD


def dose_for(months: float) -> Dose:
    """The dose of an eligible age on the cycle date."""
    return DOSES[band_for(months)]


@dataclass(frozen=True)
class Findings:
    """What the distributor saw and asked on day 1."""

    sick: bool = False  # fever now or in the past days, or visibly ill
    allergy: bool = False  # known allergy or earlier severe reaction to SP or AQ
    cotrimoxazole: bool = False  # taking co-trimoxazole (a sulfa drug) now
    severe_malnutrition: bool = False  # red MUAC or oedema on the screening of the round
    already_received: bool = False  # the caregiver says SPAQ was given this cycle elsewhere


#: The reason recorded when several apply: the one that sends the child somewhere first.
EXCLUSION_ORDER = (
    Exclusion.SICK,
    Exclusion.SEVERE_MALNUTRITION,
    Exclusion.ALLERGY,
    Exclusion.COTRIMOXAZOLE,
    Exclusion.ALREADY_RECEIVED,
)


def exclusion(findings: Findings) -> Exclusion | None:
    """The reason not to give SPAQ today, or ``None`` when it is given (§14)."""
    present = {
        Exclusion.SICK: findings.sick,
        Exclusion.SEVERE_MALNUTRITION: findings.severe_malnutrition,
        Exclusion.ALLERGY: findings.allergy,
        Exclusion.COTRIMOXAZOLE: findings.cotrimoxazole,
        Exclusion.ALREADY_RECEIVED: findings.already_received,
    }
    return next((reason for reason in EXCLUSION_ORDER if present[reason]), None)


@dataclass(frozen=True)
class VomitingRule:
    """The country's rule after a child vomits the day-1 dose (UNCERTAIN, §14: settings)."""

    redose: bool = True
    window_minutes: int = 30


def blisters_used(*, given: bool, vomited: bool, redosed: bool, rule: VomitingRule) -> int:
    """Blisters a day-1 visit uses: one per child given, one more for a re-dose (§14).

    Refuses a re-dose without vomiting, one where the country does not re-dose, and
    vomiting recorded for an excluded child.
    """
    if not given:
        if vomited or redosed:
            raise RuleViolation(SmcError.SMC_014, field="vomited")
        return 0
    if redosed and not vomited:
        raise RuleViolation(SmcError.SMC_010, field="redosed")
    if redosed and not rule.redose:
        raise RuleViolation(SmcError.SMC_009, field="redosed")
    return 2 if redosed else 1
