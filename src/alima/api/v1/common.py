"""What the v1 routers share: the error answers each router documents once for its routes.

Every route of a router answers the same errors (``{"code", "message", "context"}``), so they
are declared on the router, not repeated on each route. Filters and deletions are schemas read
from the query string (``FromQuery``); codes and months in paths and queries are checked by the
same patterns everywhere.
"""

from typing import Annotated, Any, TypeVar

from fastapi import Path, Query

SchemaT = TypeVar("SchemaT")

#: A schema read from the query string (filters, paging, a deletion's ``?reason=``).
FromQuery = Annotated[SchemaT, Query()]

#: What a code in a path or a query may hold (a place's, a country's, a project's).
CODE_PATTERN = r"^[A-Za-z0-9_.-]+$"
#: A place's code in the path (a site, a country).
PlaceCodePath = Annotated[str, Path(max_length=60, pattern=CODE_PATTERN)]
#: A place's code in the query string (``?place=``, ``?country=``).
PlaceCodeQuery = Annotated[str, Query(max_length=60, pattern=CODE_PATTERN)]
#: The same, when the query may leave it out.
OptionalPlaceCode = Annotated[str | None, Query(max_length=60, pattern=CODE_PATTERN)]
#: A month in the query string (``?month=YYYY-MM``).
MonthQuery = Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]

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
