"""Dose band, ration and visit interval, with the arithmetic shown step by step.

Why the steps: in the OptiMA pilot the dose was applied correctly at every visit for only
75.9 % of children (docs/clinical-rules.md §3.2), so the platform computes it at every visit and shows
how, as numbers with units that the UI formats per locale (never pre-formatted text).

Sources (docs/clinical-rules.md): §3.4 rules 1-4 (kcal x weight / 500, recompute at every visit, oedema
overrides MUAC); §3.1 OptiMA 170/125/75 kcal/kg/day; §3.3 ComPAS 2 or 1 sachets a day and the
SAM -> MAM transition after two consecutive MUAC >= 115 mm; §2 standard weight-band table and
RUSF 1 sachet a day; visit frequency weekly (SAM) and every 14 days (MAM).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Final

from alima.core.errors import RuleViolation
from alima.nutrition.enums import (
    Band,
    DoseMethod,
    Product,
    SachetRounding,
    StepDown,
    StepOperation,
    Unit,
)
from alima.nutrition.errors import NutritionError
from alima.nutrition.protocol import (
    FixedDose,
    KcalPerKgDose,
    ProtocolDefinition,
    WeightTableDose,
)
from alima.nutrition.rules.facts import decimal

DAYS_PER_WEEK: Final = 7
_HALF: Final = Decimal("0.5")


def treatment_band(band: Band, p: ProtocolDefinition) -> Band:
    """The protocol band whose rules apply: ``normal`` maps to the least severe band.

    A child in treatment whose MUAC has reached the cure threshold once keeps the lowest dose
    until the cure is confirmed (the cure needs consecutive measurements, §3.1, §3.3).
    """
    if band is Band.NORMAL:
        return p.least_severe_band
    return p.band_rule(band).code


def dose_band(bands: Sequence[Band | None], p: ProtocolDefinition) -> Band:
    """The band that governs the dose now, from the classified bands since admission.

    ``bands`` are the classifications of the admission and each visit, oldest first; ``None``
    marks a visit whose measurements classify nothing (no MUAC, no oedema, no usable WHZ): it
    neither counts towards a step-down nor interrupts one ("two consecutive" counts visits at
    which MUAC was recorded, docs/clinical-rules.md §3.4 rule 3). A more severe band applies at
    once (§3.4 rule 4). Stepping down follows ``dosing.step_down``: ``each_visit`` (OptiMA,
    §3.4 rule 2), ``after_consecutive`` (ComPAS: the last ``step_down_visits`` classified
    visits must all be milder, §3.3), or ``never`` (standard WHO 2013: RUTF until recovery, §2).
    """
    positions = [p.band_index(treatment_band(band, p)) for band in bands if band is not None]
    if not positions:
        msg = "dose_band needs at least the admission's band"
        raise ValueError(msg)
    rule = p.dosing
    if rule.step_down is StepDown.EACH_VISIT:
        position = positions[-1]
    elif rule.step_down is StepDown.AFTER_CONSECUTIVE:
        position = min(positions[-rule.step_down_visits :])
    else:
        position = min(positions)
    return p.bands[position].code


def step_down_awaited(bands: Sequence[Band | None], p: ProtocolDefinition) -> int:
    """Classified visits still needed in a milder band before the dose steps down (0: none).

    Only for ``after_consecutive`` (ComPAS §3.3): when the latest classified visits are milder
    than the dose band, the remaining count to ``step_down_visits``; visits without a
    classification (``None``) are skipped, as in :func:`dose_band`.
    """
    if p.dosing.step_down is not StepDown.AFTER_CONSECUTIVE:
        return 0
    current = p.band_index(dose_band(bands, p))
    run = 0
    for band in reversed(bands):
        if band is None:
            continue
        if p.band_index(treatment_band(band, p)) <= current:
            break
        run += 1
    return p.dosing.step_down_visits - run if run else 0


def visit_interval_days(band: Band, p: ProtocolDefinition) -> int:
    """Days to the next visit in ``band`` (weekly SAM, 14 days MAM: ComPAS Table 1, §2)."""
    return p.band_rule(treatment_band(band, p)).visit_interval_days


def next_visit_on(visit_on: date, band: Band, p: ProtocolDefinition) -> date:
    """Date of the next scheduled visit after a visit on ``visit_on`` in ``band``."""
    return visit_on + timedelta(days=visit_interval_days(band, p))


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit, for display."""

    value: Decimal
    unit: Unit


@dataclass(frozen=True, slots=True)
class RationStep:
    """One line of the ration arithmetic.

    ``multiply``/``divide``: ``operands[0] x|÷ operands[1] = result``; ``round``: ``operands[0]
    -> result`` by ``rounding``; ``round_up``: ``operands[0] -> result`` up to a whole sachet;
    ``lookup``: weight ``operands[0]`` in the table row from ``operands[1]`` (to below
    ``operands[2]`` when present) -> ``result``; ``fixed``: ``result`` whatever the weight.
    """

    operation: StepOperation
    operands: tuple[Quantity, ...]
    result: Quantity
    rounding: SachetRounding | None = None


@dataclass(frozen=True, slots=True)
class Ration:
    """The take-home ration for a period, and how it was computed.

    ``kcal_per_day`` is the prescribed energy (before rounding for ``kcal_per_kg``);
    ``sachets_per_day_exact`` is the unrounded daily ration; ``sachets_per_day`` is what the
    caregiver gives each day; ``kcal_per_day_given`` is its energy. Totals are whole sachets,
    rounded up: ``sachets_for_period`` for ``days``, ``sachets_per_week`` for 7 days.
    """

    band: Band
    product: Product
    method: DoseMethod
    days: int
    kcal_per_kg_day: int | None
    kcal_per_day: Decimal
    sachets_per_day_exact: Decimal
    sachets_per_day: Decimal
    kcal_per_day_given: Decimal
    sachets_per_week: int
    sachets_for_period: int
    steps: tuple[RationStep, ...]


def round_sachets(sachets: Decimal, rounding: SachetRounding) -> Decimal:
    """A computed daily ration in sachets, rounded by the protocol's rule (§3.4 rule 1).

    ``ceil_half_per_day``: up to the next half sachet (2.04 -> 2.5); ``ceil_whole_per_day``:
    up to the next sachet (2.04 -> 3); ``nearest_half_per_day``: nearest half sachet, halves
    up, never below half a sachet (2.2 -> 2.0, 2.25 -> 2.5); ``ceil_period_total``: unchanged,
    only the period's total is rounded up.
    """
    if rounding is SachetRounding.CEIL_HALF_PER_DAY:
        return (sachets * 2).to_integral_value(ROUND_CEILING) / 2
    if rounding is SachetRounding.CEIL_WHOLE_PER_DAY:
        return sachets.to_integral_value(ROUND_CEILING)
    if rounding is SachetRounding.NEAREST_HALF_PER_DAY:
        return max(_HALF, (sachets * 2).to_integral_value(ROUND_HALF_UP) / 2)
    return sachets


def ration(*, band: Band, weight_kg: float | None, days: int, p: ProtocolDefinition) -> Ration:
    """Sachets for ``days`` days in ``band`` (``normal`` = the least severe band's dose).

    * ``kcal_per_kg`` (OptiMA): kcal/kg/day x weight = kcal/day, ÷ kcal per sachet =
      sachets/day, both exact (never rounded down before the ceiling, so the ration is never
      below the prescription), rounded by ``dosing.rounding``. E.g. 170 x 6.0 kg = 1020
      kcal/d; 1020 ÷ 500 = 2.04 -> 2.5 sachets/d; x 7 d = 17.5 -> 18 sachets.
    * ``fixed`` (ComPAS 2 or 1 a day; standard MAM RUSF 1 a day): weight not used.
    * ``weight_table`` (standard SAM): the row whose ``weight_min_kg`` is the highest at or
      below the weight.

    Raises:
        RuleViolation: NUT_005 when the weight is needed and missing; NUT_007 when it is not
            positive; NUT_019 when it is below the table's first row; NUT_022 for a band the
            protocol does not define.
    """
    if days < 1:
        msg = "a ration covers at least one day"
        raise ValueError(msg)
    rule = p.band_rule(treatment_band(band, p))
    dose = rule.dose
    kcal_per_sachet = Decimal(p.products.spec(dose.product).kcal_per_sachet)
    steps: list[RationStep] = []
    kcal_per_kg_day: int | None = None
    if isinstance(dose, KcalPerKgDose):
        weight = _weight(weight_kg)
        kcal_per_kg_day = dose.kcal_per_kg_day
        # Neither the kcal nor the sachets are rounded before the ceiling: rounding 1000.45
        # kcal to 1000 first would give 2.0 sachets, below the prescription (§3.4 rule 1).
        kcal_per_day = dose.kcal_per_kg_day * weight
        exact = kcal_per_day / kcal_per_sachet
        per_day = round_sachets(exact, p.dosing.rounding)
        steps += [
            RationStep(
                StepOperation.MULTIPLY,
                (
                    Quantity(Decimal(kcal_per_kg_day), Unit.KCAL_PER_KG_DAY),
                    Quantity(weight, Unit.KG),
                ),
                Quantity(kcal_per_day, Unit.KCAL_PER_DAY),
            ),
            RationStep(
                StepOperation.DIVIDE,
                (
                    Quantity(kcal_per_day, Unit.KCAL_PER_DAY),
                    Quantity(kcal_per_sachet, Unit.KCAL_PER_SACHET),
                ),
                Quantity(exact, Unit.SACHETS_PER_DAY),
            ),
        ]
        if p.dosing.rounding is not SachetRounding.CEIL_PERIOD_TOTAL:
            steps.append(
                RationStep(
                    StepOperation.ROUND,
                    (Quantity(exact, Unit.SACHETS_PER_DAY),),
                    Quantity(per_day, Unit.SACHETS_PER_DAY),
                    p.dosing.rounding,
                )
            )
    elif isinstance(dose, FixedDose):
        exact = per_day = dose.sachets_per_day
        kcal_per_day = per_day * kcal_per_sachet
        steps.append(RationStep(StepOperation.FIXED, (), Quantity(per_day, Unit.SACHETS_PER_DAY)))
    else:
        exact = per_day = _lookup(dose, _weight(weight_kg), steps)
        kcal_per_day = per_day * kcal_per_sachet
    period_exact = per_day * days
    period = int(period_exact.to_integral_value(ROUND_CEILING))
    steps.append(
        RationStep(
            StepOperation.MULTIPLY,
            (Quantity(per_day, Unit.SACHETS_PER_DAY), Quantity(Decimal(days), Unit.DAYS)),
            Quantity(period_exact, Unit.SACHETS),
        )
    )
    if period != period_exact:
        steps.append(
            RationStep(
                StepOperation.ROUND_UP,
                (Quantity(period_exact, Unit.SACHETS),),
                Quantity(Decimal(period), Unit.SACHETS),
            )
        )
    return Ration(
        band=rule.code,
        product=dose.product,
        method=DoseMethod(dose.method),
        days=days,
        kcal_per_kg_day=kcal_per_kg_day,
        kcal_per_day=kcal_per_day,
        sachets_per_day_exact=exact,
        sachets_per_day=per_day,
        kcal_per_day_given=per_day * kcal_per_sachet,
        sachets_per_week=int((per_day * DAYS_PER_WEEK).to_integral_value(ROUND_CEILING)),
        sachets_for_period=period,
        steps=tuple(steps),
    )


def _weight(weight_kg: float | None) -> Decimal:
    if weight_kg is None:
        raise RuleViolation(NutritionError.NUT_005)
    if weight_kg <= 0:
        raise RuleViolation(NutritionError.NUT_007, weight_kg=weight_kg)
    return decimal(weight_kg)


def _lookup(dose: WeightTableDose, weight: Decimal, steps: list[RationStep]) -> Decimal:
    table = dose.table
    if weight < table[0].weight_min_kg:
        raise RuleViolation(
            NutritionError.NUT_019, weight_kg=float(weight), min_kg=float(table[0].weight_min_kg)
        )
    index = max(i for i, row in enumerate(table) if row.weight_min_kg <= weight)
    row = table[index]
    operands = [Quantity(weight, Unit.KG), Quantity(row.weight_min_kg, Unit.KG)]
    if index + 1 < len(table):
        operands.append(Quantity(table[index + 1].weight_min_kg, Unit.KG))
    steps.append(
        RationStep(
            StepOperation.LOOKUP,
            tuple(operands),
            Quantity(row.sachets_per_day, Unit.SACHETS_PER_DAY),
        )
    )
    return row.sachets_per_day
