"""Eligibility of a child for a study, read from what care recorded at admission.

The criteria are data of the study (age range, MUAC at or below a cut-off, no complication,
the sites of the catchment); ``evaluate`` returns whether the child is eligible and every rule
that failed, so the screening log can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alima.research.enums import Ineligible


@dataclass(frozen=True)
class Criteria:
    """A study's eligibility rules over routine admission data."""

    age_min_months: float
    age_max_months: float
    #: The child is eligible with a MUAC strictly below this cut-off (mm); None: any MUAC.
    muac_below_mm: int | None = None
    no_complication: bool = True
    exclude_oedema: bool = False
    #: Codes of the sites whose children the study takes (its catchment).
    site_codes: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Admission:
    """What care recorded when the child was admitted."""

    age_months: float
    muac_mm: int | None
    oedema: bool
    complicated: bool
    site_code: str


@dataclass(frozen=True)
class Result:
    """Eligible or not, with every failed rule."""

    eligible: bool
    reasons: tuple[Ineligible, ...]


def evaluate(criteria: Criteria, admission: Admission) -> Result:
    """Every rule of ``criteria`` against the admission (all failures, not the first)."""
    reasons: list[Ineligible] = []
    if admission.age_months < criteria.age_min_months:
        reasons.append(Ineligible.AGE_BELOW)
    if admission.age_months >= criteria.age_max_months + 1:
        # "6-59 months" includes the whole 59th month: the child is too old from 60 months.
        reasons.append(Ineligible.AGE_ABOVE)
    if criteria.muac_below_mm is not None:
        if admission.muac_mm is None:
            reasons.append(Ineligible.MUAC_MISSING)
        elif admission.muac_mm >= criteria.muac_below_mm:
            reasons.append(Ineligible.MUAC_ABOVE)
    if criteria.exclude_oedema and admission.oedema:
        reasons.append(Ineligible.OEDEMA)
    if criteria.no_complication and admission.complicated:
        reasons.append(Ineligible.COMPLICATION)
    if criteria.site_codes and admission.site_code not in criteria.site_codes:
        reasons.append(Ineligible.OUTSIDE_CATCHMENT)
    return Result(eligible=not reasons, reasons=tuple(reasons))
