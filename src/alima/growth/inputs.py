"""From WHO Anthro-style columns to the engine's clean arrays, with a note for each odd row.

Input columns are named as WHO Anthro names them: ``sex`` (1/2, also m/f), ``age_days``,
``weight`` (kg), ``lenhei`` (cm), ``measure`` (l/h/empty), ``muac`` (cm) and ``oedema``
(y/n, also 1/2). Values are accepted as numbers or as text (as read from a CSV file).

A *bad* row (a value that is not a number, a code that is not allowed, no valid sex, a
negative age) gets no z-score at all and a note saying why; it never raises. Other notes
explain missing z-scores that follow WHO's rules (age 60 months or more, a measure of 0 or
less, unknown age) or WHO's correction of a standing measure before 9 months.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from alima.core.i18n import N_, gettext
from alima.growth.engine import (
    DAYS_PER_MONTH,
    MAX_MONTHS,
    STANDING_FROM_MONTHS,
    BoolArray,
    FloatArray,
    GrowthInput,
    Int8Array,
    Measure,
)

if TYPE_CHECKING:  # pandas is imported where it is used: the plain CSV path never needs it
    import pandas as pd

INPUT_COLUMNS: Final = ("sex", "age_days", "weight", "lenhei", "measure", "muac", "oedema")
NUMERIC_COLUMNS: Final = ("age_days", "weight", "lenhei", "muac")
#: Text read as "no value" (compared after stripping blanks and lower-casing).
MISSING_TEXT: Final = frozenset({"", "na", "nan", "n/a", "null", "none"})

UInt32Array = NDArray[np.uint32]
ObjectArray = NDArray[np.object_]
IntpArray = NDArray[np.intp]


class Note(enum.IntFlag):
    """Why a row's z-scores are missing or were computed with a WHO correction."""

    SEX_INVALID = enum.auto()
    AGE_INVALID = enum.auto()
    AGE_MISSING = enum.auto()
    AGE_OVER_5 = enum.auto()
    WEIGHT_INVALID = enum.auto()
    LENHEI_INVALID = enum.auto()
    MUAC_INVALID = enum.auto()
    WEIGHT_NOT_POSITIVE = enum.auto()
    LENHEI_NOT_POSITIVE = enum.auto()
    MUAC_NOT_POSITIVE = enum.auto()
    MEASURE_INVALID = enum.auto()
    OEDEMA_INVALID = enum.auto()
    STANDING_UNDER_9_MONTHS = enum.auto()


#: Notes that make a row bad: no z-score is computed for it.
BAD_ROW: Final = (
    Note.SEX_INVALID
    | Note.AGE_INVALID
    | Note.WEIGHT_INVALID
    | Note.LENHEI_INVALID
    | Note.MUAC_INVALID
    | Note.MEASURE_INVALID
    | Note.OEDEMA_INVALID
)

#: English source text of each note (translated when shown), with its format parameters.
NOTE_TEXT: Final[dict[Note, tuple[str, dict[str, str]]]] = {
    Note.SEX_INVALID: (N_("sex must be 1 (male) or 2 (female)"), {}),
    Note.AGE_INVALID: (N_("age_days must be a number of days, 0 or more"), {}),
    Note.AGE_MISSING: (N_("age_days is missing: only weight-for-length/height is computed"), {}),
    Note.AGE_OVER_5: (N_("age is 60 months or more: the WHO standards stop at 5 years"), {}),
    Note.WEIGHT_INVALID: (N_("{column} is not a number"), {"column": "weight"}),
    Note.LENHEI_INVALID: (N_("{column} is not a number"), {"column": "lenhei"}),
    Note.MUAC_INVALID: (N_("{column} is not a number"), {"column": "muac"}),
    Note.WEIGHT_NOT_POSITIVE: (N_("{column} must be greater than 0"), {"column": "weight"}),
    Note.LENHEI_NOT_POSITIVE: (N_("{column} must be greater than 0"), {"column": "lenhei"}),
    Note.MUAC_NOT_POSITIVE: (N_("{column} must be greater than 0"), {"column": "muac"}),
    Note.MEASURE_INVALID: (N_("measure must be l (lying), h (standing) or empty"), {}),
    Note.OEDEMA_INVALID: (N_("oedema must be y or n"), {}),
    Note.STANDING_UNDER_9_MONTHS: (
        N_("standing height before 9 months: position treated as unknown, as WHO does"),
        {},
    ),
}

_NOTE_SEPARATOR: Final = "; "


def note_text(note: Note) -> str:
    """The notes of a row in the current locale, separated by ``"; "``."""
    parts = []
    for flag in Note:
        if flag in note:
            message, params = NOTE_TEXT[flag]
            parts.append(gettext(message, **params))
    return _NOTE_SEPARATOR.join(parts)


@dataclass(frozen=True)
class CleanInput:
    """The engine's input and, per row, a bit set of :class:`Note` values."""

    arrays: GrowthInput
    notes: UInt32Array


def _is_missing_text(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING_TEXT


def _factorized(values: pd.Series, code_of: Callable[[Hashable], int]) -> Int8Array:
    """Map each value through ``code_of``, calling it once per distinct value."""
    import pandas as pd

    dtype = values.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        numbers = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
        raw_codes, unique_numbers = pd.factorize(numbers, use_na_sentinel=True)
        codes = np.asarray(raw_codes, dtype=np.intp)
        uniques: list[Hashable] = [float(u) for u in unique_numbers]
    elif isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes.to_numpy(), dtype=np.intp)
        uniques = list(values.cat.categories)
    else:
        raw_codes, unique_values = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
        codes = np.asarray(raw_codes, dtype=np.intp)
        uniques = list(unique_values)
    # One extra slot at the end for NA (code -1 wraps around to it).
    lookup = np.array([code_of(u) for u in uniques] + [code_of(None)], dtype=np.int8)
    return np.asarray(lookup[codes], dtype=np.int8)


_INVALID: Final = -1
_SEX_TEXT: Final = {"m": 1, "1": 1, "f": 2, "2": 2}
_SEX_NUMBER: Final = {1.0: 1, 2.0: 2}


def sex_code(value: Hashable) -> int:
    """1 male, 2 female, 0 missing, -1 invalid (WHO: 1/m/M and 2/f/F)."""
    if _is_missing_text(value):
        return 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _SEX_TEXT:
            return _SEX_TEXT[text]
        try:
            return _SEX_NUMBER.get(float(text), _INVALID)  # e.g. "1.0"
        except ValueError:
            return _INVALID
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return _INVALID
    return _SEX_NUMBER.get(float(value), _INVALID)


def measure_code(value: Hashable) -> int:
    """1 lying (l), 2 standing (h), 0 missing, -1 invalid."""
    if _is_missing_text(value):
        return Measure.UNKNOWN
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "l":
            return Measure.LYING
        if text == "h":
            return Measure.STANDING
    return _INVALID


def oedema_code(value: Hashable) -> int:
    """1 for oedema, 0 for none (missing counts as none, as in WHO Anthro), -1 if invalid."""
    if _is_missing_text(value):
        return 0
    if isinstance(value, bool | np.bool_):
        return int(value)
    text = str(value).strip().lower()
    if text in ("y", "1", "1.0", "true", "yes"):
        return 1
    if text in ("n", "2", "2.0", "false", "no"):
        return 0
    return _INVALID


_MISSING_SPELLINGS: Final = ("", "NA", "na", "NaN", "nan", "N/A", "n/a", "null", "NULL", "None")
_PLAIN_NUMBER: Final = re.compile(r"[0-9eE+\-.\s]*")


def _parse_plain_numbers(raw: ObjectArray) -> FloatArray | None:
    """Fast path for text columns of plain decimal numbers and usual missing spellings.

    Returns None (the caller then parses value by value) when any value is something else,
    so that a bad value is never silently accepted.
    """
    import pandas as pd

    try:
        missing = np.asarray(pd.Series(raw, copy=False).isin(_MISSING_SPELLINGS), dtype=np.bool_)
        present = raw[~missing] if missing.any() else raw
        if not _PLAIN_NUMBER.fullmatch("".join(present.tolist())):
            return None
        text = np.where(missing, "nan", raw) if missing.any() else raw
        out = np.asarray(text.astype(np.float64), dtype=np.float64)
    except (ValueError, TypeError):
        return None
    if np.isinf(out).any():
        return None
    return out


def _numeric(values: pd.Series) -> tuple[FloatArray, BoolArray]:
    """Float64 values (NaN when missing) and the mask of values that are not numbers."""
    import pandas as pd

    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        bad = np.ones(len(values), dtype=np.bool_)
        return np.full(len(values), np.nan), bad
    if pd.api.types.is_numeric_dtype(dtype):
        out = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
        bad = np.isinf(out)
    else:
        raw = values.to_numpy(dtype=object)
        fast = _parse_plain_numbers(raw)
        if fast is not None:
            return fast, np.zeros(len(raw), dtype=np.bool_)
        parsed = pd.to_numeric(pd.Series(raw, copy=False), errors="coerce")
        out = np.array(parsed.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
        unparsed = np.flatnonzero(np.isnan(out))
        bad = np.isinf(out)
        if unparsed.size:
            missing = np.fromiter(
                (_is_missing_text(v) for v in raw[unparsed]), dtype=np.bool_, count=unparsed.size
            )
            bad[unparsed[~missing]] = True
    if bad.any():
        out[bad] = np.nan
    return out, bad


def factorized_text(texts: ObjectArray, code_of: Callable[[Hashable], int]) -> Int8Array:
    """:func:`clean`'s codes for a column of text (an object array of ``str``)."""
    import pandas as pd

    return _factorized(pd.Series(texts, dtype=object, copy=False), code_of)


def numeric_text(texts: ObjectArray) -> tuple[FloatArray, BoolArray]:
    """:func:`clean`'s numbers and bad-value mask for a column of text (``str`` objects)."""
    import pandas as pd

    return _numeric(pd.Series(texts, dtype=object, copy=False))


def clean(columns: Mapping[str, pd.Series]) -> CleanInput:
    """Convert the seven WHO Anthro columns to engine arrays and per-row notes."""
    return clean_arrays(
        sex=_factorized(columns["sex"], sex_code),
        measure=_factorized(columns["measure"], measure_code),
        oedema=_factorized(columns["oedema"], oedema_code),
        numbers={name: _numeric(columns[name]) for name in NUMERIC_COLUMNS},
    )


def clean_arrays(
    *,
    sex: Int8Array,
    measure: Int8Array,
    oedema: Int8Array,
    numbers: Mapping[str, tuple[FloatArray, BoolArray]],
) -> CleanInput:
    """Engine arrays and notes from the columns' codes and numbers (as :func:`clean` makes them).

    ``sex``, ``measure`` and ``oedema`` are the codes of :func:`sex_code`,
    :func:`measure_code` and :func:`oedema_code`; ``numbers`` maps each of
    ``NUMERIC_COLUMNS`` to its values (NaN when missing) and the mask of bad values.
    """
    age, age_bad = numbers["age_days"]
    n = sex.shape[0]

    notes = np.zeros(n, dtype=np.uint32)

    def note(flag: Note, mask: BoolArray) -> None:
        if mask.any():
            notes[mask] |= np.uint32(flag)

    note(Note.SEX_INVALID, sex <= 0)
    note(Note.AGE_INVALID, age_bad | (age < 0))
    note(Note.AGE_MISSING, np.isnan(age) & ~age_bad)
    with np.errstate(invalid="ignore"):
        months = age / DAYS_PER_MONTH
    note(Note.AGE_OVER_5, months >= MAX_MONTHS)
    for name, invalid, not_positive in (
        ("weight", Note.WEIGHT_INVALID, Note.WEIGHT_NOT_POSITIVE),
        ("lenhei", Note.LENHEI_INVALID, Note.LENHEI_NOT_POSITIVE),
        ("muac", Note.MUAC_INVALID, Note.MUAC_NOT_POSITIVE),
    ):
        values, bad = numbers[name]
        note(invalid, bad)
        note(not_positive, values <= 0)
    note(Note.MEASURE_INVALID, measure < 0)
    note(Note.OEDEMA_INVALID, oedema < 0)
    note(
        Note.STANDING_UNDER_9_MONTHS,
        (measure == Measure.STANDING) & (months < STANDING_FROM_MONTHS),
    )
    exclude = (notes & np.uint32(BAD_ROW)) != 0
    arrays = GrowthInput(
        sex=np.where(sex > 0, sex, 0).astype(np.int8),
        age_days=age,
        weight=numbers["weight"][0],
        lenhei=numbers["lenhei"][0],
        measure=np.where(measure > 0, measure, Measure.UNKNOWN).astype(np.int8),
        muac=numbers["muac"][0],
        oedema=oedema > 0,
        exclude=exclude,
    )
    return CleanInput(arrays=arrays, notes=notes)


def _numeric_one(value: object) -> tuple[float, bool]:
    """One value as :func:`_numeric` reads it: (float or NaN, not a number)."""
    import pandas as pd

    if value is None or value is pd.NA:
        return math.nan, False
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    ):
        number = float(value)
        if math.isinf(number):
            return math.nan, True
        return number, False
    # Text, booleans, decimals...: the column parser, so both paths agree on every spelling.
    out, bad = _numeric(pd.Series([value], dtype=object))
    return float(out[0]), bool(bad[0])


def clean_one(values: Mapping[str, object]) -> CleanInput:
    """:func:`clean` for one child, without building pandas columns (the visit path).

    Same codes, numbers and notes as :func:`clean` on a one-row frame of ``dtype=object``
    columns (``tests/unit/growth`` compares the two on the WHO truth files).
    """
    import pandas as pd

    def code(value: Hashable, code_of: Callable[[Hashable], int]) -> int:
        missing = (
            value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
        )
        return code_of(None if missing else value)

    sex = code(values["sex"], sex_code)
    measure = code(values["measure"], measure_code)
    oedema_value = code(values["oedema"], oedema_code)
    age, age_bad = _numeric_one(values["age_days"])
    note = Note(0)
    if sex <= 0:
        note |= Note.SEX_INVALID
    if age_bad or age < 0:
        note |= Note.AGE_INVALID
    if math.isnan(age) and not age_bad:
        note |= Note.AGE_MISSING
    months = age / DAYS_PER_MONTH
    if months >= MAX_MONTHS:
        note |= Note.AGE_OVER_5
    numbers: dict[str, float] = {}
    for name, invalid, not_positive in (
        ("weight", Note.WEIGHT_INVALID, Note.WEIGHT_NOT_POSITIVE),
        ("lenhei", Note.LENHEI_INVALID, Note.LENHEI_NOT_POSITIVE),
        ("muac", Note.MUAC_INVALID, Note.MUAC_NOT_POSITIVE),
    ):
        number, bad = _numeric_one(values[name])
        numbers[name] = number
        if bad:
            note |= invalid
        if number <= 0:
            note |= not_positive
    if measure < 0:
        note |= Note.MEASURE_INVALID
    if oedema_value < 0:
        note |= Note.OEDEMA_INVALID
    if measure == Measure.STANDING and months < STANDING_FROM_MONTHS:
        note |= Note.STANDING_UNDER_9_MONTHS
    arrays = GrowthInput(
        sex=np.array([max(sex, 0)], dtype=np.int8),
        age_days=np.array([age], dtype=np.float64),
        weight=np.array([numbers["weight"]], dtype=np.float64),
        lenhei=np.array([numbers["lenhei"]], dtype=np.float64),
        measure=np.array([measure if measure > 0 else Measure.UNKNOWN], dtype=np.int8),
        muac=np.array([numbers["muac"]], dtype=np.float64),
        oedema=np.array([oedema_value > 0], dtype=np.bool_),
        exclude=np.array([bool(note & BAD_ROW)], dtype=np.bool_),
    )
    return CleanInput(arrays=arrays, notes=np.array([int(note)], dtype=np.uint32))


def note_categories(notes: UInt32Array) -> tuple[IntpArray, list[str]]:
    """Codes (-1 = no note) and the distinct note texts, for a categorical column."""
    codes = np.full(notes.shape[0], -1, dtype=np.intp)
    rows = np.flatnonzero(notes)
    if rows.size == 0:
        return codes, []
    distinct, inverse = np.unique(notes[rows], return_inverse=True)
    codes[rows] = inverse
    return codes, [note_text(Note(int(value))) for value in distinct]
