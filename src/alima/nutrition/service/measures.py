"""From a measurement to the rules' facts and a visit row (z-scores, plausibility)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alima.core.access import Actor
from alima.core.db import new_id
from alima.core.models import Patient
from alima.growth import child_zscores
from alima.nutrition.models import Episode, Visit
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules import (
    Measurement,
    VisitAssessment,
    plausibility,
    require_plausible,
)
from alima.nutrition.schemas import (
    AlertRead,
    MeasurementIn,
    VisitResult,
)
from alima.nutrition.service.episodes import (
    awaited_read,
    ration_read,
    visit_read,
)


@dataclass(frozen=True)
class Anthropometry:
    """A measurement with its age, z-scores and WHO flags."""

    measurement: Measurement
    age_days: int
    zwfl: float | None
    zwei: float | None
    zlen: float | None
    zac: float | None
    flags: list[str]


def anthropometry(
    patient: Patient,
    data: MeasurementIn,
    on: date,
    *,
    last_height: tuple[float, str | None] | None = None,
) -> Anthropometry:
    """Z-scores of a measurement; without a new height, the last one measured is used for WHZ.

    Height is measured less often than weight in CMAM follow-up; weight-for-height with the
    latest height is what the nurse would compute by hand. The visit still records no height.
    """
    age_days = (on - patient.birth_date).days
    height: float | None = data.height_cm
    measure: str | None = data.measure
    if height is None and last_height is not None:
        height, measure = last_height
    z = child_zscores(
        sex=1 if patient.sex == "M" else 2,
        age_days=age_days if age_days >= 0 else None,
        weight=data.weight_kg,
        lenhei=height,
        measure=measure,
        muac=data.muac_mm / 10 if data.muac_mm is not None else None,
        oedema="y" if data.oedema.present else "n",
    )
    flags = [
        name
        for name, value in (("fwei", z.fwei), ("fwfl", z.fwfl), ("flen", z.flen), ("fac", z.fac))
        if value == 1
    ]
    measurement = Measurement(
        muac_mm=data.muac_mm,
        weight_kg=data.weight_kg,
        height_cm=data.height_cm,
        oedema=data.oedema,
        whz=z.zwfl,
    )
    return Anthropometry(measurement, age_days, z.zwfl, z.zwei, z.zlen, z.zac, flags)


def check_plausible(a: Anthropometry, p: ProtocolDefinition, *, confirmed: bool) -> None:
    """Refuse an implausible measurement unless the clinician confirmed it."""
    issues = plausibility(
        a.measurement, age_days=a.age_days, p=p, who_flags=dict.fromkeys(a.flags, True)
    )
    require_plausible(issues, confirmed=confirmed)


def visit_row(
    episode: Episode,
    data: MeasurementIn,
    a: Anthropometry,
    on: date,
    assessment: VisitAssessment,
    *,
    is_admission: bool,
    actor: Actor,
) -> Visit:
    """The row of a visit: measurement, z-scores and the rules' decision."""
    given = assessment.ration
    return Visit(
        id=new_id(),  # known before the flush: the visit path flushes once, at commit
        episode_id=episode.id,
        place_id=episode.place_id,
        is_admission=is_admission,
        visit_on=on,
        weight_kg=data.weight_kg,
        height_cm=data.height_cm,
        measure=data.measure,
        muac_mm=data.muac_mm,
        oedema=data.oedema.value,
        temperature_c=data.temperature_c,
        appetite_test_passed=data.appetite_test_passed,
        danger_signs=data.danger_signs,
        complications=data.complications,
        age_days=a.age_days,
        zwfl=a.zwfl,
        zwei=a.zwei,
        zlen=a.zlen,
        zac=a.zac,
        who_flags=a.flags,
        confirmed_unusual=data.confirm_unusual,
        band=assessment.band.value,
        product=given.product.value if given else None,
        kcal_per_kg_day=float(given.kcal_per_kg_day) if given and given.kcal_per_kg_day else None,
        sachets_per_day=float(given.sachets_per_day) if given else None,
        ration_days=given.days if given else 0,
        sachets_given=given.sachets_for_period if given else 0,
        next_visit_on=assessment.next_visit_on,
        alerts=[al.kind.value for al in assessment.alerts],
        note=data.note,
        created_by_id=actor.id,
    )


def visit_result(episode: Episode, visit: Visit, a: VisitAssessment) -> VisitResult:
    """What a recorded visit decided, for the page."""
    return VisitResult(
        episode_id=episode.id,
        visit=visit_read(visit),
        band=a.band.value,
        previous_band=a.previous_band.value if a.previous_band else None,
        band_changed=a.band_changed,
        rutf_sachets_per_week=a.ration.sachets_per_week if a.ration else 0,
        ration=ration_read(a.ration) if a.ration else None,
        next_visit_on=a.next_visit_on,
        alerts=[
            AlertRead(kind=al.kind.value, action=al.action.value, params=dict(al.params))
            for al in a.alerts
        ],
        status=episode.status,
        outcome=episode.outcome,
        cure_streak=a.exit.cure_streak,
        cure_visits_needed=a.exit.cure_visits_needed,
        days_in_treatment=a.exit.days_in_treatment,
        awaited=awaited_read(a.awaited),
    )
