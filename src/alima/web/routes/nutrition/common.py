"""What the CMAM forms share: the measurement form and how a refused rule shows on it."""

from typing import TypeVar

from pydantic import BaseModel

from alima.core.errors import AlimaError
from alima.nutrition.enums import Oedema
from alima.nutrition.errors import NutritionError
from alima.web import nutrition_format as fmt
from alima.web.forms import Posted, WebForm, is_refusal

S = TypeVar("S", bound=BaseModel)

#: A posted value is shown again up to this length.
SHOWN = 200


def oedema_choices() -> list[tuple[str, str]]:
    """The oedema grades with their labels."""
    return [(o.value, fmt.oedema_label(o.value)) for o in Oedema]


def rule_errors(exc: AlimaError) -> dict[str, str]:
    """A refused rule under its field; unusual measurements under each one, and above."""
    errors = {str(exc.context.get("field", "__all__")): exc.message}
    fields = exc.context.get("fields")
    if exc.code is NutritionError.NUT_016 and isinstance(fields, list):
        errors = {str(f): exc.message for f in fields}
        errors["__all__"] = exc.message
    return errors


def needs_confirmation(posted: Posted) -> bool:
    """Whether the nurse is asked to confirm unusual measurements."""
    return posted.refusal is not None and posted.refusal.code is NutritionError.NUT_016


def measurement_form(schema: type[S], *, given: tuple[str, ...] = ()) -> WebForm[S]:
    """A form with the measurement fields (decimal commas welcome, oedema none by default)."""
    return WebForm(
        schema,
        given=given,
        omit=("place_code",),
        defaults={"oedema": Oedema.NONE.value},
        kept=SHOWN,
        decimal_comma=True,
        refused=rule_errors,
        error_page=is_refusal,
    )
