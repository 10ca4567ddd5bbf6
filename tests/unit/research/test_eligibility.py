"""Eligibility rules over admission data (issue 15)."""

from __future__ import annotations

import pytest

from alima.research.enums import Ineligible
from alima.research.rules import Admission, Criteria, evaluate

OPTIMA_ML = Criteria(
    age_min_months=6,
    age_max_months=59,
    muac_below_mm=125,
    no_complication=True,
    site_codes=frozenset({"ML-CSCOM-A", "ML-CSCOM-B"}),
)


def admission(**given: object) -> Admission:
    values: dict[str, object] = {
        "age_months": 14.0,
        "muac_mm": 112,
        "oedema": False,
        "complicated": False,
        "site_code": "ML-CSCOM-A",
    }
    values.update(given)
    return Admission(**values)  # type: ignore[arg-type]


def test_a_child_meeting_every_rule_is_eligible() -> None:
    assert evaluate(OPTIMA_ML, admission()).eligible
    assert evaluate(OPTIMA_ML, admission()).reasons == ()


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"age_months": 5.9}, Ineligible.AGE_BELOW),
        ({"age_months": 60.0}, Ineligible.AGE_ABOVE),
        ({"muac_mm": 125}, Ineligible.MUAC_ABOVE),
        ({"muac_mm": None}, Ineligible.MUAC_MISSING),
        ({"complicated": True}, Ineligible.COMPLICATION),
        ({"site_code": "ML-CSCOM-Z"}, Ineligible.OUTSIDE_CATCHMENT),
    ],
)
def test_each_rule_refuses_with_its_reason(given: dict[str, object], reason: Ineligible) -> None:
    result = evaluate(OPTIMA_ML, admission(**given))
    assert not result.eligible
    assert result.reasons == (reason,)


def test_the_age_range_includes_its_last_month_and_the_cut_off_is_strict() -> None:
    assert evaluate(OPTIMA_ML, admission(age_months=59.9)).eligible
    assert evaluate(OPTIMA_ML, admission(age_months=6.0)).eligible
    assert evaluate(OPTIMA_ML, admission(muac_mm=124)).eligible


def test_every_failed_rule_is_reported() -> None:
    result = evaluate(OPTIMA_ML, admission(age_months=3, muac_mm=130, complicated=True))
    assert result.reasons == (Ineligible.AGE_BELOW, Ineligible.MUAC_ABOVE, Ineligible.COMPLICATION)


def test_oedema_excludes_only_when_the_study_says_so() -> None:
    assert evaluate(OPTIMA_ML, admission(oedema=True)).eligible
    strict = Criteria(age_min_months=6, age_max_months=59, exclude_oedema=True)
    assert evaluate(strict, admission(oedema=True)).reasons == (Ineligible.OEDEMA,)


def test_an_empty_catchment_takes_every_site() -> None:
    open_study = Criteria(age_min_months=6, age_max_months=59)
    assert evaluate(open_study, admission(site_code="ANYWHERE", muac_mm=None)).eligible
