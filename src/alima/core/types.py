"""Shared constrained types for schemas.

Free text is checked for what would break storage rather than for "dangerous" characters:
templates escape everything, and SQL is always parameterised, so ``<script>`` is just a name.
NUL bytes and unpaired surrogates are refused because PostgreSQL cannot store them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

#: No record or filter date lies after this: far enough for any plan, near enough that adding
#: a year or a period to it never overflows Python's ``date`` (year 9999).
LATEST_DATE = date(2199, 12, 31)


def is_storable(value: str) -> bool:
    """Whether a database can store ``value``: no NUL byte, no unpaired surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(value: str) -> str:
    if "\x00" in value:
        msg = "contains a NUL character"
        raise ValueError(msg)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = "contains characters that cannot be stored"
        raise ValueError(msg) from exc
    return value


def _single_line(value: str) -> str:
    if any(c in value for c in "\r\n\t\x0b\x0c"):
        msg = "must be on one line"
        raise ValueError(msg)
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_storable),
    AfterValidator(_single_line),
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=200),
    AfterValidator(_storable),
    AfterValidator(_single_line),
]
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=4000),
    AfterValidator(_storable),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^\+?[0-9 ().-]{0,39}$"),
]
PlaceCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.-]+$"
    ),
]
