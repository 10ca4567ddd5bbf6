"""Antenatal, delivery and postnatal rules: visit numbers, flags, consistency of a delivery.

Sources: WHO 2016 recommendations on antenatal care (first contact within 12 weeks, blood
pressure of 140/90 mmHg or more is hypertension); docs/clinical-rules.md §6 for the MUAC of pregnant
and lactating women (below 230 mm or 210 mm depending on the protocol: a setting, UNCERTAIN);
WHO definitions of a skilled birth attendant (doctor, midwife, nurse).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alima.care.enums import AncFlag, Attendant, DeliveryMode, DeliverySetting, NewbornOutcome

#: Hypertension in pregnancy: systolic 140 or diastolic 90 mmHg or more (WHO ANC 2016).
SYSTOLIC_HIGH_FROM = 140
DIASTOLIC_HIGH_FROM = 90
#: Acute malnutrition of pregnant women: MUAC below this (docs/clinical-rules.md §6; 230 or 210 mm).
PLW_MUAC_BELOW_MM = 230
#: First antenatal contact should happen by 12 weeks of gestation (WHO ANC 2016).
FIRST_VISIT_BY_WEEKS = 12
#: Fever in pregnancy (same cut-off as IMCI).
FEVER_FROM_C = 37.5
#: Postnatal care covers the first 42 days after birth.
POSTNATAL_DAYS = 42

SKILLED_ATTENDANTS = frozenset({Attendant.DOCTOR, Attendant.MIDWIFE, Attendant.NURSE})
BIRTH_OUTCOMES_ALIVE = frozenset({NewbornOutcome.LIVE_BIRTH, NewbornOutcome.EARLY_NEONATAL_DEATH})


@dataclass(frozen=True)
class MaternalSettings:
    """Cut-offs of one country's maternal-health protocol."""

    plw_muac_below_mm: int = PLW_MUAC_BELOW_MM
    systolic_high_from: int = SYSTOLIC_HIGH_FROM
    diastolic_high_from: int = DIASTOLIC_HIGH_FROM
    first_visit_by_weeks: int = FIRST_VISIT_BY_WEEKS


DEFAULT_SETTINGS = MaternalSettings()


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
