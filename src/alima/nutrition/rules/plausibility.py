"""Plausibility of a measurement before it is saved: refuse the impossible, confirm the unusual.

Why two levels: a MUAC of 40 mm cannot be a child's arm (a typo of 140?), so it is refused;
a weight WHO flags as implausible for the age (30 kg at 11 months) may still be a typing or
date-of-birth error, or true, so the clinician checks and confirms it. Limits come from the
protocol's ``plausibility`` section: SMART raw-MUAC range 100-200 mm (docs/clinical-rules.md §5.6), WHO
anthro plausible ranges for weight and length/height (§5.3); WHO flags (``fwei``, ``fwfl``,
``flen``, ``fac``, §5.1) are computed by ``alima.growth`` and passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from alima.core.errors import RuleViolation
from alima.nutrition.enums import IssueSeverity
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules.facts import Measurement

#: WHO anthro flag column -> (error code, field the clinician must check).
WHO_FLAGS: Final[dict[str, tuple[NutritionError, str]]] = {
    "fwei": (NutritionError.NUT_011, "weight_kg"),
    "fwfl": (NutritionError.NUT_012, "weight_kg"),
    "fbmi": (NutritionError.NUT_012, "weight_kg"),
    "flen": (NutritionError.NUT_013, "height_cm"),
    "fac": (NutritionError.NUT_014, "muac_mm"),
}

Param = int | float | str


@dataclass(frozen=True, slots=True)
class PlausibilityIssue:
    """One problem with a measurement.

    ``code`` is the catalogue entry whose English template (``message``) the UI translates and
    formats with ``params`` (named placeholders); ``field`` names the input to highlight.
    """

    code: NutritionError
    severity: IssueSeverity
    field: str
    params: Mapping[str, Param]

    @property
    def message(self) -> str:
        """English message template (marked with ``N_``), placeholders named as ``params``."""
        return self.code.detail.message

    def error(self) -> RuleViolation:
        """This issue as the error a service raises."""
        return RuleViolation(self.code, field=self.field, **self.params)


def plausibility(
    m: Measurement,
    *,
    age_days: int | None,
    p: ProtocolDefinition,
    who_flags: Mapping[str, bool] | None = None,
) -> list[PlausibilityIssue]:
    """Every plausibility issue of ``m``: ``refuse`` ones first, then ``confirm`` ones.

    A value outside the refuse limits is refused (MUAC < 60 or > 260 mm, weight outside
    0.9-58 kg, length/height outside 38-150 cm by default). A MUAC outside 100-200 mm, or
    a raised WHO flag, is held for confirmation; a flag on a field already refused adds
    nothing. Unknown flag names give a generic NUT_015 issue.
    """
    limits = p.plausibility
    refused: list[PlausibilityIssue] = []
    confirm: list[PlausibilityIssue] = []
    if age_days is not None and age_days < 0:
        refused.append(_issue(NutritionError.NUT_009, IssueSeverity.REFUSE, "age", {}))
    if m.muac_mm is not None:
        params: dict[str, Param] = {"muac_mm": m.muac_mm}
        if not limits.muac_refuse_below_mm <= m.muac_mm <= limits.muac_refuse_above_mm:
            refused.append(_issue(NutritionError.NUT_006, IssueSeverity.REFUSE, "muac_mm", params))
        elif not limits.muac_confirm_below_mm <= m.muac_mm <= limits.muac_confirm_above_mm:
            params |= {
                "low_mm": limits.muac_confirm_below_mm,
                "high_mm": limits.muac_confirm_above_mm,
            }
            confirm.append(_issue(NutritionError.NUT_010, IssueSeverity.CONFIRM, "muac_mm", params))
    for code, name, value, low, high in (
        (
            NutritionError.NUT_007,
            "weight_kg",
            m.weight_kg,
            limits.weight_refuse_below_kg,
            limits.weight_refuse_above_kg,
        ),
        (
            NutritionError.NUT_008,
            "height_cm",
            m.height_cm,
            limits.height_refuse_below_cm,
            limits.height_refuse_above_cm,
        ),
    ):
        if value is not None and not low <= value <= high:
            refused.append(_issue(code, IssueSeverity.REFUSE, name, {name: value}))
    refused_fields = {issue.field for issue in refused}
    for flag, raised in sorted((who_flags or {}).items()):
        if not raised:
            continue
        code, field = WHO_FLAGS.get(flag, (NutritionError.NUT_015, "measurement"))
        if field in refused_fields or any(i.code is code for i in confirm):
            continue
        confirm.append(_issue(code, IssueSeverity.CONFIRM, field, _flag_params(m, flag)))
    return [*refused, *confirm]


def _issue(
    code: NutritionError, severity: IssueSeverity, field: str, params: Mapping[str, Param]
) -> PlausibilityIssue:
    return PlausibilityIssue(code=code, severity=severity, field=field, params=dict(params))


def _flag_params(m: Measurement, flag: str) -> dict[str, Param]:
    params: dict[str, Param] = {"flag": flag}
    for name, value in (
        ("muac_mm", m.muac_mm),
        ("weight_kg", m.weight_kg),
        ("height_cm", m.height_cm),
    ):
        if value is not None:
            params[name] = value
    return params


def require_plausible(issues: Iterable[PlausibilityIssue], *, confirmed: bool) -> None:
    """Raise unless the measurement may be saved.

    Raises:
        RuleViolation: the first refused issue's code (with ``field`` and its params); or
            NUT_016 when issues need confirmation and ``confirmed`` is false, with their codes
            and fields in the context (``issues``, ``fields``).
    """
    pending: list[PlausibilityIssue] = []
    for issue in issues:
        if issue.severity is IssueSeverity.REFUSE:
            raise issue.error()
        pending.append(issue)
    if pending and not confirmed:
        raise RuleViolation(
            NutritionError.NUT_016,
            issues=[issue.code.name for issue in pending],
            fields=[issue.field for issue in pending],
        )
