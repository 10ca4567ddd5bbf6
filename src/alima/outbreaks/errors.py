"""Error catalogue of outbreak surveillance (``OUTBREAKS_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class OutbreaksError(ErrorCode):
    """Errors of weekly reports, line lists, thresholds and alerts."""

    OUTBREAKS_001 = Detail(
        "report exists",
        N_(
            "The report of week {week} of {year} was already sent for this facility: "
            "correct it instead (version {version})."
        ),
    )
    OUTBREAKS_002 = Detail("no such week", N_("Epi year {year} has no week {week}."))
    OUTBREAKS_003 = Detail("week in future", N_("Week {week} of {year} has not ended yet."))
    OUTBREAKS_004 = Detail(
        "not a service point", N_("Choose a health facility, mobile clinic or displacement site.")
    )
    OUTBREAKS_005 = Detail("unknown age group", N_("Unknown age group {age_group}."))
    OUTBREAKS_006 = Detail(
        "deaths above cases", N_("More deaths than cases for {disease} ({age_group}).")
    )
    OUTBREAKS_007 = Detail("line repeated", N_("{disease} ({age_group}) is given twice."))
    OUTBREAKS_008 = Detail("onset in future", N_("The date of onset cannot be in the future."))
    OUTBREAKS_009 = Detail(
        "not notifiable at once",
        N_("{disease} is reported in the weekly counts, not on the line list."),
    )
    OUTBREAKS_010 = Detail(
        "action not possible",
        N_("An alert that is {status} cannot be given this action."),
    )
    OUTBREAKS_011 = Detail("bad thresholds", N_("These threshold rules are not valid: {problem}."))
    OUTBREAKS_012 = Detail(
        "stale correction",
        N_("This report was corrected meanwhile (now version {version}): reload it."),
    )
    OUTBREAKS_013 = Detail("not a district", N_("Choose a district."))
    OUTBREAKS_014 = Detail(
        "vaccination not asked", N_("The vaccination status is not asked for {disease}.")
    )
