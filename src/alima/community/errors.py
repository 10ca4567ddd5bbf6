"""Error catalogue of community screening (``COM_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class CommunityError(ErrorCode):
    """Errors of trainings, screenings and referrals."""

    COM_001 = Detail(
        "age out of range",
        N_("The MUAC bracelet is for children aged {min_months} to {max_months} months."),
    )
    COM_002 = Detail(
        "referral completed", N_("This referral was already completed on {arrived_on}.")
    )
    COM_003 = Detail(
        "arrival before referral",
        N_("The child cannot arrive before being referred ({referred_on})."),
    )
    COM_004 = Detail("date in future", N_("The date cannot be in the future."))
    COM_005 = Detail(
        "not a service point", N_("Choose a health facility, mobile clinic or displacement site.")
    )
    COM_006 = Detail(
        "patient unknown", N_("No patient with the identifier {identifier} in your places.")
    )
    COM_007 = Detail(
        "episode needs admission",
        N_("A nutrition episode can only be linked when the child was admitted."),
    )
    COM_008 = Detail(
        "episode not of this child",
        N_(
            "Link a nutrition episode of this child, at a place you can see "
            "(enter the child's identifier first)."
        ),
    )
    COM_009 = Detail(
        "referral too recent",
        N_(
            "A referral can be closed as not arrived only {days} days after it was issued "
            "(from {on})."
        ),
    )
    COM_010 = Detail(
        "referral not waiting", N_("This referral is no longer waiting for the child.")
    )
    COM_011 = Detail(
        "referral has a child",
        N_("Another child is already linked to this referral."),
    )
    COM_012 = Detail(
        "no child linked",
        N_("Register the child or link an existing record before the admission."),
    )
