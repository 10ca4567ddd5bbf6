"""Pydantic schemas of indicators: context figures and the impact page."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from alima.core.schemas import Input
from alima.core.types import PlaceCode, ShortText
from alima.indicators.enums import ContextFigureKind

Source = Annotated[ShortText, StringConstraints(min_length=2, max_length=200)]


class ContextFigureCreate(Input):
    """A context figure of a country, with its year and source (replaces that year's figure)."""

    country_code: PlaceCode
    kind: ContextFigureKind
    year: Annotated[int, Field(ge=1950, le=2100)]
    value: Annotated[int, Field(ge=0, le=10_000_000_000)]
    source: Source


class ContextFigureRead(BaseModel):
    """A context figure as published."""

    kind: ContextFigureKind
    year: int
    value: int
    source: str


class ActivityFigure(BaseModel):
    """An activity indicator computed from the data, with its months."""

    code: str
    label: str
    definition: str
    value: int
    monthly: list[int]
    additive: bool


class ImpactRead(BaseModel):
    """A country's impact page: aggregates only, never a patient."""

    country_code: str
    country_name: str
    year: int
    start: date
    end: date
    months: list[date]
    context: list[ContextFigureRead]
    activity: list[ActivityFigure]
    partners: list[str]
    years: list[int]


class ContextFormRead(BaseModel):
    """The context figures of a country, for the page that edits them."""

    country_code: str
    country_name: str
    figures: list[ContextFigureRead]
