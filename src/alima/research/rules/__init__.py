"""Pure research rules: eligibility over admission data, allocation sequences."""

from alima.research.rules.eligibility import Admission, Criteria, Result, evaluate
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
    "Entry",
    "Result",
    "Stream",
    "block_sizes",
    "evaluate",
    "factor_levels",
    "fingerprint",
    "generate",
    "muac_level",
    "stratum_blocks",
    "stratum_of",
]
