"""Community screening rules as tables: referral by colour and oedema, agreement."""

from datetime import date

import pytest

from alima.community.enums import ReferralUrgency
from alima.community.rules import (
    ScreeningSettings,
    age_screenable,
    agreement,
    assess_screening,
    overdue,
)
from alima.growth.muac import MuacBand, MuacCutoffs
from alima.nutrition.enums import Oedema

URGENT, ROUTINE = ReferralUrgency.URGENT, ReferralUrgency.ROUTINE


@pytest.mark.parametrize(
    ("muac", "oedema", "band", "referral"),
    [
        (100, Oedema.NONE, MuacBand.RED, URGENT),
        (114, Oedema.NONE, MuacBand.RED, URGENT),
        (115, Oedema.NONE, MuacBand.YELLOW, ROUTINE),
        (124, Oedema.NONE, MuacBand.YELLOW, ROUTINE),
        (125, Oedema.NONE, MuacBand.GREEN, None),
        (140, Oedema.PLUS1, MuacBand.GREEN, URGENT),
        (120, Oedema.PLUS3, MuacBand.YELLOW, URGENT),
    ],
    ids=["100", "114", "115", "124", "125", "green-oedema", "yellow-oedema"],
)
def test_referral_by_band_and_oedema(
    muac: int, oedema: Oedema, band: MuacBand, referral: ReferralUrgency | None
) -> None:
    result = assess_screening(muac, oedema)
    assert result.band is band
    assert result.referral is referral


def test_yellow_referral_and_cut_offs_are_settings() -> None:
    no_mam = ScreeningSettings(refer_yellow=False)
    assert assess_screening(118, Oedema.NONE, no_mam).referral is None
    legacy = ScreeningSettings(cutoffs=MuacCutoffs(red_below_mm=110, green_from_mm=125))
    assert assess_screening(112, Oedema.NONE, legacy).band is MuacBand.YELLOW


@pytest.mark.parametrize(("age", "ok"), [(5, False), (6, True), (59, True), (60, False)])
def test_bracelet_ages(age: int, ok: bool) -> None:
    assert age_screenable(age) is ok


def test_agreement_counts_same_bands_and_mean_difference() -> None:
    pairs = [(112, 110), (118, 113), (126, 127), (114, 110)]
    result = agreement(pairs)
    assert (result.agreeing, result.measured) == (3, 4)
    assert result.percent == 75.0
    assert result.mean_difference_mm == 2.5
    empty = agreement([])
    assert empty.percent is None and empty.mean_difference_mm is None


def test_overdue_after_configured_days() -> None:
    assert not overdue(date(2026, 1, 1), date(2026, 1, 8))
    assert overdue(date(2026, 1, 1), date(2026, 1, 9))
