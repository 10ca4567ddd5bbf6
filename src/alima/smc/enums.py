"""Codes of SMC: age bands, exclusion reasons, products, where the target comes from."""

from enum import StrEnum


class AgeBand(StrEnum):
    """The two SPAQ dose bands (docs/clinical-rules.md §7)."""

    INFANT = "3_11"
    CHILD = "12_59"


class Exclusion(StrEnum):
    """Why a child was not given SPAQ on day 1 (docs/clinical-rules.md §14)."""

    SICK = "sick"  # fever or sick: test and treat, not SMC
    ALLERGY = "allergy"
    COTRIMOXAZOLE = "cotrimoxazole"
    SEVERE_MALNUTRITION = "severe_malnutrition"  # referred to the nutrition programme
    ALREADY_RECEIVED = "already_received"  # SPAQ already received this cycle elsewhere


class Product(StrEnum):
    """Co-packaged SPAQ blisters, one per child and cycle (one more for a re-dose)."""

    SPAQ_3_11 = "spaq_3_11"
    SPAQ_12_59 = "spaq_12_59"


class TargetSource(StrEnum):
    """Where a campaign's target population of children 3-59 months comes from."""

    PLACES = "places"  # the covered places' populations times the settings' share
    CENSUS = "census"  # a count typed per area (a census or a micro-plan)
