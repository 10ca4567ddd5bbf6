"""Error catalogue of the nutrition domain (``NUT_001`` ...).

Codes never change meaning after release; messages are English source strings marked with
``N_`` and formatted with the named context the raiser passes (``RuleViolation(code, **ctx)``).
NUT_006-NUT_016 are also the codes of ``rules.PlausibilityIssue``, so a refused or unconfirmed
measurement reads the same on a page, in the API and in an import report.
"""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class NutritionError(ErrorCode):
    """Errors of CMAM admission, visits, dosing, exits and protocol settings."""

    NUT_001 = Detail(
        "duplicate open admission",
        N_(
            "This child already has an open nutrition episode (admitted on {admitted_on}). "
            "Record a visit in that episode instead."
        ),
    )
    NUT_002 = Detail(
        "age out of range",
        N_(
            "The child is {age_months} months old; this protocol treats children aged "
            "{min_months} to {max_months} months."
        ),
    )
    NUT_003 = Detail(
        "not eligible", N_("This child does not meet the admission criteria of this protocol.")
    )
    NUT_004 = Detail("MUAC required", N_("The MUAC is required to assess this child."))
    NUT_005 = Detail(
        "weight required", N_("The weight is required to compute the ration under this protocol.")
    )
    NUT_006 = Detail(
        "MUAC impossible",
        N_("A MUAC of {muac_mm} mm is not possible. Please measure the arm again."),
    )
    NUT_007 = Detail(
        "weight impossible",
        N_("A weight of {weight_kg} kg is not possible. Please weigh the child again."),
    )
    NUT_008 = Detail(
        "height impossible",
        N_("A height of {height_cm} cm is not possible. Please measure the child again."),
    )
    NUT_009 = Detail(
        "measured before birth",
        N_("The measurement date is before the date of birth. Please check both dates."),
    )
    NUT_010 = Detail(
        "MUAC unusual",
        N_(
            "A MUAC of {muac_mm} mm is unusual (usual range {low_mm} to {high_mm} mm). "
            "Please check it, then confirm."
        ),
    )
    NUT_011 = Detail(
        "weight-for-age flag",
        N_(
            "A weight of {weight_kg} kg is very unusual for the child's age. "
            "Please check the weight and the date of birth, then confirm."
        ),
    )
    NUT_012 = Detail(
        "weight-for-height flag",
        N_(
            "A weight of {weight_kg} kg is very unusual for a height of {height_cm} cm. "
            "Please check both measurements, then confirm."
        ),
    )
    NUT_013 = Detail(
        "height-for-age flag",
        N_(
            "A height of {height_cm} cm is very unusual for the child's age. "
            "Please check the height and the date of birth, then confirm."
        ),
    )
    NUT_014 = Detail(
        "MUAC-for-age flag",
        N_(
            "A MUAC of {muac_mm} mm is very unusual for the child's age. "
            "Please check it, then confirm."
        ),
    )
    NUT_015 = Detail(
        "WHO flag",
        N_("WHO flags this measurement as implausible ({flag}). Please check it, then confirm."),
    )
    NUT_016 = Detail(
        "needs confirmation",
        N_("Some measurements are unusual. Check them, then confirm them to save the visit."),
    )
    NUT_017 = Detail("unknown protocol", N_("No protocol {code} (version {version}) is available."))
    NUT_018 = Detail(
        "invalid protocol settings", N_("These protocol settings are not valid: {errors}")
    )
    NUT_019 = Detail(
        "weight outside dose table",
        N_(
            "No ration is defined for a weight of {weight_kg} kg: "
            "the protocol's table starts at {min_kg} kg."
        ),
    )
    NUT_020 = Detail(
        "episode closed",
        N_(
            "This episode was closed on {closed_on} ({outcome}). "
            "Admit the child again to start a new episode."
        ),
    )
    NUT_021 = Detail(
        "visit out of order",
        N_(
            "The visit of {visit_on} is before the admission or the previous visit "
            "({previous_on}). Please check the date."
        ),
    )
    NUT_022 = Detail(
        "band not in protocol",
        N_("The band {band} does not exist in protocol {code} version {version}."),
    )
    NUT_023 = Detail(
        "refer to inpatient care",
        N_(
            "This child must be referred to inpatient care ({reasons}); outpatient admission "
            "is not possible."
        ),
    )
    NUT_024 = Detail(
        "appetite test needed",
        N_("Do the appetite test and record its result before admitting this child."),
    )
    NUT_025 = Detail("date in the future", N_("The date {on} is in the future. Please check it."))
    NUT_026 = Detail("measurement needed", N_("Record at least the MUAC or the weight at a visit."))
    NUT_027 = Detail("transfer place needed", N_("Choose the site the child is transferred to."))
    NUT_028 = Detail(
        "exit before admission",
        N_("The exit date {closed_on} is before the admission or the last visit ({last_on})."),
    )
    NUT_029 = Detail("month not valid", N_("Give the month as YYYY-MM, for example 2026-10."))
    NUT_030 = Detail(
        "death not confirmed",
        N_(
            "Recording a death closes the child's treatment for good. Tick the box to "
            "confirm the death, or choose another outcome."
        ),
    )
    NUT_031 = Detail(
        "no referral pending",
        N_("This child has no referral to inpatient care awaiting a decision."),
    )
    NUT_032 = Detail(
        "reason needed to keep a referred child",
        N_("Give the reason for keeping the child in outpatient care despite the referral."),
    )
    NUT_033 = Detail(
        "ration table outside its energy range",
        N_(
            "The ration table of band {band} gives {sachets} sachets a day at {weight_kg} kg, "
            "that is "
            "{kcal_per_kg} kcal/kg/day, outside the protocol's range of {min} to {max} "
            "kcal/kg/day. Correct the table."
        ),
    )
    NUT_034 = Detail(
        "month in the future",
        N_(
            "The month cannot be in the future: choose {current} (the current month, "
            "in progress) or an earlier month."
        ),
    )
