"""Everything the protocol decides at a visit, in one pure call.

A service records a visit, then shows "what to do for this patient now": band, ration with its
arithmetic, next visit, alerts and suggested exit. Computing them together here keeps the
service a thin transaction and the page free of logic (docs/design.md, "How data flows").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from alima.nutrition.enums import Band
from alima.nutrition.protocol import ProtocolDefinition
from alima.nutrition.rules.admission import Classification, classify
from alima.nutrition.rules.dosing import (
    Ration,
    dose_band,
    next_visit_on,
    ration,
    visit_interval_days,
)
from alima.nutrition.rules.exit import ExitAssessment, exit_assessment
from alima.nutrition.rules.facts import AdmissionFacts, Measurement, VisitFacts, timeline
from alima.nutrition.rules.follow_up import Alert, alerts


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

    @property
    def band_changed(self) -> bool:
        """True when the dose band differs from the previous point's."""
        return self.previous_band is not None and self.previous_band is not self.band


def _informative(m: Measurement, p: ProtocolDefinition) -> bool:
    return m.muac_mm is not None or m.oedema.present or (p.admission.use_whz and m.whz is not None)


def band_history(points: Sequence[VisitFacts], p: ProtocolDefinition) -> list[Band]:
    """Classified band of each point, oldest first, for ``dose_band``.

    A point without MUAC, oedema or usable WHZ keeps the band before it, so a missing
    measurement never lowers the dose.
    """
    bands: list[Band] = []
    for point in points:
        if _informative(point.measurement, p) or not bands:
            bands.append(classify(point.measurement, p).band)
        else:
            bands.append(bands[-1])
    return bands


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
    )
