"""Query parameters several pages take, with their limits (a longer value is refused, 422)."""

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from alima.core.types import LATEST_DATE

#: The first day a filter may name.
EARLIEST = date(2000, 1, 1)

#: What a person types to find a patient (name or identifier).
SearchText = Annotated[str, Query(max_length=100)]
#: A place's code (site, facility, district), empty for none.
PlaceCode = Annotated[str, Query(max_length=60)]
#: A place's code in a filter: letters, digits, ``_.-``.
PlaceFilter = Annotated[str, Query(max_length=60, pattern=r"^[A-Za-z0-9_.-]*$")]
#: A day bounding a period (from, until), if any.
Day = Annotated[date | None, Query(ge=EARLIEST, le=LATEST_DATE)]


class PlacePeriod:
    """A page's filter: a place and a period, each optional (a FastAPI dependency)."""

    def __init__(self, place_code: PlaceFilter = "", start: Day = None, end: Day = None) -> None:
        self.place_code, self.start, self.end = place_code, start, end

    def criteria(self) -> dict[str, object]:
        """The filter as a schema's fields (no place: every place in scope)."""
        return {"place_code": self.place_code or None, "start": self.start, "end": self.end}


PlacePeriodFilter = Annotated[PlacePeriod, Depends()]
