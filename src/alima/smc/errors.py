"""Error catalogue of SMC (``SMC_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class SmcError(ErrorCode):
    """Errors of SMC campaigns and doses."""

    SMC_001 = Detail(
        "too young",
        N_(
            "This child is {months} months old on the cycle date: SMC starts at 3 months. "
            "Do not give SPAQ."
        ),
    )
    SMC_002 = Detail(
        "too old",
        N_(
            "This child is {months} months old on the cycle date: SMC stops at 59 months. "
            "Do not give SPAQ."
        ),
    )
    SMC_003 = Detail(
        "second dose",
        N_("This child already received SPAQ in cycle {cycle}: a second dose is refused."),
    )
    SMC_004 = Detail("cycles", N_("A campaign has 4 or 5 cycles, each with its date."))
    SMC_005 = Detail(
        "cycle order",
        N_("Each cycle starts after the previous one; the first starts in the season's year."),
    )
    SMC_006 = Detail(
        "covered place", N_("Choose districts or health areas of the campaign's country.")
    )
    SMC_007 = Detail(
        "date outside cycle",
        N_(
            "The date must be within cycle {cycle} ({starts_on} to {ends_on}) and not in the future."
        ),
    )
    SMC_008 = Detail(
        "place outside campaign",
        N_("This place is not covered by the campaign, or not a site where you may record SMC."),
    )
    SMC_009 = Detail("redose setting", N_("A re-dose after vomiting is not used in this country."))
    SMC_010 = Detail(
        "redose without vomiting", N_("A re-dose is given only to a child who vomited.")
    )
    SMC_011 = Detail(
        "muac too young",
        N_("MUAC is measured from 6 months: leave it empty for a younger child."),
    )
    SMC_012 = Detail(
        "census target", N_("Give the number of children 3-59 months of each covered area.")
    )
    SMC_013 = Detail(
        "adherence without dose", N_("Days 2 and 3 are reported only for a child given day 1.")
    )
    SMC_014 = Detail("excluded with dose", N_("An excluded child gets no dose: untick vomiting."))
    SMC_015 = Detail("date in future", N_("The date cannot be in the future."))
    SMC_016 = Detail("already deleted", N_("This record was already deleted."))
    SMC_017 = Detail("village", N_("Give the village where the child lives."))
    SMC_018 = Detail(
        "muac with oedema", N_("Measure the MUAC of a child with oedema (6 months and over).")
    )
