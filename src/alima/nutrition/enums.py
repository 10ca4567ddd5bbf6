"""Categories of CMAM care, stored and posted as short, stable ASCII strings.

A value is what the database column holds and what a form posts, so it never changes after
release. Each member also has a ``label``: an English source string marked with ``N_`` and
translated where it is shown, so every page and export uses the same words.
"""

from __future__ import annotations

from enum import StrEnum

from alima.core.i18n import N_


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members carry a translatable English label."""

    @property
    def label(self) -> str:
        """English source label (translate it with ``gettext`` where it is shown)."""
        return _LABELS[type(self)][self]


class ProtocolKind(LabelledEnum):
    """Family of rules a protocol follows (docs/clinical-rules.md §2, §3.1, §3.3)."""

    STANDARD = "standard"
    OPTIMA = "optima"
    COMPAS = "compas"


class Oedema(LabelledEnum):
    """Grade of bilateral pitting oedema.

    Stored as ``none``/``plus1``/``plus2``/``plus3`` rather than ``+``/``++``/``+++``:
    a ``+`` in a URL-encoded form post or query string decodes to a space.
    """

    NONE = "none"
    PLUS1 = "plus1"
    PLUS2 = "plus2"
    PLUS3 = "plus3"

    @property
    def grade(self) -> int:
        """0 (none) to 3 (+++), for comparisons."""
        return _OEDEMA_GRADES[self]

    @property
    def present(self) -> bool:
        """True for any grade of bilateral pitting oedema."""
        return self is not Oedema.NONE

    @property
    def symbol(self) -> str:
        """The clinical notation: ``""``, ``"+"``, ``"++"`` or ``"+++"``."""
        return "+" * self.grade


class Severity(LabelledEnum):
    """Category of acute malnutrition (WHO 2013; docs/clinical-rules.md §1)."""

    SAM = "sam"
    MAM = "mam"


class Band(LabelledEnum):
    """Dose band of a protocol: it fixes product, dose and visit interval.

    OptiMA uses ``severe`` / ``moderate_low`` / ``moderate_high``; ComPAS and the standard
    protocol use ``severe`` / ``moderate``. ``normal`` is the classification of a measurement
    at or above every band's upper MUAC cut-off with no oedema: it is never a protocol band,
    and a child still in treatment keeps the least severe band's dose until discharge.
    """

    SEVERE = "severe"
    MODERATE = "moderate"
    MODERATE_LOW = "moderate_low"
    MODERATE_HIGH = "moderate_high"
    NORMAL = "normal"


class AdmissionCriterion(LabelledEnum):
    """Anthropometric criterion met at admission (kept for discharge: WHO 2013)."""

    MUAC = "muac"
    WHZ = "whz"
    OEDEMA = "oedema"


class Outcome(LabelledEnum):
    """How an episode ends (docs/clinical-rules.md §4; transfers reported separately)."""

    CURED = "cured"
    DIED = "died"
    DEFAULTED = "defaulted"
    NON_RESPONDER = "non_responder"
    MEDICAL_TRANSFER = "medical_transfer"
    TRANSFER_OUT = "transfer_out"


class TracingOutcome(LabelledEnum):
    """What a tracing visit found (docs/clinical-rules.md §4.2)."""

    FOUND_BACK = "found_back"
    MOVED = "moved"
    DIED = "died"
    REFUSED = "refused"


class EpisodeStatus(LabelledEnum):
    """Whether an episode still accepts visits."""

    OPEN = "open"
    CLOSED = "closed"


class ReferralDecision(LabelledEnum):
    """What a clinician decides for a child referred to inpatient care at a visit."""

    TRANSFER = "transfer"
    KEEP = "keep"


class AdmissionDecision(LabelledEnum):
    """What to do with a child assessed for admission (WHO 2013 rec 2-3)."""

    ADMIT_OUTPATIENT = "admit_outpatient"
    REFER_INPATIENT = "refer_inpatient"
    APPETITE_TEST_NEEDED = "appetite_test_needed"
    NOT_ELIGIBLE = "not_eligible"


class AdmissionReason(LabelledEnum):
    """Why an admission decision was taken; several may apply."""

    MUAC_SAM = "muac_sam"
    MUAC_MAM = "muac_mam"
    WHZ_SAM = "whz_sam"
    WHZ_MAM = "whz_mam"
    OEDEMA = "oedema"
    AGE_BELOW_MIN = "age_below_min"
    AGE_ABOVE_MAX = "age_above_max"
    NO_CRITERION = "no_criterion"
    WHZ_NOT_USED = "whz_not_used"
    SEVERITY_NOT_ADMITTED = "severity_not_admitted"
    COMPLICATIONS = "complications"
    DANGER_SIGNS = "danger_signs"
    OEDEMA_SEVERE = "oedema_severe"
    APPETITE_TEST_FAILED = "appetite_test_failed"
    APPETITE_TEST_REQUIRED = "appetite_test_required"


class AlertKind(LabelledEnum):
    """A finding at a visit that needs a clinician's attention."""

    WEIGHT_LOSS = "weight_loss"
    NO_MUAC_GAIN = "no_muac_gain"
    NEW_OEDEMA = "new_oedema"
    OEDEMA_WORSENING = "oedema_worsening"
    OEDEMA_SEVERE = "oedema_severe"
    DANGER_SIGNS = "danger_signs"
    COMPLICATIONS = "complications"
    APPETITE_TEST_FAILED = "appetite_test_failed"
    FEVER = "fever"
    HIGH_FEVER = "high_fever"
    HYPOTHERMIA = "hypothermia"


class AlertAction(LabelledEnum):
    """What an alert asks for: a clinician's review, or referral to inpatient care."""

    REVIEW = "review"
    REFER = "refer"


class IssueSeverity(LabelledEnum):
    """What a plausibility issue does to a measurement: refuse it, or hold it for confirmation."""

    REFUSE = "refuse"
    CONFIRM = "confirm"


class Product(LabelledEnum):
    """Therapeutic or supplementary food."""

    RUTF = "rutf"
    RUSF = "rusf"


class DoseMethod(LabelledEnum):
    """How a band's daily ration is computed."""

    KCAL_PER_KG = "kcal_per_kg"
    FIXED = "fixed"
    WEIGHT_TABLE = "weight_table"


class SachetRounding(LabelledEnum):
    """How a computed (``kcal_per_kg``) daily ration becomes sachets (docs/clinical-rules.md §3.4, UNCERTAIN).

    The total for a period is always rounded up to whole sachets.
    """

    CEIL_HALF_PER_DAY = "ceil_half_per_day"
    CEIL_WHOLE_PER_DAY = "ceil_whole_per_day"
    NEAREST_HALF_PER_DAY = "nearest_half_per_day"
    CEIL_PERIOD_TOTAL = "ceil_period_total"


class StepDown(LabelledEnum):
    """When a child moves to a less severe (lower-dose) band.

    Moving to a more severe band (MUAC falls, oedema appears) is always immediate
    (docs/clinical-rules.md §3.4 rule 4).
    """

    EACH_VISIT = "each_visit"
    AFTER_CONSECUTIVE = "after_consecutive"
    NEVER = "never"


class CureIndicators(LabelledEnum):
    """Which measurements decide cure: MUAC only, or the admission indicator (WHO 2013)."""

    MUAC = "muac"
    ADMISSION = "admission"


class Unit(LabelledEnum):
    """Unit of a number shown in the ration arithmetic."""

    KCAL_PER_KG_DAY = "kcal_per_kg_day"
    KG = "kg"
    KCAL_PER_DAY = "kcal_per_day"
    KCAL_PER_SACHET = "kcal_per_sachet"
    SACHETS_PER_DAY = "sachets_per_day"
    DAYS = "days"
    SACHETS = "sachets"


class StepOperation(StrEnum):
    """Operation of one line of the ration arithmetic (the UI renders its symbol)."""

    MULTIPLY = "multiply"
    DIVIDE = "divide"
    ROUND = "round"
    ROUND_UP = "round_up"
    LOOKUP = "lookup"
    FIXED = "fixed"


class AwaitedKind(StrEnum):
    """A rule that is under way and waits for more measurements (the card says what)."""

    STEP_DOWN = "step_down"
    CURE = "cure"


_OEDEMA_GRADES: dict[Oedema, int] = {
    Oedema.NONE: 0,
    Oedema.PLUS1: 1,
    Oedema.PLUS2: 2,
    Oedema.PLUS3: 3,
}

_LABELS: dict[type[LabelledEnum], dict[str, str]] = {
    TracingOutcome: {
        TracingOutcome.FOUND_BACK: N_("Found, coming back to care"),
        TracingOutcome.MOVED: N_("Moved away"),
        TracingOutcome.DIED: N_("Died"),
        TracingOutcome.REFUSED: N_("Refuses to come back"),
    },
    ProtocolKind: {
        ProtocolKind.STANDARD: N_("Standard protocol (WHO 2013 / national)"),
        ProtocolKind.OPTIMA: N_("OptiMA"),
        ProtocolKind.COMPAS: N_("ComPAS"),
    },
    Oedema: {
        Oedema.NONE: N_("No oedema"),
        Oedema.PLUS1: N_("Oedema +"),
        Oedema.PLUS2: N_("Oedema ++"),
        Oedema.PLUS3: N_("Oedema +++"),
    },
    Severity: {
        Severity.SAM: N_("Severe acute malnutrition (SAM)"),
        Severity.MAM: N_("Moderate acute malnutrition (MAM)"),
    },
    Band: {
        Band.SEVERE: N_("Severe band"),
        Band.MODERATE: N_("Moderate band"),
        Band.MODERATE_LOW: N_("Moderate band, lower MUAC"),
        Band.MODERATE_HIGH: N_("Moderate band, higher MUAC"),
        Band.NORMAL: N_("At or above the cure threshold"),
    },
    AdmissionCriterion: {
        AdmissionCriterion.MUAC: N_("MUAC"),
        AdmissionCriterion.WHZ: N_("Weight-for-height"),
        AdmissionCriterion.OEDEMA: N_("Bilateral oedema"),
    },
    Outcome: {
        Outcome.CURED: N_("Cured"),
        Outcome.DIED: N_("Died"),
        Outcome.DEFAULTED: N_("Defaulted"),
        Outcome.NON_RESPONDER: N_("Non-responder"),
        Outcome.MEDICAL_TRANSFER: N_("Transferred for medical care"),
        Outcome.TRANSFER_OUT: N_("Transferred to another site"),
    },
    EpisodeStatus: {
        EpisodeStatus.OPEN: N_("Open"),
        EpisodeStatus.CLOSED: N_("Closed"),
    },
    ReferralDecision: {
        ReferralDecision.TRANSFER: N_("Transferred to inpatient care"),
        ReferralDecision.KEEP: N_("Kept in outpatient care"),
    },
    AdmissionDecision: {
        AdmissionDecision.ADMIT_OUTPATIENT: N_("Admit to outpatient care"),
        AdmissionDecision.REFER_INPATIENT: N_("Refer to inpatient care"),
        AdmissionDecision.APPETITE_TEST_NEEDED: N_("Do the appetite test first"),
        AdmissionDecision.NOT_ELIGIBLE: N_("Not eligible under this protocol"),
    },
    AdmissionReason: {
        AdmissionReason.MUAC_SAM: N_("MUAC in the severe range"),
        AdmissionReason.MUAC_MAM: N_("MUAC in the moderate range"),
        AdmissionReason.WHZ_SAM: N_("Weight-for-height in the severe range"),
        AdmissionReason.WHZ_MAM: N_("Weight-for-height in the moderate range"),
        AdmissionReason.OEDEMA: N_("Bilateral pitting oedema"),
        AdmissionReason.AGE_BELOW_MIN: N_("Younger than the protocol's minimum age"),
        AdmissionReason.AGE_ABOVE_MAX: N_("Older than the protocol's maximum age"),
        AdmissionReason.NO_CRITERION: N_("No admission criterion is met"),
        AdmissionReason.WHZ_NOT_USED: N_(
            "Weight-for-height is low, but this protocol admits on MUAC and oedema only"
        ),
        AdmissionReason.SEVERITY_NOT_ADMITTED: N_("This protocol does not treat this category"),
        AdmissionReason.COMPLICATIONS: N_("Medical complications"),
        AdmissionReason.DANGER_SIGNS: N_("Danger signs"),
        AdmissionReason.OEDEMA_SEVERE: N_("Severe oedema (+++)"),
        AdmissionReason.APPETITE_TEST_FAILED: N_("Failed appetite test"),
        AdmissionReason.APPETITE_TEST_REQUIRED: N_("The appetite test is required"),
    },
    AlertKind: {
        AlertKind.WEIGHT_LOSS: N_("Weight loss since the last visit"),
        AlertKind.NO_MUAC_GAIN: N_("No MUAC gain over recent visits"),
        AlertKind.NEW_OEDEMA: N_("New oedema"),
        AlertKind.OEDEMA_WORSENING: N_("Oedema has worsened"),
        AlertKind.OEDEMA_SEVERE: N_("Severe oedema (+++)"),
        AlertKind.DANGER_SIGNS: N_("Danger signs"),
        AlertKind.COMPLICATIONS: N_("Medical complications"),
        AlertKind.APPETITE_TEST_FAILED: N_("Failed appetite test"),
        AlertKind.FEVER: N_("Fever"),
        AlertKind.HIGH_FEVER: N_("High fever"),
        AlertKind.HYPOTHERMIA: N_("Hypothermia"),
    },
    AlertAction: {
        AlertAction.REVIEW: N_("Review by a clinician"),
        AlertAction.REFER: N_("Refer to inpatient care"),
    },
    IssueSeverity: {
        IssueSeverity.REFUSE: N_("Refused"),
        IssueSeverity.CONFIRM: N_("To be confirmed"),
    },
    Product: {
        Product.RUTF: N_("RUTF"),
        Product.RUSF: N_("RUSF"),
    },
    DoseMethod: {
        DoseMethod.KCAL_PER_KG: N_("By weight (kcal/kg/day)"),
        DoseMethod.FIXED: N_("Fixed number of sachets"),
        DoseMethod.WEIGHT_TABLE: N_("Weight-band table"),
    },
    SachetRounding: {
        SachetRounding.CEIL_HALF_PER_DAY: N_("Round up to the next half sachet a day"),
        SachetRounding.CEIL_WHOLE_PER_DAY: N_("Round up to the next whole sachet a day"),
        SachetRounding.NEAREST_HALF_PER_DAY: N_("Round to the nearest half sachet a day"),
        SachetRounding.CEIL_PERIOD_TOTAL: N_("Round up only the total for the period"),
    },
    StepDown: {
        StepDown.EACH_VISIT: N_("Recomputed at every visit"),
        StepDown.AFTER_CONSECUTIVE: N_("Lowered after consecutive visits in a lower band"),
        StepDown.NEVER: N_("Never lowered before discharge"),
    },
    CureIndicators: {
        CureIndicators.MUAC: N_("MUAC"),
        CureIndicators.ADMISSION: N_("The admission indicator"),
    },
    Unit: {
        Unit.KCAL_PER_KG_DAY: N_("kcal/kg/day"),
        Unit.KG: N_("kg"),
        Unit.KCAL_PER_DAY: N_("kcal/day"),
        Unit.KCAL_PER_SACHET: N_("kcal/sachet"),
        Unit.SACHETS_PER_DAY: N_("sachets/day"),
        Unit.DAYS: N_("days"),
        Unit.SACHETS: N_("sachets"),
    },
}

#: Every labelled enum, for completeness checks (tests) and admin pages.
LABELLED_ENUMS: tuple[type[LabelledEnum], ...] = (
    ProtocolKind,
    Oedema,
    Severity,
    Band,
    AdmissionCriterion,
    Outcome,
    TracingOutcome,
    EpisodeStatus,
    ReferralDecision,
    AdmissionDecision,
    AdmissionReason,
    AlertKind,
    AlertAction,
    IssueSeverity,
    Product,
    DoseMethod,
    SachetRounding,
    StepDown,
    CureIndicators,
    Unit,
)

#: The titles of the packaged protocols (the ``title`` of each file of
#: ``alima/nutrition/protocols/``), marked for translation: a page shows a protocol's title in
#: its reader's language. A new or retitled file adds its title here
#: (tests/unit/nutrition/test_protocol_titles.py fails otherwise).
PROTOCOL_TITLES: tuple[str, ...] = (
    N_("ComPAS combined protocol (MUAC < 125 mm and/or oedema, RUTF 2 or 1 sachets a day)"),
    N_("OptiMA simplified protocol (MUAC < 125 mm and/or oedema, RUTF 170/125/75 kcal/kg/day)"),
    N_("Standard CMAM (WHO 2013 / national PCIMA): SAM on RUTF by weight, MAM on RUSF"),
)
