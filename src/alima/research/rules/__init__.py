"""Pure research rules: eligibility, allocation sequences, follow-up windows and SAE delays."""

from alima.research.rules.eligibility import Admission, Criteria, Result, evaluate
from alima.research.rules.followup import (
    Dates,
    Status,
    Window,
    closest,
    dates_of,
    event_status,
    report_due,
    report_status,
)
from alima.research.rules.randomisation import (
    DEFAULT_MULTIPLIERS,
    MIN_ARMS,
    Entry,
    Stream,
    block_sizes,
    factor_levels,
    fingerprint,
    generate,
    muac_level,
    stratum_blocks,
    stratum_of,
)

__all__ = [
    "DEFAULT_MULTIPLIERS",
    "MIN_ARMS",
    "Admission",
    "Criteria",
    "Dates",
    "Entry",
    "Result",
    "Status",
    "Stream",
    "Window",
    "block_sizes",
    "closest",
    "dates_of",
    "evaluate",
    "event_status",
    "factor_levels",
    "fingerprint",
    "generate",
    "muac_level",
    "report_due",
    "report_status",
    "stratum_blocks",
    "stratum_of",
]
