"""Antenatal, delivery and postnatal rules: visit numbers, flags, consistency of a delivery.

Sources: WHO 2016 recommendations on antenatal care (first contact within 12 weeks, blood
pressure of 140/90 mmHg or more is hypertension); docs/clinical-rules.md §6 for the MUAC of pregnant
and lactating women (below 230 mm or 210 mm depending on the protocol: a setting, UNCERTAIN);
WHO definitions of a skilled birth attendant (doctor, midwife, nurse).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from alima.care.enums import AncFlag, Attendant, DeliveryMode, DeliverySetting, NewbornOutcome

# Fever in pregnancy: the IMCI cut-off.
from alima.care.rules.imci import FEVER_FROM_C

#: Postnatal care covers the first 42 days after birth.
POSTNATAL_DAYS = 42
#: Low birth weight: under 2,500 g (WHO).
LOW_BIRTH_WEIGHT_BELOW_G = 2500
DAYS_PER_WEEK = 7

SKILLED_ATTENDANTS = frozenset({Attendant.DOCTOR, Attendant.MIDWIFE, Attendant.NURSE})
BIRTH_OUTCOMES_ALIVE = frozenset({NewbornOutcome.LIVE_BIRTH, NewbornOutcome.EARLY_NEONATAL_DEATH})


@dataclass(frozen=True)
class MaternalSettings:
    """Cut-offs of one country's maternal-health protocol."""

    #: Acute malnutrition of pregnant women: MUAC below this (docs/clinical-rules.md §6; 230 or
    #: 210 mm).
    plw_muac_below_mm: int = 230
    #: Hypertension in pregnancy: systolic 140 or diastolic 90 mmHg or more (WHO ANC 2016).
    systolic_high_from: int = 140
    diastolic_high_from: int = 90
    #: First antenatal contact should happen by 12 weeks of gestation (WHO ANC 2016).
    first_visit_by_weeks: int = 12
    #: Ages at which antenatal, delivery and postnatal records are plausible.
    mother_min_age_years: int = 10
    mother_max_age_years: int = 55
    #: Two gestational ages of one pregnancy may disagree with their dates by this much (dating
    #: by last menstrual period or fundal height is imprecise by about two to three weeks).
    gestational_age_tolerance_days: int = 21


DEFAULT_SETTINGS = MaternalSettings()


@dataclass(frozen=True)
class AntenatalPoint:
    """An antenatal visit as the consistency rules see it."""

    visited_on: date
    gestational_age_weeks: int | None


class MaternalInconsistency(ValueError):
    """A maternal record that contradicts the woman's age or her other records."""

    def __init__(self, kind: str, field: str) -> None:
        super().__init__(f"{kind}: {field}")
        self.kind = kind
        self.field = field


def check_mother_age(age_months: int, settings: MaternalSettings = DEFAULT_SETTINGS) -> None:
    """Refuse a maternal record for a girl or woman outside the plausible ages (both included).

    ``age_months`` is the age in completed months (``alima.core.time.age_in_months``).

    Raises:
        MaternalInconsistency: ``age``.
    """
    years = age_months // 12
    if not settings.mother_min_age_years <= years <= settings.mother_max_age_years:
        raise MaternalInconsistency("age", "__all__")


def pregnancy_start(point: AntenatalPoint) -> date | None:
    """The start of the pregnancy (gestational age 0) the visit's gestational age implies."""
    if point.gestational_age_weeks is None:
        return None
    return point.visited_on - timedelta(days=point.gestational_age_weeks * DAYS_PER_WEEK)


def after_delivery_in_same_pregnancy(point: AntenatalPoint, delivered_on: date) -> bool:
    """True when an antenatal visit belongs to a pregnancy that ended with this delivery.

    The visit is on or after the delivery while its pregnancy started before it; without a
    gestational age, a visit within the postnatal period (42 days) is taken as such.
    """
    if point.visited_on < delivered_on:
        return False
    start = pregnancy_start(point)
    if start is None:
        return (point.visited_on - delivered_on).days < POSTNATAL_DAYS
    return start < delivered_on


def check_antenatal(
    point: AntenatalPoint,
    *,
    others: Sequence[AntenatalPoint],
    deliveries: Sequence[date],
    settings: MaternalSettings = DEFAULT_SETTINGS,
) -> None:
    """Refuse an antenatal visit that contradicts the woman's other records.

    * ``delivery_order``: the visit falls after a delivery that ended its pregnancy.
    * ``gestational_age``: another visit of the same pregnancy (no delivery between them)
      dates its start more than ``gestational_age_tolerance_days`` apart (two visits are of
      the same pregnancy when each is after the other's implied start).

    Raises:
        MaternalInconsistency: naming the field to correct.
    """
    if any(after_delivery_in_same_pregnancy(point, d) for d in deliveries):
        raise MaternalInconsistency("delivery_order", "visited_on")
    start = pregnancy_start(point)
    if start is None:
        return
    for other in others:
        other_start = pregnancy_start(other)
        if other_start is None:
            continue
        low, high = sorted((other.visited_on, point.visited_on))
        same = other.visited_on > start and point.visited_on > other_start
        if not same or any(low <= d <= high for d in deliveries):
            continue  # another pregnancy, or one ended by a delivery in between
        if abs((start - other_start).days) > settings.gestational_age_tolerance_days:
            raise MaternalInconsistency("gestational_age", "gestational_age_weeks")


def check_delivery_dates(delivered_on: date, antenatal: Sequence[AntenatalPoint]) -> None:
    """Refuse a delivery dated before an antenatal visit of the same pregnancy.

    Raises:
        MaternalInconsistency: ``delivery_order`` on ``delivered_on``.
    """
    if any(after_delivery_in_same_pregnancy(point, delivered_on) for point in antenatal):
        raise MaternalInconsistency("delivery_order", "delivered_on")


def low_birth_weight(weight_g: int | None) -> bool:
    """Whether a baby weighed under 2,500 g at birth (WHO); unknown weight is not flagged."""
    return weight_g is not None and weight_g < LOW_BIRTH_WEIGHT_BELOW_G


def anc_flags(
    *,
    visit_number: int,
    gestational_age_weeks: int | None,
    systolic_mmhg: int | None,
    diastolic_mmhg: int | None,
    muac_mm: int | None,
    temperature_c: float | None,
    settings: MaternalSettings = DEFAULT_SETTINGS,
) -> tuple[AncFlag, ...]:
    """Findings of an antenatal visit that need attention."""
    flags: list[AncFlag] = []
    if (systolic_mmhg is not None and systolic_mmhg >= settings.systolic_high_from) or (
        diastolic_mmhg is not None and diastolic_mmhg >= settings.diastolic_high_from
    ):
        flags.append(AncFlag.HIGH_BLOOD_PRESSURE)
    if muac_mm is not None and muac_mm < settings.plw_muac_below_mm:
        flags.append(AncFlag.LOW_MUAC)
    if temperature_c is not None and temperature_c >= FEVER_FROM_C:
        flags.append(AncFlag.FEVER)
    if (
        visit_number == 1
        and gestational_age_weeks is not None
        and gestational_age_weeks > settings.first_visit_by_weeks
    ):
        flags.append(AncFlag.LATE_FIRST_VISIT)
    return tuple(flags)


def skilled_attendant(attendant: Attendant) -> bool:
    """Whether the delivery was assisted by a skilled attendant (doctor, midwife, nurse)."""
    return attendant in SKILLED_ATTENDANTS


class DeliveryInconsistency(ValueError):
    """A delivery whose parts contradict each other (the message names the field)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def check_delivery(
    *, setting: DeliverySetting, attendant: Attendant, mode: DeliveryMode, babies: int
) -> None:
    """Refuse a delivery that cannot have happened as recorded.

    A caesarean or an assisted vaginal delivery happens in a facility with a skilled attendant;
    a record has one to six babies.

    Raises:
        DeliveryInconsistency: naming the field to correct.
    """
    if not 1 <= babies <= 6:  # noqa: PLR2004 - sextuplets are the most ever recorded alive
        raise DeliveryInconsistency("babies", "between 1 and 6")
    if mode is not DeliveryMode.SPONTANEOUS_VAGINAL:
        if setting is not DeliverySetting.FACILITY:
            raise DeliveryInconsistency("mode", "facility only")
        if not skilled_attendant(attendant):
            raise DeliveryInconsistency("attendant", "skilled attendant required")


def postnatal_day(delivered_on: date, visited_on: date) -> int:
    """Days since the birth (0 on the day of birth)."""
    return (visited_on - delivered_on).days
