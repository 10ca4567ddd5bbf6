"""Error catalogue of indicators (``IND_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class IndicatorError(ErrorCode):
    """Errors of the impact page and context figures."""

    IND_001 = Detail("unknown country", N_("No country has the code {code}."))
    IND_002 = Detail("year out of range", N_("Choose a year between {first} and {last}."))
