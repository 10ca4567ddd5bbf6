"""The FHIR R4 read API under ``/fhir`` (``application/fhir+json``; docs/interop-fhir.md).

Thin: each route parses the FHIR parameters, calls one use case of ``service`` and wraps the
result (Bundle, NDJSON). Authentication is the API's bearer token; errors are rendered as an
``OperationOutcome`` by the application's error handlers (:func:`error_response`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from alima.api import errors as api_errors
from alima.api.deps import ApiActor, SessionDep
from alima.core.errors import AlimaError, BadRequest, CoreError
from alima.core.i18n import gettext
from alima.core.service.common import not_found
from alima.interop.fhir import documents, service
from alima.interop.fhir.codes import MEDIA_TYPE, NDJSON_MEDIA_TYPE
from alima.interop.fhir.errors import FhirError
from alima.interop.fhir.search import DateFilter, parse_date, parse_search

PREFIX = "/fhir"
HTTP_BAD_REQUEST = 400
HTTP_UNAUTHORIZED = 401
#: Parameters of ``$export`` (``_outputFormat`` may only ask for NDJSON).
EXPORT_PARAMS = ("site", "_type", "_since", "_outputFormat")
NDJSON_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")

router = APIRouter(prefix=PREFIX, tags=["fhir"], include_in_schema=False)


class FhirResponse(JSONResponse):
    """A FHIR JSON document."""

    media_type = MEDIA_TYPE


def is_fhir(path: str) -> bool:
    """Whether a request path belongs to the FHIR API (its errors are OperationOutcomes)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_response(status: int, code: str, message: str) -> FhirResponse:
    """An error as an ``OperationOutcome`` (a 401 says which credentials to bring)."""
    headers = {"WWW-Authenticate": "Bearer"} if status == HTTP_UNAUTHORIZED else None
    return FhirResponse(
        documents.operation_outcome(status, code, message), status_code=status, headers=headers
    )


def alima_error_response(exc: AlimaError) -> Response:
    """A domain error."""
    return error_response(exc.status, exc.code.name, exc.message)


def validation_error_response(exc: RequestValidationError) -> Response:
    """Invalid request parameters (400, as FHIR says)."""
    fields = ", ".join(api_errors.field_errors(list(exc.errors())))
    message = gettext(CoreError.CORE_004.detail.message, fields=fields)
    return error_response(HTTP_BAD_REQUEST, CoreError.CORE_004.name, message)


def api_error(
    status: int, code: str, message: str, context: dict[str, Any] | None = None
) -> Response:
    """An HTTP error (unknown path, method not allowed...); ``context`` has no place here."""
    del context
    return error_response(status, code, message)


def unexpected_response(request: Request, exc: Exception) -> Response:
    """A server error, logged with its request id as every other one."""
    logged = api_errors.unexpected_response(request, exc)
    message = json.loads(bytes(logged.body))["message"]
    return error_response(logged.status_code, CoreError.CORE_013.name, message)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


@router.get("/metadata")
def metadata(request: Request) -> FhirResponse:
    """The CapabilityStatement (open to anyone, as FHIR clients expect)."""
    return FhirResponse(documents.capability_statement(_base(request)))


def _export_since(raw: str | None) -> DateFilter | None:
    if raw is None:
        return None
    parsed = parse_date("_since", raw)
    return DateFilter("ge", parsed.low, parsed.high)


@router.get("/$export")
def bulk_export(request: Request, session: SessionDep, actor: ApiActor) -> Response:
    """Every resource of a site and below as NDJSON, synchronously (one resource a line)."""
    params = request.query_params
    for name in params:
        if name not in EXPORT_PARAMS:
            raise BadRequest(FhirError.FHIR_001, parameter=name[:60], resource="$export")
    output = params.get("_outputFormat")
    if output is not None and output not in NDJSON_FORMATS:
        raise BadRequest(FhirError.FHIR_002, parameter="_outputFormat", value=output[:60])
    types = params.get("_type")
    resources = service.export(
        session,
        actor,
        site=params.get("site"),
        types=[t.strip() for t in types.split(",")] if types else None,
        since=_export_since(params.get("_since")),
    )
    body = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in resources
    )
    return Response(body, media_type=NDJSON_MEDIA_TYPE)


@router.get("/Patient/{patient_id}/$everything")
def patient_everything(
    patient_id: str, request: Request, session: SessionDep, actor: ApiActor
) -> FhirResponse:
    """A patient's whole record in one Bundle."""
    try:
        wanted = uuid.UUID(patient_id)
    except ValueError as exc:
        raise not_found() from exc
    resources = service.everything(session, actor, wanted)
    return FhirResponse(
        documents.searchset(
            _base(request),
            "Patient",
            resources,
            total=len(resources),
            path=f"Patient/{patient_id}/$everything",
        )
    )


@router.get("/{resource_type}")
def search_type(
    resource_type: str, request: Request, session: SessionDep, actor: ApiActor
) -> FhirResponse:
    """Search: a page of resources as a ``searchset`` Bundle, with its ``next`` link."""
    service.check_type(resource_type)
    items = list(request.query_params.multi_items())
    criteria = parse_search(resource_type, items)
    found = service.search(session, actor, resource_type, criteria)
    return FhirResponse(
        documents.searchset(
            _base(request),
            resource_type,
            found.resources,
            total=found.total,
            search=criteria,
            query=items,
        )
    )


@router.get("/{resource_type}/{resource_id}")
def read(
    resource_type: str, resource_id: str, session: SessionDep, actor: ApiActor
) -> FhirResponse:
    """One resource by its id."""
    return FhirResponse(service.read(session, actor, resource_type, resource_id))
