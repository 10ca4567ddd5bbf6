"""Pydantic schemas of the DHIS2 exchange: the mapping file, exports and pushes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from alima.core.schemas import Input
from alima.core.types import PlaceCode
from alima.interop.dhis2.rules import UID_PATTERN

Uid = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=UID_PATTERN.pattern),
    Field(description="A DHIS2 uid: a letter, then ten letters or digits."),
]
FigureCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]+(-[A-Z0-9]+)+$")
]
OptionKey = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[a-z0-9_]*$")
]


class DataElementMap(Input):
    """A figure of alima (an option of it, or its total) and where it goes in DHIS2."""

    figure: FigureCode
    option: OptionKey = Field("", description="Disaggregation; empty for the total.")
    data_element: Uid
    category_option_combo: Uid


class OrgUnitMap(Input):
    """A place of alima (its whole subtree) and its DHIS2 organisation unit."""

    place: PlaceCode
    org_unit: Uid


class MappingFile(Input):
    """A country's DHIS2 mapping, as exported and imported (JSON)."""

    country: PlaceCode
    data_set: Uid
    attribute_option_combo: Uid
    period_type: Literal["MONTHLY"] = "MONTHLY"
    data_elements: Annotated[list[DataElementMap], Field(max_length=2000)]
    org_units: Annotated[list[OrgUnitMap], Field(max_length=5000)]


class ValueRead(BaseModel):
    """One value of an export, with what it is in alima and in DHIS2."""

    figure: str
    option: str
    place_code: str
    data_element: str
    category_option_combo: str
    org_unit: str
    value: int


class Dhis2Export(BaseModel):
    """A month of a country, ready to send: its values and the ``dataValueSets`` document."""

    country_code: str
    month: str
    data_set: str
    attribute_option_combo: str
    values: list[ValueRead]
    document: dict[str, Any]


class ConflictRead(BaseModel):
    """A value DHIS2 refused, named in alima's terms where the payload tells which."""

    object: str
    reason: str
    error_code: str = ""
    figure: str = ""
    option: str = ""
    data_element: str = ""
    place_code: str = ""
    org_unit: str = ""


class PushRead(BaseModel):
    """A push and what DHIS2 answered."""

    id: uuid.UUID
    created_at: datetime
    country_code: str
    month: str
    dry_run: bool
    server: str
    payload_hash: str
    values_sent: int
    status: str
    http_status: int | None
    imported: int
    updated: int
    ignored: int
    deleted: int
    conflicts: list[ConflictRead]
    description: str | None


class MappingSummary(BaseModel):
    """A country's mapping in a few figures, for the page."""

    country_code: str
    country_name: str
    data_set: str
    attribute_option_combo: str
    period_type: str
    data_elements: list[DataElementMap]
    org_units: list[OrgUnitMap]


class Dhis2Overview(BaseModel):
    """The DHIS2 page: the countries' mappings and the latest pushes the reader may see."""

    mappings: list[MappingSummary]
    pushes: list[PushRead]
