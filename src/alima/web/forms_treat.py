"""Form helpers of the community, care and impact pages: parse, keep values, show errors.

A form posts plain strings; they are kept as typed (so a refused form comes back filled in),
the non-empty ones are validated by the API's ``*Create`` schema, and every refusal is shown
next to its field in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from alima.api.errors import field_errors
from alima.core.errors import AlimaError
from alima.web.contexts_treat import Option
from alima.web.templating import label

T = TypeVar("T", bound=BaseModel)

#: Longest value kept from a posted field (what is re-shown; validation refuses longer).
MAX_KEPT = 4000
CHECKED = "yes"


def values_of(form: BaseModel) -> dict[str, str]:
    """The posted fields as strings (trimmed to a sane length)."""
    return {name: str(value)[:MAX_KEPT] for name, value in form.model_dump().items()}


def checked(values: dict[str, str], name: str) -> bool:
    """Whether a checkbox was ticked."""
    return values.get(name) == CHECKED


def filled(values: dict[str, str], names: Iterable[str]) -> dict[str, object]:
    """The non-empty text fields among ``names``."""
    return {n: values[n].strip() for n in names if values.get(n, "").strip()}


def parse(schema: type[T], payload: dict[str, object]) -> tuple[T | None, dict[str, str]]:
    """Validate ``payload`` with ``schema``: the model, or the error of each field."""
    try:
        return schema.model_validate(payload), {}
    except ValidationError as exc:
        return None, field_errors(list(exc.errors()))


def rule_errors(exc: AlimaError) -> dict[str, str]:
    """A refused rule as a field error (``field`` in the error's context, else the form)."""
    field = exc.context.get("field")
    return {str(field) if field else "__all__": exc.message}


def enum_options(members: Iterable[StrEnum]) -> list[Option]:
    """Options with the translated label of each stored code."""
    return [Option(value=m.value, text=label(m.value)) for m in members]
