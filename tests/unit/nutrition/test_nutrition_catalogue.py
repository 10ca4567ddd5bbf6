"""Stored values, labels and error messages: stable, complete and translatable."""

from __future__ import annotations

import re
import string

import pytest

from alima.nutrition.enums import LABELLED_ENUMS, LabelledEnum, Oedema
from alima.nutrition.errors import NutritionError

STORABLE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@pytest.mark.parametrize("enum", LABELLED_ENUMS, ids=[e.__name__ for e in LABELLED_ENUMS])
def test_every_member_is_storable_and_labelled(enum: type[LabelledEnum]) -> None:
    for member in enum:
        assert STORABLE.match(member.value), member
        assert member.label.strip(), member


@pytest.mark.parametrize(
    ("oedema", "grade", "present", "symbol"),
    [
        (Oedema.NONE, 0, False, ""),
        (Oedema.PLUS1, 1, True, "+"),
        (Oedema.PLUS2, 2, True, "++"),
        (Oedema.PLUS3, 3, True, "+++"),
    ],
    ids=["none", "+", "++", "+++"],
)
def test_oedema_grades(oedema: Oedema, grade: int, present: bool, symbol: str) -> None:
    assert (oedema.grade, oedema.present, oedema.symbol) == (grade, present, symbol)
    assert Oedema(oedema.value) is oedema


def test_error_codes_are_numbered_in_order() -> None:
    assert [code.name for code in NutritionError] == [
        f"NUT_{n:03d}" for n in range(1, len(NutritionError) + 1)
    ]


@pytest.mark.parametrize("code", list(NutritionError), ids=[c.name for c in NutritionError])
def test_messages_use_named_placeholders(code: NutritionError) -> None:
    fields = [
        name for _, name, _, _ in string.Formatter().parse(code.detail.message) if name is not None
    ]
    assert all(name.isidentifier() for name in fields), fields
    assert code.detail.title and code.detail.message.endswith((".", "}"))
