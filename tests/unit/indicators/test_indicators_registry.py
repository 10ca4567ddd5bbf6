"""The indicator registry: stable, well-formed codes, every indicator defined and translatable."""

from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy.orm import Session

from alima.indicators import registry
from alima.indicators.registry import Indicator, load_indicators, register


def _zero(session: Session, *, paths: Sequence[str], start: date, end: date) -> int:
    return 0


def _none(session: Session, *, paths: Sequence[str], start: date, end: date) -> dict[date, int]:
    return {}


def test_treat_indicators_are_registered_with_stable_codes() -> None:
    codes = [i.code for i in load_indicators()]
    assert {
        "TREAT-MOTHERS-TRAINED",
        "TREAT-CONSULTATIONS",
        "TREAT-DELIVERIES",
        "TREAT-EMERGENCY-SURGERIES",
        "TREAT-DISPLACED-REACHED",
        "TREAT-DISPLACEMENT-SITES",
        "TREAT-MOBILE-CLINICS",
    } <= set(codes)
    assert len(codes) == len(set(codes))
    assert all(registry.CODE_PATTERN.match(c) for c in codes)


def test_every_indicator_is_defined() -> None:
    for indicator in load_indicators():
        assert indicator.label.strip(), indicator.code
        assert len(indicator.definition) > 20, indicator.code
        assert indicator.definition.endswith("."), indicator.code


def test_loading_twice_registers_nothing_new() -> None:
    assert load_indicators() == load_indicators()


@pytest.mark.parametrize("code", ["consultations", "TREAT", "TREAT_X", "-TREAT-X", "TREAT-x"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match="DOMAIN-WHAT"):
        register(Indicator(code, "l", "d", "test", _zero, _none))


def test_a_taken_code_is_refused() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(Indicator("TREAT-CONSULTATIONS", "other", "other", "test", _zero, _none))
