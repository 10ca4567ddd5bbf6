"""Error catalogue of sync (``SYNC_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class SyncError(ErrorCode):
    """Errors of enrolment, push and pull."""

    SYNC_001 = Detail(
        "enrolment code unknown",
        N_("This enrolment code is unknown, already used or expired. Ask the hub for a new one."),
    )
    SYNC_002 = Detail(
        "site has a node",
        N_(
            "The site {site} already has an enrolled laptop ({node}). An administrator of the "
            "hub must retire it first (alima node retire)."
        ),
    )
    SYNC_003 = Detail(
        "node credential",
        N_("This laptop is not (or no longer) enrolled on the hub. Enrol it again."),
    )
    SYNC_004 = Detail(
        "version too old",
        N_(
            "This laptop runs an older version of alima ({node}) than the hub accepts "
            "({hub}). Update alima on the laptop, then sync again. Nothing was sent."
        ),
    )
    SYNC_005 = Detail(
        "version too new",
        N_(
            "This laptop runs a newer version of alima ({node}) than the hub ({hub}). The hub "
            "must be updated first. Nothing was sent."
        ),
    )
    SYNC_006 = Detail("not a site", N_("{code} is not a health facility or site of care."))
    SYNC_007 = Detail(
        "not enrolled", N_("This laptop is not enrolled on a hub yet (alima node enrol).")
    )
    SYNC_008 = Detail("bad cursor", N_("The sync position sent is not valid."))
    SYNC_009 = Detail(
        "hub unreachable", N_("The hub could not be reached ({reason}). Nothing was lost.")
    )
    SYNC_010 = Detail("node unknown", N_("No enrolled laptop matches {node}."))
    SYNC_011 = Detail("already decided", N_("This item was already decided on {at}."))
    SYNC_012 = Detail("bad batch", N_("The batch sent is not valid: {reason}."))
    SYNC_013 = Detail(
        "decision missing", N_("Choose which value to keep for {field}, or type the merged value.")
    )
    SYNC_014 = Detail("value not valid", N_("The value typed for {field} is not valid."))
    SYNC_015 = Detail(
        "not a decision", N_("This item is information only: acknowledge it instead.")
    )
    SYNC_016 = Detail(
        "needs a decision", N_("This conflict needs a decision: choose the values to keep.")
    )
    SYNC_017 = Detail("not in the pair", N_("Choose which of the two patients to keep."))
    SYNC_018 = Detail(
        "patient gone",
        N_("{patient} was deleted or merged meanwhile: this pair can no longer be merged."),
    )
    SYNC_019 = Detail(
        "hub only",
        N_(
            "Duplicates across sites are found and merged on the hub, which holds both sites. "
            "Ask the data manager of the hub."
        ),
    )
