"""MUAC colour band of a child's tape (red, yellow, green) from configured cut-offs.

Defaults are the current 3-colour child tape for 6-59 months (WHO/UNICEF joint statement
2009; docs/clinical-rules.md §6): red below 115 mm (severe acute malnutrition), yellow from
115 to below 125 mm (moderate), green from 125 mm. Older tapes with other cut-offs are still
in use, so the cut-offs are configuration (:class:`MuacCutoffs`), and MUAC is stored in
whole millimetres: the colour is always derived, never stored alone.
"""

from __future__ import annotations

import enum
from typing import Final, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: WHO/UNICEF 2009: SAM below 115 mm.
RED_BELOW_MM: Final = 115
#: WHO/UNICEF 2009: no acute malnutrition by MUAC from 125 mm.
GREEN_FROM_MM: Final = 125


class MuacBand(enum.StrEnum):
    """Colour of the MUAC tape at the child's measurement."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class MuacCutoffs(BaseModel):
    """MUAC band cut-offs in mm: red below ``red_below_mm``, green from ``green_from_mm``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    red_below_mm: int = Field(
        default=RED_BELOW_MM, gt=0, description="Red (SAM) below this MUAC, in mm."
    )
    green_from_mm: int = Field(
        default=GREEN_FROM_MM, gt=0, description="Green (no acute malnutrition) from this MUAC."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.red_below_mm > self.green_from_mm:
            raise ValueError("red_below_mm must not be above green_from_mm")
        return self


DEFAULT_CUTOFFS: Final = MuacCutoffs()


def muac_band(muac_mm: int, cutoffs: MuacCutoffs = DEFAULT_CUTOFFS) -> MuacBand:
    """Tape colour for a MUAC of ``muac_mm`` whole millimetres.

    Raises:
        TypeError: when ``muac_mm`` is not an integer.
        ValueError: when ``muac_mm`` is not positive.
    """
    if isinstance(muac_mm, bool) or not isinstance(muac_mm, int):
        raise TypeError(f"MUAC must be whole millimetres (int), got {muac_mm!r}")
    if muac_mm <= 0:
        raise ValueError(f"MUAC must be positive, got {muac_mm} mm")
    if muac_mm < cutoffs.red_below_mm:
        return MuacBand.RED
    if muac_mm < cutoffs.green_from_mm:
        return MuacBand.YELLOW
    return MuacBand.GREEN
