"""What the v1 routers share: the error answers each router documents once for its routes.

Every route of a router answers the same errors (``{"code", "message", "context"}``), so they
are declared on the router, not repeated on each route. Filters and deletions are schemas read
from the query string (``FromQuery``).
"""

from typing import Annotated, Any, TypeVar

from fastapi import Query

SchemaT = TypeVar("SchemaT")

#: A schema read from the query string (filters, paging, a deletion's ``?reason=``).
FromQuery = Annotated[SchemaT, Query()]

Responses = dict[int | str, dict[str, Any]]

NOT_SIGNED_IN = "Not signed in"
NOT_ALLOWED = "Not allowed"
REFUSED = "Invalid input or refused by a rule"


def error_responses(
    *,
    not_found: str,
    forbidden: str | None = NOT_ALLOWED,
    conflict: str | None = None,
    invalid: str | None = REFUSED,
    signed_out: str | None = NOT_SIGNED_IN,
) -> Responses:
    """The documented error answers, by status; ``None`` leaves a status out."""
    described = {401: signed_out, 403: forbidden, 404: not_found, 409: conflict, 422: invalid}
    return {code: {"description": text} for code, text in described.items() if text is not None}
