"""Error catalogue of the growth domain (messages are English source strings, translated)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class GrowthError(ErrorCode):
    """Errors raised by :mod:`alima.growth`."""

    GRO_001 = Detail(
        "missing columns",
        N_("Missing column(s): {columns}. The input needs the WHO Anthro columns {expected}."),
    )
    GRO_002 = Detail("output is input", N_("The output file must not be the input file: {path}."))
