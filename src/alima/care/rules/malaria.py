"""Malaria at a consultation: when to test, what to give, and what looks inconsistent.

WHO "test, treat, track": every suspected case (fever now or by history) gets a parasitological
test, here a rapid diagnostic test (RDT); a positive test without signs of severity is treated
with an artemisinin-based combination (ACT); a febrile child with a danger sign gets a first
dose of artesunate and is referred (IMCI 2014; docs/clinical-rules.md §9). Inconsistencies are returned
as warnings, never refused: the clinician may have reasons the form does not capture.
"""

from __future__ import annotations

from enum import StrEnum

from alima.care.enums import MalariaTreatment, RdtResult


class MalariaWarning(StrEnum):
    """A treatment that does not follow the test (codes of ``CareWarning``)."""

    ACT_WITHOUT_POSITIVE_TEST = "CARE_W01"
    POSITIVE_NOT_TREATED = "CARE_W02"
    FEVER_NOT_TESTED = "CARE_W03"
    SEVERE_WITHOUT_ARTESUNATE = "CARE_W04"


def rdt_indicated(*, fever: bool) -> bool:
    """Every suspected malaria case (fever now or by history) is tested."""
    return fever


def expected_treatment(rdt: RdtResult, *, severe: bool) -> MalariaTreatment:
    """Antimalarial the rules expect: artesunate when severe, ACT when positive, else none."""
    if severe and rdt is not RdtResult.NEGATIVE:
        return MalariaTreatment.ARTESUNATE
    if rdt is RdtResult.POSITIVE:
        return MalariaTreatment.ACT
    return MalariaTreatment.NONE


def treatment_warnings(
    rdt: RdtResult, treatment: MalariaTreatment, *, fever: bool, severe: bool
) -> tuple[MalariaWarning, ...]:
    """Warnings for a test and treatment that do not match the rules."""
    warnings: list[MalariaWarning] = []
    if fever and rdt in {RdtResult.NOT_DONE, RdtResult.INVALID}:
        warnings.append(MalariaWarning.FEVER_NOT_TESTED)
    if treatment is MalariaTreatment.ACT and rdt is not RdtResult.POSITIVE:
        warnings.append(MalariaWarning.ACT_WITHOUT_POSITIVE_TEST)
    if rdt is RdtResult.POSITIVE and treatment is MalariaTreatment.NONE:
        warnings.append(MalariaWarning.POSITIVE_NOT_TREATED)
    if (
        severe
        and fever
        and rdt is not RdtResult.NEGATIVE
        and treatment is not MalariaTreatment.ARTESUNATE
    ):
        warnings.append(MalariaWarning.SEVERE_WITHOUT_ARTESUNATE)
    return tuple(warnings)
