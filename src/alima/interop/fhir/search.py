"""FHIR search parameters: which ones each resource takes, and their parsing (pure).

Supported: ``_id``, ``_lastUpdated``, ``_count`` everywhere; ``patient``, ``date`` and ``code``
where the resource has them (see :data:`SEARCH_PARAMS`). Dates take the prefixes ``eq``,
``gt``, ``lt``, ``ge`` and ``le`` at any precision (year, month, day, instant); tokens take
``code``, ``system|code`` and ``|code``; commas mean "or", a repeated parameter "and".
An unknown parameter or a bad value is refused (400), so a client never receives more than it
asked for believing the filter applied.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar

from alima.core.errors import BadRequest
from alima.interop.fhir.errors import FhirError

PATIENT_LEVEL = (
    "Patient",
    "EpisodeOfCare",
    "Condition",
    "Encounter",
    "Observation",
    "MedicationDispense",
)
RESOURCE_TYPES = (*PATIENT_LEVEL, "Location", "Organization")

_COMMON = {"_id": "token", "_lastUpdated": "date"}
#: The search parameters of each resource type, with their FHIR types.
SEARCH_PARAMS: dict[str, dict[str, str]] = {
    "Patient": {**_COMMON, "identifier": "token"},
    "EpisodeOfCare": {**_COMMON, "patient": "reference", "date": "date"},
    "Condition": {**_COMMON, "patient": "reference", "code": "token"},
    "Encounter": {**_COMMON, "patient": "reference", "date": "date"},
    "Observation": {**_COMMON, "patient": "reference", "date": "date", "code": "token"},
    "MedicationDispense": {**_COMMON, "patient": "reference"},
    "Location": {**_COMMON, "identifier": "token"},
    "Organization": {**_COMMON, "identifier": "token"},
}
#: Result parameters, and parameters every FHIR server accepts and this one ignores.
PAGING = ("_count", "_offset")
IGNORED = ("_format", "_pretty", "_total", "_totalMethod")

DEFAULT_COUNT = 50
MAX_COUNT = 500
MAX_OFFSET = 10**9

V = TypeVar("V")

Prefix = Literal["eq", "gt", "lt", "ge", "le"]
_PREFIXES = ("eq", "gt", "lt", "ge", "le")
_DATE = re.compile(
    r"^(?P<y>\d{4})(-(?P<m>\d{2})(-(?P<d>\d{2})(T(?P<time>\d{2}:\d{2}(:\d{2}(\.\d+)?)?)"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@dataclass(frozen=True)
class DateFilter:
    """``column <prefix> value``: the value is the range ``[low, high)`` of its precision."""

    prefix: Prefix
    low: datetime
    high: datetime

    @property
    def low_day(self) -> date:
        """The first day of the range."""
        return self.low.date()

    @property
    def high_day(self) -> date:
        """The first day after the range."""
        day = self.high.date()
        return day if self.high.time() == datetime.min.time() else day + timedelta(days=1)


@dataclass(frozen=True)
class Token:
    """A token: a code, in a system if one was given (``None``: any system)."""

    system: str | None
    code: str


@dataclass(frozen=True)
class Search:
    """A parsed search: every filter given, and the page asked for."""

    ids: tuple[str, ...] | None = None
    patients: tuple[uuid.UUID, ...] | None = None
    dates: tuple[DateFilter, ...] = ()
    last_updated: tuple[DateFilter, ...] = ()
    codes: tuple[Token, ...] | None = None
    identifiers: tuple[Token, ...] | None = None
    count: int = DEFAULT_COUNT
    offset: int = 0


def _bad(parameter: str, value: str) -> BadRequest:
    return BadRequest(FhirError.FHIR_002, parameter=parameter, value=value[:100])


def _month_after(year: int, month: int) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


def parse_date(parameter: str, raw: str) -> DateFilter:
    """``[prefix]value`` of a date parameter (``ge2024-06``, ``2024-06-12``, an instant)."""
    prefix: Prefix = "eq"
    text = raw
    if text[:2] in _PREFIXES:
        prefix, text = text[:2], text[2:]  # type: ignore[assignment]
    found = _DATE.match(text)
    if found is None:
        raise _bad(parameter, raw)
    try:
        year = int(found["y"])
        if found["m"] is None:
            return DateFilter(
                prefix, datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
            )
        month = int(found["m"])
        if found["d"] is None:
            start = datetime(year, month, 1, tzinfo=UTC)
            return DateFilter(prefix, start, _month_after(year, month))
        day = datetime(year, month, int(found["d"]), tzinfo=UTC)
        if found["time"] is None:
            return DateFilter(prefix, day, day + timedelta(days=1))
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _bad(parameter, raw) from exc
    instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    precision = timedelta(seconds=1) if found["time"].count(":") == 2 else timedelta(minutes=1)  # noqa: PLR2004
    return DateFilter(prefix, instant, instant + precision)


def parse_token(parameter: str, raw: str) -> Token:
    """``code``, ``system|code`` or ``|code``."""
    system, bar, code = raw.rpartition("|")
    if not code:
        raise _bad(parameter, raw)
    return Token(system if bar else None, code)


def parse_reference(parameter: str, raw: str, resource: str = "Patient") -> uuid.UUID:
    """``Patient/<id>`` or ``<id>``."""
    text = raw.removeprefix(f"{resource}/")
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise _bad(parameter, raw) from exc


def _int(parameter: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise _bad(parameter, raw) from exc
    if not low <= value <= high:
        raise _bad(parameter, raw)
    return value


def _both(current: tuple[V, ...] | None, new: tuple[V, ...]) -> tuple[V, ...]:
    """A repeated token or reference parameter: both must hold (the values in both lists)."""
    return new if current is None else tuple(v for v in current if v in new)


def parse_search(resource: str, items: list[tuple[str, str]]) -> Search:
    """The search ``items`` (query parameters, in order) ask of ``resource``."""
    allowed = SEARCH_PARAMS[resource]
    found = Search()
    for name, raw in items:
        if name in IGNORED:
            continue
        if name not in allowed and name not in PAGING:
            raise BadRequest(FhirError.FHIR_001, parameter=name[:60], resource=resource)
        parts = tuple(p.strip() for p in raw.split(","))
        if not raw.strip() or not all(parts):
            raise _bad(name, raw)
        match name:
            case "_count":
                found = replace(found, count=_int(name, raw, 0, MAX_COUNT))
            case "_offset":
                found = replace(found, offset=_int(name, raw, 0, MAX_OFFSET))
            case "date":
                found = replace(found, dates=(*found.dates, parse_date(name, raw)))
            case "_lastUpdated":
                found = replace(found, last_updated=(*found.last_updated, parse_date(name, raw)))
            case "patient":
                patients = tuple(parse_reference(name, p) for p in parts)
                found = replace(found, patients=_both(found.patients, patients))
            case "_id":
                found = replace(found, ids=_both(found.ids, parts))
            case "code":
                codes = tuple(parse_token(name, p) for p in parts)
                found = replace(found, codes=_both(found.codes, codes))
            case _:
                tokens = tuple(parse_token(name, p) for p in parts)
                found = replace(found, identifiers=_both(found.identifiers, tokens))
    return found


def parse_id(raw: str) -> tuple[uuid.UUID, str | None] | None:
    """A resource id as alima makes them: a UUID, followed for an observation by ``-<key>``."""
    base, key = (raw[:36], raw[37:]) if len(raw) > 36 and raw[36] == "-" else (raw, None)  # noqa: PLR2004
    try:
        return uuid.UUID(base), key
    except ValueError:
        return None


def token_matches(tokens: tuple[Token, ...], codings: tuple[dict[str, str], ...]) -> bool:
    """Whether one of ``tokens`` names one of ``codings``."""
    return any(
        t.code == c["code"] and (t.system is None or t.system == c.get("system", ""))
        for t in tokens
        for c in codings
    )
