"""API error bodies: ``{"code", "message", "context"}`` in the caller's language."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from alima.core.errors import AlimaError, CoreError
from alima.core.i18n import N_, gettext
from alima.core.service.patients import DuplicateSuspected

log = logging.getLogger("alima")

#: Pydantic error types and the sentence a person reads for each (anything else: "not valid").
FIELD_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is too short."),
    "string_too_long": N_("This field is too long."),
    "string_pattern_mismatch": N_("This value has characters that are not allowed."),
    "date_from_datetime_parsing": N_("Give a date as YYYY-MM-DD."),
    "date_parsing": N_("Give a date as YYYY-MM-DD."),
    "date_type": N_("Give a date as YYYY-MM-DD."),
    "greater_than_equal": N_("This value is too small."),
    "less_than_equal": N_("This value is too large."),
    "greater_than": N_("This value is too small."),
    "less_than": N_("This value is too large."),
    "int_parsing": N_("Give a whole number."),
    "int_type": N_("Give a whole number."),
    "float_parsing": N_("Give a number."),
    "float_type": N_("Give a number."),
    "enum": N_("Choose one of the proposed values."),
    "literal_error": N_("Choose one of the proposed values."),
    "extra_forbidden": N_("This field is not expected."),
    "uuid_parsing": N_("This identifier is not valid."),
    "bool_parsing": N_("Give yes or no."),
}


def field_errors(errors: list[Any]) -> dict[str, str]:
    """Map validation errors to ``{field: message}`` in the current language."""
    result: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(loc) or "__all__"
        message = FIELD_MESSAGES.get(error.get("type", ""))
        if message is None and error.get("type") == "value_error":
            text = str(error.get("msg", ""))
            if "birth_date or estimated_age_months" in text:
                message = CoreError.CORE_016.detail.message
        result.setdefault(field, gettext(message or N_("This value is not valid.")))
    return result


def api_error(
    status: int, code: str, message: str, context: dict[str, Any] | None = None
) -> JSONResponse:
    """A JSON error response."""
    return JSONResponse(
        status_code=status,
        content=jsonable_encoder({"code": code, "message": message, "context": context or {}}),
    )


def alima_error_response(exc: AlimaError) -> JSONResponse:
    """Render a domain error."""
    context = {
        k: v.isoformat() if isinstance(v, date) else v
        for k, v in exc.context.items()
        if isinstance(v, (str, int, float, bool, list, date))
    }
    return api_error(exc.status, exc.code.name, exc.message, context)


def validation_error_response(exc: RequestValidationError) -> JSONResponse:
    """Render a request validation error as CORE_004 with one message per field."""
    fields = field_errors(list(exc.errors()))
    return api_error(
        422,
        CoreError.CORE_004.name,
        gettext(CoreError.CORE_004.detail.message, fields=", ".join(fields)),
        {"fields": fields},
    )


def duplicate_response(exc: DuplicateSuspected) -> JSONResponse:
    """A registration refused until the caller confirms it is not a duplicate."""
    return api_error(
        409,
        exc.warning.code,
        exc.warning.message,
        {"candidates": jsonable_encoder(exc.warning.candidates)},
    )


def unexpected_response(request: Request, exc: Exception) -> JSONResponse:
    """Log an unexpected error with the request id; answer 500 with that id."""
    request_id = getattr(request.state, "request_id", "-")
    log.exception("unexpected error (request %s)", request_id, exc_info=exc)
    return api_error(
        500,
        CoreError.CORE_013.name,
        gettext(CoreError.CORE_013.detail.message, request_id=request_id),
        {"request_id": request_id},
    )
