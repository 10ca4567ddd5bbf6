"""Implausible measurements are refused or held for confirmation (docs/clinical-rules.md §5.1, §5.3, §5.6)."""

from __future__ import annotations

import pytest

from alima.core.errors import RuleViolation
from alima.nutrition.enums import IssueSeverity
from alima.nutrition.errors import NutritionError
from alima.nutrition.rules import Measurement, PlausibilityIssue, plausibility, require_plausible
from tests.unit.nutrition.builders import OPTIMA, make_measurement

N = NutritionError
REFUSE, CONFIRM = IssueSeverity.REFUSE, IssueSeverity.CONFIRM
ELEVEN_MONTHS = 335


# fmt: off
CASES = [
    # id, measurement, age in days, WHO flags -> [(code, severity, field)]
    ("muac-40mm-refused", make_measurement(40, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_006, REFUSE, "muac_mm")]),
    ("muac-59mm-refused", make_measurement(59, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_006, REFUSE, "muac_mm")]),
    ("muac-60mm-confirm", make_measurement(60, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_010, CONFIRM, "muac_mm")]),
    ("muac-99mm-confirm", make_measurement(99, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_010, CONFIRM, "muac_mm")]),
    ("muac-100mm-ok", make_measurement(100, 7.0), ELEVEN_MONTHS, {}, []),
    ("muac-200mm-ok", make_measurement(200, 7.0), ELEVEN_MONTHS, {}, []),
    ("muac-201mm-confirm", make_measurement(201, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_010, CONFIRM, "muac_mm")]),
    ("muac-260mm-confirm", make_measurement(260, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_010, CONFIRM, "muac_mm")]),
    ("muac-261mm-refused", make_measurement(261, 7.0), ELEVEN_MONTHS, {}, [(N.NUT_006, REFUSE, "muac_mm")]),
    ("weight-0.8kg-refused", make_measurement(120, 0.8), ELEVEN_MONTHS, {}, [(N.NUT_007, REFUSE, "weight_kg")]),
    ("weight-0.9kg-ok", make_measurement(120, 0.9), ELEVEN_MONTHS, {}, []),
    ("weight-58kg-ok", make_measurement(120, 58.0), ELEVEN_MONTHS, {}, []),
    ("weight-58.1kg-refused", make_measurement(120, 58.1), ELEVEN_MONTHS, {}, [(N.NUT_007, REFUSE, "weight_kg")]),
    ("height-37.9cm-refused", make_measurement(120, 7.0, height_cm=37.9), ELEVEN_MONTHS, {}, [(N.NUT_008, REFUSE, "height_cm")]),
    ("height-150.1cm-refused", make_measurement(120, 7.0, height_cm=150.1), ELEVEN_MONTHS, {}, [(N.NUT_008, REFUSE, "height_cm")]),
    ("30kg-at-11-months-fwei-confirm", make_measurement(125, 30.0), ELEVEN_MONTHS, {"fwei": True}, [(N.NUT_011, CONFIRM, "weight_kg")]),
    ("30kg-without-flag-no-issue", make_measurement(125, 30.0), ELEVEN_MONTHS, {}, []),
    ("fwei-false-no-issue", make_measurement(125, 30.0), ELEVEN_MONTHS, {"fwei": False}, []),
    ("fwfl-and-fbmi-one-issue", make_measurement(125, 9.0, height_cm=60.0), ELEVEN_MONTHS, {"fwfl": True, "fbmi": True}, [(N.NUT_012, CONFIRM, "weight_kg")]),
    ("flen-confirm", make_measurement(125, 9.0, height_cm=95.0), ELEVEN_MONTHS, {"flen": True}, [(N.NUT_013, CONFIRM, "height_cm")]),
    ("fac-confirm", make_measurement(195, 9.0), ELEVEN_MONTHS, {"fac": True}, [(N.NUT_014, CONFIRM, "muac_mm")]),
    ("flag-on-refused-field-skipped", make_measurement(40, 9.0), ELEVEN_MONTHS, {"fac": True}, [(N.NUT_006, REFUSE, "muac_mm")]),
    ("unknown-flag-generic", make_measurement(120, 9.0), ELEVEN_MONTHS, {"fxyz": True}, [(N.NUT_015, CONFIRM, "measurement")]),
    ("measured-before-birth", make_measurement(120, 9.0), -1, {}, [(N.NUT_009, REFUSE, "age")]),
    ("refusals-first", make_measurement(40, 70.0), ELEVEN_MONTHS, {"fwei": True}, [(N.NUT_006, REFUSE, "muac_mm"), (N.NUT_007, REFUSE, "weight_kg")]),
    ("two-confirmations", make_measurement(90, 30.0), ELEVEN_MONTHS, {"fwei": True}, [(N.NUT_010, CONFIRM, "muac_mm"), (N.NUT_011, CONFIRM, "weight_kg")]),
    ("nothing-measured", Measurement(), None, {}, []),
]
# fmt: on


@pytest.mark.parametrize(
    ("m", "age_days", "flags", "expected"),
    [row[1:] for row in CASES],
    ids=[str(row[0]) for row in CASES],
)
def test_plausibility(
    m: Measurement,
    age_days: int | None,
    flags: dict[str, bool],
    expected: list[tuple[NutritionError, IssueSeverity, str]],
) -> None:
    issues = plausibility(m, age_days=age_days, p=OPTIMA, who_flags=flags)
    assert [(i.code, i.severity, i.field) for i in issues] == expected
    for issue in issues:
        # Every placeholder of the English template is filled by the issue's params.
        assert "{" not in issue.message.format(**issue.params)


def test_muac_40_message() -> None:
    (issue,) = plausibility(make_measurement(40, 7.0), age_days=ELEVEN_MONTHS, p=OPTIMA)
    assert issue.message.format(**issue.params) == (
        "A MUAC of 40 mm is not possible. Please measure the arm again."
    )


def test_30kg_at_11_months_message() -> None:
    (issue,) = plausibility(
        make_measurement(125, 30.0), age_days=ELEVEN_MONTHS, p=OPTIMA, who_flags={"fwei": True}
    )
    assert issue.message.format(**issue.params) == (
        "A weight of 30.0 kg is very unusual for the child's age. "
        "Please check the weight and the date of birth, then confirm."
    )


def test_require_plausible_refuses() -> None:
    issues = plausibility(make_measurement(40, 7.0), age_days=ELEVEN_MONTHS, p=OPTIMA)
    with pytest.raises(RuleViolation) as caught:
        require_plausible(issues, confirmed=True)
    assert caught.value.code is N.NUT_006
    assert caught.value.context == {"field": "muac_mm", "muac_mm": 40}
    assert caught.value.status == 422


def test_require_plausible_holds_for_confirmation() -> None:
    issues = plausibility(
        make_measurement(125, 30.0), age_days=ELEVEN_MONTHS, p=OPTIMA, who_flags={"fwei": True}
    )
    with pytest.raises(RuleViolation) as caught:
        require_plausible(issues, confirmed=False)
    assert caught.value.code is N.NUT_016
    assert caught.value.context == {"issues": ["NUT_011"], "fields": ["weight_kg"]}
    require_plausible(issues, confirmed=True)


def test_require_plausible_passes_clean_measurements() -> None:
    issues: list[PlausibilityIssue] = plausibility(
        make_measurement(118, 7.0), age_days=400, p=OPTIMA
    )
    assert issues == []
    require_plausible(issues, confirmed=False)
