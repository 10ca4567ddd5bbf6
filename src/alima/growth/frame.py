"""The public API: WHO z-scores for a pandas DataFrame, or for one child."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from alima.core.errors import RuleViolation
from alima.growth.engine import (
    FLAG_COLUMNS,
    INDICATORS,
    Z_COLUMNS,
    FloatArray,
    GrowthResult,
    compute,
)
from alima.growth.errors import GrowthError
from alima.growth.inputs import (
    INPUT_COLUMNS,
    Note,
    clean,
    clean_one,
    note_categories,
    note_text,
)

if TYPE_CHECKING:  # imported where used: the CSV command reads plain files without pandas
    import pandas as pd

#: Columns added by :func:`zscores`, in WHO Anthro's order.
OUTPUT_COLUMNS: Final = ("clenhei", "cbmi", *Z_COLUMNS, *FLAG_COLUMNS)
NOTE_COLUMN: Final = "zscore_note"


class MissingColumns(RuleViolation):
    """The input lacks some of the WHO Anthro columns."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            GrowthError.GRO_001, columns=", ".join(missing), expected=", ".join(INPUT_COLUMNS)
        )
        self.missing = missing


def missing_columns(columns: list[str]) -> list[str]:
    """The WHO Anthro input columns absent from ``columns``, in WHO's order."""
    present = set(columns)
    return [name for name in INPUT_COLUMNS if name not in present]


def _flag_array(result: GrowthResult, name: str) -> FloatArray:
    """0.0 / 1.0, NaN where the z-score is missing: a plain numpy column like the z-scores."""
    return np.where(result.flag_mask(name), np.nan, result.flags[name])


def zscores(df: pd.DataFrame, *, rounded: bool = True, threads: int | None = None) -> pd.DataFrame:
    """WHO 2006 z-scores, flags and corrected measures for every row of ``df``.

    ``df`` must have the WHO Anthro columns ``sex`` (1/2), ``age_days``, ``weight`` (kg),
    ``lenhei`` (cm), ``measure`` (l/h/empty), ``muac`` (cm) and ``oedema`` (y/n); other
    columns are kept. The result is a new DataFrame with ``clenhei``, ``cbmi``, ``zlen``,
    ``zwei``, ``zwfl``, ``zbmi``, ``zac`` (float64, NaN when not computed), the flags
    ``flen`` ... ``fac`` (float64: 1 = implausible, 0 = plausible, NaN with the z-score) and
    ``zscore_note`` (why z-scores are missing or corrected; NaN when nothing to say).
    Z-scores are rounded to 2 decimals as WHO does, unless ``rounded=False``; flags are
    always evaluated on the rounded value.

    Raises:
        MissingColumns: when an input column is absent.
    """
    import pandas as pd

    missing = missing_columns([str(c) for c in df.columns])
    if missing:
        raise MissingColumns(missing)
    cleaned = clean({name: df[name] for name in INPUT_COLUMNS})
    result = compute(cleaned.arrays, threads=threads)
    codes, texts = note_categories(cleaned.notes)
    values = result.z2 if rounded else result.z
    added: dict[str, object] = {"clenhei": result.clenhei, "cbmi": result.cbmi}
    for name in INDICATORS:
        added[f"z{name}"] = values[name]
    for name in INDICATORS:
        added[f"f{name}"] = _flag_array(result, name)
    added[NOTE_COLUMN] = pd.Categorical.from_codes(
        codes, categories=pd.Index(texts, dtype=object), validate=False
    )
    out = df.copy(deep=False)
    new = pd.DataFrame(added, index=df.index, copy=False)
    for column in new.columns:
        out[column] = new[column]
    return out


@dataclass(frozen=True)
class ChildZScores:
    """WHO z-scores of one child (``None`` when not computed)."""

    clenhei: float | None
    cbmi: float | None
    zlen: float | None
    zwei: float | None
    zwfl: float | None
    zbmi: float | None
    zac: float | None
    flen: int | None
    fwei: int | None
    fwfl: int | None
    fbmi: int | None
    fac: int | None
    note: str | None


def _scalar(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def child_zscores(
    *,
    sex: int | str,
    age_days: float | None,
    weight: float | None = None,
    lenhei: float | None = None,
    measure: str | None = None,
    muac: float | None = None,
    oedema: bool | str | None = False,
    rounded: bool = True,
) -> ChildZScores:
    """WHO z-scores of one child; same rules and units as :func:`zscores` (MUAC in cm)."""
    cleaned = clean_one(
        {
            "sex": sex,
            "age_days": age_days,
            "weight": weight,
            "lenhei": lenhei,
            "measure": measure,
            "muac": muac,
            "oedema": oedema,
        }
    )
    result = compute(cleaned.arrays, threads=1)
    values = result.z2 if rounded else result.z
    flags = {
        name: None if result.flag_mask(name)[0] else int(result.flags[name][0])
        for name in INDICATORS
    }
    note = int(cleaned.notes[0])
    return ChildZScores(
        clenhei=_scalar(result.clenhei[0]),
        cbmi=_scalar(result.cbmi[0]),
        zlen=_scalar(values["len"][0]),
        zwei=_scalar(values["wei"][0]),
        zwfl=_scalar(values["wfl"][0]),
        zbmi=_scalar(values["bmi"][0]),
        zac=_scalar(values["ac"][0]),
        flen=flags["len"],
        fwei=flags["wei"],
        fwfl=flags["wfl"],
        fbmi=flags["bmi"],
        fac=flags["ac"],
        note=note_text(Note(note)) if note else None,
    )
