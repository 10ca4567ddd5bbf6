"""The FHIR documents around the resources (pure).

Search Bundles with paging links, the CapabilityStatement, the OperationOutcome of an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from alima.interop.fhir import codes
from alima.interop.fhir.codes import Resource
from alima.interop.fhir.search import PAGING, RESOURCE_TYPES, SEARCH_PARAMS, Search

SOFTWARE_VERSION = "0.1.0"
#: A fixed publication date: the statement changes only with the software.
PUBLISHED = "2026-11-28"

#: HTTP status -> the OperationOutcome issue type (FHIR ``IssueType``).
ISSUE_TYPES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    422: "invalid",
    500: "exception",
}


def searchset(
    base: str,
    resource_type: str,
    resources: Sequence[Resource],
    *,
    total: int | None,
    search: Search | None = None,
    query: Sequence[tuple[str, str]] = (),
    path: str | None = None,
) -> Resource:
    """A ``searchset`` Bundle with ``self``, ``first``, ``previous`` and ``next`` links."""
    url = f"{base}/{path or resource_type}"
    bundle: Resource = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        bundle["total"] = total
    kept = [(k, v) for k, v in query if k not in PAGING]

    def link(relation: str, offset: int | None = None) -> dict[str, str]:
        params = (
            kept
            if offset is None
            else [*kept, ("_count", str(search.count if search else 0)), ("_offset", str(offset))]
        )
        return {"relation": relation, "url": f"{url}?{urlencode(params)}" if params else url}

    links = [link("self", search.offset if search else None)]
    if search is not None and total is not None:
        links.append(link("first", 0))
        if search.offset > 0:
            links.append(link("previous", max(0, search.offset - search.count)))
        if search.count and search.offset + search.count < total:
            links.append(link("next", search.offset + search.count))
    bundle["link"] = links
    bundle["entry"] = [
        {
            "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match" if r["resourceType"] == resource_type else "include"},
        }
        for r in resources
    ]
    return bundle


def _resource(resource_type: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "type": resource_type,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "readHistory": False,
        "searchParam": [
            {"name": name, "type": kind} for name, kind in SEARCH_PARAMS[resource_type].items()
        ],
    }
    if resource_type == "Patient":
        entry["operation"] = [
            {
                "name": "everything",
                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
            }
        ]
    return entry


def capability_statement(base: str) -> Resource:
    """What this server serves (``GET /fhir/metadata``)."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": PUBLISHED,
        "publisher": "alima",
        "kind": "instance",
        "software": {"name": "alima", "version": SOFTWARE_VERSION},
        "implementation": {"description": "alima FHIR R4 read API", "url": base},
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.MEDIA_TYPE, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read-only. Authenticate with an alima API token: "
                "Authorization: Bearer <token>.",
                "security": {
                    "cors": False,
                    "description": "Authorization: Bearer <alima API token>, the token of the "
                    "JSON API; the reader sees the patients of the places where they may read "
                    "patient records, as on the pages.",
                },
                "resource": [_resource(t) for t in RESOURCE_TYPES],
                "operation": [
                    {
                        "name": "export",
                        "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                    }
                ],
            }
        ],
    }


def operation_outcome(status: int, code: str, message: str) -> Resource:
    """The ``OperationOutcome`` of an error (``code``: alima's error code)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": ISSUE_TYPES.get(status, "processing"),
                "details": {
                    "coding": [{"system": f"{codes.ALIMA}/CodeSystem/error", "code": code}],
                    "text": message,
                },
                "diagnostics": code,
            }
        ],
    }
