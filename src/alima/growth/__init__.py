"""WHO 2006 Child Growth Standards: z-scores for children under 5, and MUAC colour bands.

Scope: the five anthropometric indicators used in nutrition programmes, computed exactly as
WHO's R package ``anthro`` computes them (rules: docs/clinical-rules.md §5), vectorised with
numpy so that a country's records recompute in seconds; the MUAC tape colour from configured
cut-offs (docs/clinical-rules.md §6). Pure computation: no database, no HTTP.

* :func:`zscores` - a pandas DataFrame with WHO Anthro columns in, the same rows plus
  ``clenhei, cbmi, zlen, zwei, zwfl, zbmi, zac, flen, fwei, fwfl, fbmi, fac`` and
  ``zscore_note`` out.
* :func:`child_zscores` - the same for one child.
* :func:`muac_band` with :class:`MuacCutoffs` - red / yellow / green from MUAC in mm.
* :mod:`alima.growth.csvio` - chunked CSV conversion (``alima growth zscores``).

Glossary:

* **z-score** - distance of a measure from the WHO median of children of the same sex and
  age (or length/height), in standard deviations of the reference population.
* **LMS** - WHO's tables: Box-Cox power ``L``, median ``M``, coefficient of variation ``S``;
  ``z = ((y/M)^L - 1) / (L*S)``.
* **zlen** - length/height-for-age (stunting below -2); **zwei** - weight-for-age
  (underweight); **zwfl** - weight-for-length/height (wasting); **zbmi** - BMI-for-age;
  **zac** - MUAC-for-age (from 3 months).
* **flen ... fac** - WHO flags: 1 when the z-score is biologically implausible
  (|zlen| > 6; zwei < -6 or > 5; |zwfl|, |zbmi|, |zac| > 5).
* **clenhei** - length/height after WHO's 0.7 cm correction for the measuring position
  (lying below 24 months, standing from 24 months); **cbmi** - BMI from ``clenhei``.
* **measure** - ``l`` recumbent length (lying), ``h`` standing height.
* **oedema** - bilateral pitting oedema; weight-based z-scores are not computed (the child
  counts as severely malnourished).
* **MUAC** - mid-upper arm circumference: in cm for ``zac`` (as WHO Anthro), in whole mm for
  the tape colour. **SAM / MAM** - severe / moderate acute malnutrition.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alima.growth.frame import ChildZScores, MissingColumns, child_zscores, zscores
    from alima.growth.muac import MuacBand, MuacCutoffs, muac_band

#: Where each public name lives; imported on first use, so that ``alima growth zscores``
#: on a plain file loads neither pandas (frame) nor pydantic (muac).
_EXPORTS = {
    "ChildZScores": "alima.growth.frame",
    "MissingColumns": "alima.growth.frame",
    "child_zscores": "alima.growth.frame",
    "zscores": "alima.growth.frame",
    "MuacBand": "alima.growth.muac",
    "MuacCutoffs": "alima.growth.muac",
    "muac_band": "alima.growth.muac",
}

__all__ = [
    "ChildZScores",
    "MissingColumns",
    "MuacBand",
    "MuacCutoffs",
    "child_zscores",
    "muac_band",
    "zscores",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
