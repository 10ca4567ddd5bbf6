"""Everything the protocol decides at a visit, in one pure call.

A service records a visit, then shows "what to do for this patient now": band, ration with its
arithmetic, next visit, alerts and suggested exit. Computing them together here keeps the
service a thin transaction and the page free of logic (docs/design.md, "How data flows").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from alima.nutrition.enums import AdmissionCriterion, AwaitedKind, Band
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules.admission import Classification, classify
from alima.nutrition.rules.dosing import (
    Ration,
    dose_band,
    next_visit_on,
    ration,
    step_down_awaited,
    visit_interval_days,
)
from alima.nutrition.rules.exit import ExitAssessment, exit_assessment
from alima.nutrition.rules.facts import AdmissionFacts, Measurement, VisitFacts, timeline
from alima.nutrition.rules.follow_up import Alert, alerts


@dataclass(frozen=True, slots=True)
class Awaited:
    """A rule under way: ``measurements`` more visits meeting the thresholds are awaited.

    ``step_down``: MUAC >= ``muac_min_mm`` (ComPAS transition, docs/clinical-rules.md §3.3);
    ``cure``: MUAC >= ``muac_min_mm`` and/or WHZ >= ``whz_min`` without oedema (§2, §3.1,
    §3.3). Visits without the measurement do not count (§3.4 rule 3), so the card says what
    the next visit must record.
    """

    kind: AwaitedKind
    measurements: int
    muac_min_mm: int | None = None
    whz_min: float | None = None


@dataclass(frozen=True, slots=True)
class VisitAssessment:
    """The protocol's decisions at the latest point of an episode.

    ``band`` governs the dose from now on, ``previous_band`` governed it before (``None`` at
    admission). ``ration`` and ``next_visit_on`` are ``None`` when an exit is suggested; a
    clinician who keeps the child anyway gets them from ``ration`` and ``next_visit_on``.
    """

    classification: Classification
    band: Band
    previous_band: Band | None
    alerts: tuple[Alert, ...]
    exit: ExitAssessment
    ration: Ration | None
    next_visit_on: date | None
    awaited: tuple[Awaited, ...] = ()

    @property
    def band_changed(self) -> bool:
        """True when the dose band differs from the previous point's."""
        return self.previous_band is not None and self.previous_band is not self.band


def _informative(m: Measurement, p: ProtocolDefinition) -> bool:
    return m.muac_mm is not None or m.oedema.present or (p.admission.use_whz and m.whz is not None)


def band_history(points: Sequence[VisitFacts], p: ProtocolDefinition) -> list[Band | None]:
    """Classified band of each point, oldest first, for ``dose_band``.

    A point without MUAC, oedema or usable WHZ is ``None`` (the admission is always
    classified): it never lowers the dose, and it neither counts towards nor interrupts
    consecutive visits (docs/clinical-rules.md §3.4 rule 3).
    """
    return [
        classify(point.measurement, p).band
        if index == 0 or _informative(point.measurement, p)
        else None
        for index, point in enumerate(points)
    ]


def awaited(
    bands: Sequence[Band | None], exit_: ExitAssessment, p: ProtocolDefinition
) -> tuple[Awaited, ...]:
    """What an open episode waits for: the rest of a step-down or a cure already begun."""
    found: list[Awaited] = []
    step = step_down_awaited(bands, p)
    if step:
        band = p.band_rule(dose_band(bands, p))
        found.append(Awaited(AwaitedKind.STEP_DOWN, step, muac_min_mm=band.muac_below_mm))
    if exit_.outcome is None and 0 < exit_.cure_streak < exit_.cure_visits_needed:
        rule = p.exit.cure
        found.append(
            Awaited(
                AwaitedKind.CURE,
                exit_.cure_visits_needed - exit_.cure_streak,
                muac_min_mm=rule.muac_min_mm
                if AdmissionCriterion.MUAC in exit_.cure_indicators
                else None,
                whz_min=rule.whz_min if AdmissionCriterion.WHZ in exit_.cure_indicators else None,
            )
        )
    return tuple(found)


def awaited_in_episode(
    *, admission: AdmissionFacts, visits: Sequence[VisitFacts], p: ProtocolDefinition
) -> tuple[Awaited, ...]:
    """:func:`awaited` at the latest of ``visits``, for a card read later."""
    points = timeline(admission, visits)
    return awaited(
        band_history(points, p), exit_assessment(admission=admission, visits=visits, p=p), p
    )


def assess_visit(
    *,
    admission: AdmissionFacts,
    visits: Sequence[VisitFacts],
    p: ProtocolDefinition,
    ration_days: int | None = None,
) -> VisitAssessment:
    """Band, ration, next visit, alerts and exit at the latest of ``visits`` (or at admission).

    The ration covers ``ration_days`` (default: the band's visit interval, i.e. until the next
    scheduled visit). See ``dose_band``, ``ration``, ``alerts`` and ``exit_assessment`` for the
    rules and their sources.

    Raises:
        RuleViolation: NUT_021 (visits out of order), NUT_005/NUT_019 (weight missing or below
            the dose table) when a ration is due.
    """
    points = timeline(admission, visits)
    current = points[-1]
    bands = band_history(points, p)
    band = dose_band(bands, p)
    previous_band = dose_band(bands[:-1], p) if len(bands) > 1 else None
    exit_ = exit_assessment(admission=admission, visits=visits, p=p)
    give: Ration | None = None
    next_on: date | None = None
    if exit_.outcome is None:
        days = ration_days if ration_days is not None else visit_interval_days(band, p)
        give = ration(band=band, weight_kg=current.measurement.weight_kg, days=days, p=p)
        next_on = next_visit_on(current.visit_on, band, p)
    return VisitAssessment(
        classification=classify(current.measurement, p),
        band=band,
        previous_band=previous_band,
        alerts=tuple(alerts(points[:-1], current, p)),
        exit=exit_,
        ration=give,
        next_visit_on=next_on,
        awaited=awaited(bands, exit_, p),
    )
