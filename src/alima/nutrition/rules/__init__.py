"""Pure CMAM rules: classification, admission, plausibility, dosing, alerts, exits.

No database, no HTTP (an import-linter contract enforces it): every function takes plain facts
and a ``ProtocolDefinition`` and returns frozen values, so services, imports, reports and tests
all apply the same rules. Each function's docstring cites its row of docs/clinical-rules.md; every
threshold comes from the protocol data, none is a constant here.

Modules: ``facts`` (inputs), ``admission`` (classify, admit), ``plausibility`` (refuse or
confirm a measurement), ``dosing`` (band, ration, visit interval), ``follow_up`` (alerts,
default), ``exit`` (cure, non-response, transfer, relapse), ``visit`` (all of it at a visit).
"""

from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition.rules.admission import (
    AdmissionAssessment,
    Classification,
    age_in_months,
    assess_admission,
    classify,
    eligible_age,
)
from alima.nutrition.rules.dosing import (
    Quantity,
    Ration,
    RationStep,
    dose_band,
    next_visit_on,
    ration,
    round_sachets,
    step_down_awaited,
    treatment_band,
    visit_interval_days,
)
from alima.nutrition.rules.exit import (
    ExitAssessment,
    cure_evidence,
    cure_indicators,
    exit_assessment,
    is_relapse,
    meets_cure,
)
from alima.nutrition.rules.facts import AdmissionFacts, Measurement, VisitFacts, timeline
from alima.nutrition.rules.follow_up import Alert, alerts, detect_default, missed_visits
from alima.nutrition.rules.plausibility import (
    WHO_FLAGS,
    PlausibilityIssue,
    plausibility,
    require_plausible,
)
from alima.nutrition.rules.visit import (
    Awaited,
    VisitAssessment,
    assess_visit,
    awaited_in_episode,
    band_history,
)

__all__ = [
    "DAYS_PER_MONTH",
    "WHO_FLAGS",
    "AdmissionAssessment",
    "AdmissionFacts",
    "Alert",
    "Awaited",
    "Classification",
    "ExitAssessment",
    "Measurement",
    "PlausibilityIssue",
    "Quantity",
    "Ration",
    "RationStep",
    "VisitAssessment",
    "VisitFacts",
    "age_in_months",
    "alerts",
    "assess_admission",
    "assess_visit",
    "awaited_in_episode",
    "band_history",
    "classify",
    "cure_evidence",
    "cure_indicators",
    "detect_default",
    "dose_band",
    "eligible_age",
    "exit_assessment",
    "is_relapse",
    "meets_cure",
    "missed_visits",
    "next_visit_on",
    "plausibility",
    "ration",
    "require_plausible",
    "round_sachets",
    "step_down_awaited",
    "timeline",
    "treatment_band",
    "visit_interval_days",
]
