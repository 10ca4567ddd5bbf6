"""Error catalogue of the DHIS2 exchange (``DHIS_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class Dhis2Error(ErrorCode):
    """Errors of the DHIS2 mapping, exports and pushes."""

    DHIS_001 = Detail(
        "no mapping", N_("No DHIS2 mapping for the country {code}: import one first.")
    )
    DHIS_002 = Detail(
        "country needed",
        N_("Several countries have a DHIS2 mapping ({codes}): choose one with --country."),
    )
    DHIS_003 = Detail(
        "unknown figure",
        N_('alima has no figure {figure} (option "{option}") to send to DHIS2.'),
    )
    DHIS_004 = Detail(
        "place outside country", N_("The place {code} is not in the country {country}.")
    )
    DHIS_005 = Detail(
        "overlapping places",
        N_(
            "The places {outer} and {inner} cannot both be organisation units: {inner} lies "
            "inside {outer}, whose figures already count it."
        ),
    )
    DHIS_006 = Detail("mapped twice", N_("{value} appears twice in the mapping."))
    DHIS_007 = Detail(
        "no server",
        N_(
            "No DHIS2 server is configured: set ALIMA_DHIS2_URL, ALIMA_DHIS2_USERNAME and "
            "ALIMA_DHIS2_PASSWORD."
        ),
    )
    DHIS_008 = Detail("unknown country", N_("No country has the code {code}."))
    DHIS_009 = Detail(
        "nothing to send", N_("The DHIS2 mapping of {code} maps no figure or no place.")
    )
    DHIS_010 = Detail(
        "month in future",
        N_("The month {month} has not begun: DHIS2 receives months that have begun or ended."),
    )
