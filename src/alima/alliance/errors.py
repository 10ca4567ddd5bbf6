"""Error catalogue of co-management (``ALLIANCE_001`` ...).

Codes never change meaning after release; messages are English source strings marked with
``N_`` and formatted with the context the raiser passes.
"""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class AllianceError(ErrorCode):
    """Errors of agreements, monthly approval, emergency access, funding and trainings."""

    ALLIANCE_001 = Detail("project unknown", N_("No project has the code {code}."))
    ALLIANCE_002 = Detail("organisation unknown", N_("No organisation has the code {code}."))
    ALLIANCE_003 = Detail(
        "export beyond access",
        N_("A partner that sees aggregates only cannot be allowed patient-level exports."),
    )
    ALLIANCE_004 = Detail("dates reversed", N_("The end date must be on or after the start date."))
    ALLIANCE_005 = Detail(
        "period locked",
        N_(
            "The data of {month} at {place} are approved and locked. A coordinator must "
            "unlock the month, giving a reason, before they can change."
        ),
    )
    ALLIANCE_006 = Detail(
        "month not ended", N_("A month can be submitted for approval only once it has ended.")
    )
    ALLIANCE_007 = Detail(
        "already submitted", N_("The data of {month} at {place} are already submitted or approved.")
    )
    ALLIANCE_008 = Detail(
        "approval not expected",
        N_(
            "Your organisation is not one of those that approve this month, or it has "
            "already approved it."
        ),
    )
    ALLIANCE_009 = Detail("not approved", N_("Only an approved month can be unlocked."))
    ALLIANCE_010 = Detail(
        "place outside projects",
        N_("{place} is not served by any project, so its months are not approved."),
    )
    ALLIANCE_011 = Detail(
        "no approver", N_("This project has no lead or co-lead partner to approve its data.")
    )
    ALLIANCE_012 = Detail(
        "over-allocated",
        N_(
            "Allocations would total {total} {currency}, more than the grant itself "
            "({amount} {currency})."
        ),
    )
    ALLIANCE_013 = Detail(
        "reporting amount",
        N_("A grant in {currency} has the same amount in the reporting currency."),
    )
    ALLIANCE_014 = Detail("topic unknown", N_("Choose one of the training topics: {topics}."))
    ALLIANCE_015 = Detail(
        "training in the future",
        N_("A training is recorded once it has ended: its end date cannot be in the future."),
    )
    ALLIANCE_016 = Detail(
        "training unknown", N_("This training does not exist or you may not see it.")
    )
    ALLIANCE_017 = Detail("grant unknown", N_("This grant does not exist or you may not see it."))
    ALLIANCE_018 = Detail(
        "period unknown", N_("This month's record does not exist or you may not see it.")
    )
    ALLIANCE_019 = Detail("patient unknown", N_("No patient has the identifier {identifier}."))
    ALLIANCE_020 = Detail(
        "grant reference exists",
        N_("A grant with the reference {reference} already exists in this project."),
    )
    ALLIANCE_021 = Detail(
        "agreement overlaps",
        N_(
            "An agreement for this organisation and role is already in force over some of "
            "these dates. End it first."
        ),
    )
    ALLIANCE_022 = Detail("not a partner", N_("{code} is not a partner of this project."))
    ALLIANCE_023 = Detail("country unknown", N_("No country has the code {code}."))
    ALLIANCE_024 = Detail("month format", N_("Give the month as YYYY-MM, for example 2026-03."))
    ALLIANCE_025 = Detail(
        "emergency reason",
        N_(
            "Describe the emergency in a few words (what happened, to whom): "
            "the reason is read by the coordinators."
        ),
    )
    ALLIANCE_026 = Detail(
        "emergency cap",
        N_(
            "You have opened {count} emergency accesses in the last 24 hours, the most allowed. "
            "The coordinators have been alerted; ask one of them."
        ),
    )
