"""A date in an error message reads in the reader's language; the API's context keeps ISO."""

from datetime import date

from alima.core.errors import RuleViolation
from alima.core.i18n import set_locale
from alima.nutrition.errors import NutritionError


def test_a_date_in_a_message_reads_in_the_readers_language() -> None:
    error = RuleViolation(NutritionError.NUT_025, on=date(2026, 11, 28))
    set_locale("fr")
    assert "28 nov. 2026" in error.message
    assert "2026-11-28" not in error.message
    set_locale("en")
    assert "Nov 28, 2026" in error.message
