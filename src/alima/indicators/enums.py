"""Categories of the indicators domain."""

from __future__ import annotations

from enum import StrEnum


class ContextFigureKind(StrEnum):
    """Figures of a country's context shown on the impact page (entered with their source)."""

    POPULATION = "population"
    FOOD_INSECURE = "food_insecure"
    SAM_CHILDREN = "sam_children"
