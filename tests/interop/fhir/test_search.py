"""FHIR search parameters: prefixes, precisions, tokens, refusals (pure)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alima.core.errors import BadRequest
from alima.interop.fhir.search import Token, parse_date, parse_id, parse_search, parse_token
from tests.security.hostile import SAMPLES


@pytest.mark.parametrize(
    ("raw", "prefix", "low", "high"),
    [
        ("2024", "eq", date(2024, 1, 1), date(2025, 1, 1)),
        ("ge2024-12", "ge", date(2024, 12, 1), date(2025, 1, 1)),
        ("le2024-02-29", "le", date(2024, 2, 29), date(2024, 3, 1)),
        ("lt2024-06-12T10:00:00Z", "lt", date(2024, 6, 12), date(2024, 6, 13)),
    ],
)
def test_dates(raw: str, prefix: str, low: date, high: date) -> None:
    parsed = parse_date("date", raw)
    assert (parsed.prefix, parsed.low_day, parsed.high_day) == (prefix, low, high)


def test_instant_keeps_its_zone() -> None:
    parsed = parse_date("_lastUpdated", "gt2024-06-12T10:00:00+02:00")
    assert parsed.low == datetime(2024, 6, 12, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["2024-02-30", "sa2024", "24", "2024-06-12T25:00", "", "ge"])
def test_bad_dates(raw: str) -> None:
    with pytest.raises(BadRequest):
        parse_date("date", raw)


def test_tokens() -> None:
    assert parse_token("code", "http://loinc.org|29463-7") == Token("http://loinc.org", "29463-7")
    assert parse_token("code", "29463-7") == Token(None, "29463-7")
    assert parse_token("code", "|x") == Token("", "x")
    with pytest.raises(BadRequest):
        parse_token("code", "http://loinc.org|")


def test_search_parameters() -> None:
    child = uuid.uuid4()
    found = parse_search(
        "Observation",
        [("patient", f"Patient/{child}"), ("code", "a,b"), ("code", "b"), ("_count", "10")],
    )
    assert found.patients == (child,)
    assert found.codes == (Token(None, "b"),)
    assert found.count == 10
    with pytest.raises(BadRequest):
        parse_search("Patient", [("date", "2024")])  # Patient has no date parameter here
    with pytest.raises(BadRequest):
        parse_search("Observation", [("code", "a,,b")])


def test_ids() -> None:
    visit = uuid.uuid4()
    assert parse_id(f"{visit}-muac") == (visit, "muac")
    assert parse_id(str(visit)) == (visit, None)
    assert parse_id("nope") is None


_NAMES = st.sampled_from(
    ["_id", "_lastUpdated", "patient", "date", "code", "identifier", "_count", "_offset", "x"]
)
_VALUES = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=40),
    st.sampled_from(["ge2024", "le2024-06-12T10:00:00Z", "http://loinc.org|29463-7", "0", ","]),
)


@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=6))
def test_any_query_is_parsed_or_refused(items: list[tuple[str, str]]) -> None:
    # Parsed, or refused with a clear 400 (BadRequest): never another exception.
    with contextlib.suppress(BadRequest):
        parse_search("Observation", items)
