"""Error catalogue of the OpenRosa server (``ODK_001`` ...)."""

from __future__ import annotations

from alima.core.errors import Detail, ErrorCode
from alima.core.i18n import N_


class OpenRosaError(ErrorCode):
    """Errors of forms and submissions received from ODK Collect or Enketo."""

    ODK_001 = Detail(
        "no submission file", N_("The submission has no part named xml_submission_file.")
    )
    ODK_002 = Detail("not XML", N_("The submitted file is not well-formed XML: {error}"))
    ODK_003 = Detail("unknown form", N_("This server has no form {form_id}."))
    ODK_004 = Detail("no instance ID", N_("The submission has no meta/instanceID."))
    ODK_005 = Detail(
        "instance ID reused",
        N_("Another submission was already received under the instance ID {instance_id}."),
    )
    ODK_006 = Detail("invalid value", N_("The value of {field} is not valid: {value}."))
    ODK_007 = Detail(
        "no open episode",
        N_("The child {identifier} has no open CMAM episode in your places."),
    )
    ODK_008 = Detail(
        "patient unknown", N_("No patient with the identifier {identifier} in your places.")
    )
    ODK_009 = Detail(
        "not under review", N_("This submission is {status}: only one waiting for review can be.")
    )
    ODK_010 = Detail("too large", N_("The submission is larger than {limit} bytes."))
    ODK_011 = Detail(
        "not applied",
        N_("The submission was stopped before it was applied: re-apply it or reject it."),
    )
    ODK_012 = Detail(
        "password in clear",
        N_("Send the password over HTTPS only: this server refuses it in clear."),
    )
    ODK_013 = Detail(
        "not an OpenRosa client",
        N_("Send the header X-OpenRosa-Version: 1.0 with the submission, as OpenRosa clients do."),
    )
