"""Pure rules of community screening: referral decision, agreement, overdue referrals.

Sources: WHO 2013 rec 1 (community MUAC below 115 mm or any oedema: immediate referral;
docs/clinical-rules.md §1), the 3-colour child tape (docs/clinical-rules.md §6), Alé et al. 2016 for the
agreement measure (docs/clinical-rules.md §6; agreement of colour classes, DERIVED).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alima.community.enums import ReferralUrgency
from alima.growth.muac import DEFAULT_CUTOFFS, MuacBand, MuacCutoffs, muac_band
from alima.nutrition.enums import Oedema

#: The child tape is for 6 to 59 completed months (WHO 2013; docs/clinical-rules.md §1).
SCREENING_MIN_AGE_MONTHS = 6
SCREENING_MAX_AGE_MONTHS = 59


@dataclass(frozen=True)
class ScreeningSettings:
    """One programme's screening choices."""

    cutoffs: MuacCutoffs = DEFAULT_CUTOFFS
    #: Whether a yellow MUAC is referred (to MAM treatment). Family MUAC programmes send yellow
    #: children to the health centre; where MAM is not treated, a country may turn it off.
    refer_yellow: bool = True
    #: A referral still pending after this many days is overdue (programme setting, UNCERTAIN).
    overdue_days: int = 7
    min_age_months: int = SCREENING_MIN_AGE_MONTHS
    max_age_months: int = SCREENING_MAX_AGE_MONTHS


DEFAULT_SETTINGS = ScreeningSettings()


@dataclass(frozen=True)
class ScreeningResult:
    """Colour band of a screening and the referral it calls for (``None``: no referral)."""

    band: MuacBand
    referral: ReferralUrgency | None


def age_screenable(age_months: int, settings: ScreeningSettings = DEFAULT_SETTINGS) -> bool:
    """Whether the colour-banded child tape applies at this age."""
    return settings.min_age_months <= age_months <= settings.max_age_months


def assess_screening(
    muac_mm: int, oedema: Oedema, settings: ScreeningSettings = DEFAULT_SETTINGS
) -> ScreeningResult:
    """Band and referral: red or any oedema is urgent; yellow is routine when configured."""
    band = muac_band(muac_mm, settings.cutoffs)
    if band is MuacBand.RED or oedema.present:
        return ScreeningResult(band, ReferralUrgency.URGENT)
    if band is MuacBand.YELLOW and settings.refer_yellow:
        return ScreeningResult(band, ReferralUrgency.ROUTINE)
    return ScreeningResult(band, None)


def bands_agree(community: MuacBand, facility: MuacBand) -> bool:
    """A community measurement agrees when it falls in the same colour band as the staff's."""
    return community is facility


@dataclass(frozen=True)
class Agreement:
    """Agreement over completed referrals with a staff measurement."""

    agreeing: int
    measured: int
    mean_difference_mm: float | None

    @property
    def percent(self) -> float | None:
        """Share of agreeing measurements, in percent (``None`` with nothing measured)."""
        return None if self.measured == 0 else 100.0 * self.agreeing / self.measured


def agreement(
    pairs: list[tuple[int, int]], settings: ScreeningSettings = DEFAULT_SETTINGS
) -> Agreement:
    """Agreement of (community MUAC, facility MUAC) pairs, and the mean difference in mm.

    The difference is community minus facility: positive when the community measured more.
    """
    if not pairs:
        return Agreement(0, 0, None)
    agreeing = sum(
        bands_agree(muac_band(c, settings.cutoffs), muac_band(f, settings.cutoffs))
        for c, f in pairs
    )
    mean = sum(c - f for c, f in pairs) / len(pairs)
    return Agreement(agreeing, len(pairs), round(mean, 1))


def overdue(referred_on: date, today: date, settings: ScreeningSettings = DEFAULT_SETTINGS) -> bool:
    """Whether a pending referral has waited longer than the programme allows."""
    return (today - referred_on).days > settings.overdue_days


def closable(referred_on: date, today: date, after_days: int) -> bool:
    """Whether a pending referral may be closed as "did not arrive" (docs/clinical-rules.md §6).

    From ``after_days`` days after the referral; read with the reader's today, so the offer is
    right whenever the page is read, and nothing is written until a person closes it.
    """
    return (today - referred_on).days >= after_days
