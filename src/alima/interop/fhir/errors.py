"""Errors of the FHIR API (``FHIR_*``), rendered as an ``OperationOutcome``."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class FhirError(ErrorCode):
    """Refused FHIR requests: what was wrong and how to ask instead."""

    FHIR_001 = Detail(
        "unknown parameter",
        N_("The search parameter {parameter} is not supported for {resource}."),
    )
    FHIR_002 = Detail(
        "bad parameter value", N_("The value of the parameter {parameter} is not valid: {value}.")
    )
    FHIR_003 = Detail("unknown resource type", N_("The resource type {resource} is not served."))
    FHIR_004 = Detail("site required", N_("Give the site to export with the parameter site=CODE."))
    FHIR_005 = Detail(
        "patient data refused", N_("Your access gives aggregate figures only, not patient data.")
    )
