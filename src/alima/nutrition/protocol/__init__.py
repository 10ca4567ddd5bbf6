"""CMAM protocols as versioned, validated, immutable data.

Why data and not code: ALIMA runs several protocols at once (standard, OptiMA, ComPAS), national
protocols override international ones, and several values are still UNCERTAIN
(docs/clinical-rules.md, design rule and §10). So every cut-off, dose, interval and exit rule lives in a
TOML file of ``alima/nutrition/protocols/``; a country may override any of it (stored as JSON
in the database and applied with :func:`apply_overrides`); and each admission records the
``code``, ``version`` and :meth:`ProtocolDefinition.fingerprint` that governed it.

Validation refuses inconsistent data (bands out of order, a band straddling the SAM cut-off,
doses that rise as MUAC rises, negative or zero doses, unknown keys, a weight-band table that
leaves its kcal/kg/day range), so a bad override is refused when it is saved, not when a child
is dosed. Each packaged version's fingerprint is pinned (:data:`PINNED_FINGERPRINTS`): a file
edited in place under an old version is refused at load.

The package is split by use case: :mod:`~alima.nutrition.protocol.definition` (the settings as
validated models), :mod:`~alima.nutrition.protocol.loading` (parsing, pinned fingerprints, the
packaged registry) and :mod:`~alima.nutrition.protocol.overrides` (a country's overrides).
"""

from alima.nutrition.protocol.definition import (
    AdmissionRules,
    AlertRules,
    AmoxicillinRegimen,
    BandRule,
    CaseDefinition,
    CureRule,
    Dose,
    DosingRules,
    Eligibility,
    ExitRules,
    FixedDose,
    KcalPerKgDose,
    PlausibilityLimits,
    Products,
    ProductSpec,
    ProtocolDefinition,
    WeightRow,
    WeightTableDose,
)
from alima.nutrition.protocol.loading import (
    PINNED_FINGERPRINTS,
    PROTOCOL_DIRECTORY,
    PROTOCOL_PACKAGE,
    WITHDRAWN_VERSIONS,
    ProtocolIntegrityError,
    available_protocols,
    load_packaged,
    load_protocol,
    parse_protocol,
)
from alima.nutrition.protocol.overrides import IDENTITY_FIELDS, apply_overrides

__all__ = [
    "IDENTITY_FIELDS",
    "PINNED_FINGERPRINTS",
    "PROTOCOL_DIRECTORY",
    "PROTOCOL_PACKAGE",
    "WITHDRAWN_VERSIONS",
    "AdmissionRules",
    "AlertRules",
    "AmoxicillinRegimen",
    "BandRule",
    "CaseDefinition",
    "CureRule",
    "Dose",
    "DosingRules",
    "Eligibility",
    "ExitRules",
    "FixedDose",
    "KcalPerKgDose",
    "PlausibilityLimits",
    "ProductSpec",
    "Products",
    "ProtocolDefinition",
    "ProtocolIntegrityError",
    "WeightRow",
    "WeightTableDose",
    "apply_overrides",
    "available_protocols",
    "load_packaged",
    "load_protocol",
    "parse_protocol",
]
