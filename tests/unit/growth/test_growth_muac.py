"""MUAC tape colour from configured cut-offs (WHO/UNICEF 2009 by default; docs/clinical-rules.md §6)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from alima.growth import MuacBand, MuacCutoffs, muac_band


@pytest.mark.parametrize(
    ("muac_mm", "band"),
    [
        (60, MuacBand.RED),
        (114, MuacBand.RED),
        (115, MuacBand.YELLOW),
        (124, MuacBand.YELLOW),
        (125, MuacBand.GREEN),
        (200, MuacBand.GREEN),
    ],
    ids=["60-red", "114-red", "115-yellow", "124-yellow", "125-green", "200-green"],
)
def test_default_who_unicef_2009_cutoffs(muac_mm: int, band: MuacBand) -> None:
    assert muac_band(muac_mm) is band


def test_configured_legacy_tape() -> None:
    # MSF legacy tape: red below 110 mm; here green from 135 mm.
    legacy = MuacCutoffs.model_validate({"red_below_mm": 110, "green_from_mm": 135})
    assert muac_band(109, legacy) is MuacBand.RED
    assert muac_band(110, legacy) is MuacBand.YELLOW
    assert muac_band(130, legacy) is MuacBand.YELLOW
    assert muac_band(135, legacy) is MuacBand.GREEN


def test_cutoffs_are_frozen_and_validated() -> None:
    cutoffs = MuacCutoffs()
    assert (cutoffs.red_below_mm, cutoffs.green_from_mm) == (115, 125)
    with pytest.raises(ValidationError):
        cutoffs.red_below_mm = 100  # type: ignore[misc]  # frozen on purpose
    with pytest.raises(ValidationError):
        MuacCutoffs(red_below_mm=130, green_from_mm=125)
    with pytest.raises(ValidationError):
        MuacCutoffs.model_validate({"red_below_mm": 115, "green_from_mm": 125, "orange": 1})
    with pytest.raises(ValidationError):
        MuacCutoffs(red_below_mm=0)


@pytest.mark.parametrize("value", [11.5, "115", True, None])
def test_muac_band_takes_whole_millimetres(value: object) -> None:
    with pytest.raises(TypeError):
        muac_band(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, -5])
def test_muac_band_needs_a_positive_value(value: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        muac_band(value)


def test_band_values_are_plain_strings() -> None:
    assert [str(band) for band in MuacBand] == ["red", "yellow", "green"]
