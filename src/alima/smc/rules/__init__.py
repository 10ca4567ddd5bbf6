"""Pure SMC rules: age on the cycle date, dose band, exclusions, vomiting, coverage."""

from alima.smc.rules.coverage import dropout, percent, target_from_population, treated_per_cycle
from alima.smc.rules.dose import (
    CHILD_BAND_MONTHS,
    DOSES,
    MAX_AGE_MONTHS,
    MIN_AGE_MONTHS,
    MUAC_MIN_AGE_MONTHS,
    Dose,
    Findings,
    VomitingRule,
    age_months,
    band_for,
    blisters_used,
    check_age,
    dose_for,
    exclusion,
    shown_months,
)

__all__ = [
    "CHILD_BAND_MONTHS",
    "DOSES",
    "MAX_AGE_MONTHS",
    "MIN_AGE_MONTHS",
    "MUAC_MIN_AGE_MONTHS",
    "Dose",
    "Findings",
    "VomitingRule",
    "age_months",
    "band_for",
    "blisters_used",
    "check_age",
    "dose_for",
    "dropout",
    "exclusion",
    "percent",
    "shown_months",
    "target_from_population",
    "treated_per_cycle",
]
