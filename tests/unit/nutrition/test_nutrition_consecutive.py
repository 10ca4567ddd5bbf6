""" "Two consecutive" counts visits at which the measurement was taken (docs/clinical-rules.md §3.4).

Rule 3 of §3.4: two consecutive scheduled visits *at which MUAC is recorded*. A visit without
MUAC neither counts towards the ComPAS step-down (§3.3 transition) or the cure (§3.1, §3.3, §2),
nor hides a streak already begun; the assessment says what is still awaited.
"""

from __future__ import annotations

from alima.nutrition.enums import AwaitedKind, Band, Oedema, Outcome
from alima.nutrition.rules import VisitFacts, assess_visit, exit_assessment
from tests.unit.nutrition.builders import (
    COMPAS,
    OPTIMA,
    STANDARD,
    make_admission,
    make_measurement,
    make_visit,
)


def _visits(*muacs: int | None, every: int = 7) -> list[VisitFacts]:
    """Visits every ``every`` days with a weight each time and MUAC only when given."""
    return [
        make_visit(n * every, make_measurement(muac, 7.0)) for n, muac in enumerate(muacs, start=1)
    ]


def test_compas_one_muac_then_none_keeps_the_sam_ration() -> None:
    admission = make_admission(make_measurement(110, 7.0), COMPAS)
    a = assess_visit(admission=admission, visits=_visits(116, None), p=COMPAS)
    assert a.band is Band.SEVERE
    assert a.ration is not None
    assert a.ration.sachets_per_day == 2
    step = [w for w in a.awaited if w.kind is AwaitedKind.STEP_DOWN]
    assert len(step) == 1
    assert step[0].measurements == 1
    assert step[0].muac_min_mm == COMPAS.case_definition.sam_muac_below_mm


def test_compas_visit_without_muac_does_not_hide_the_transition() -> None:
    admission = make_admission(make_measurement(110, 7.0), COMPAS)
    a = assess_visit(admission=admission, visits=_visits(116, None, 117), p=COMPAS)
    assert a.band is Band.MODERATE
    assert a.previous_band is Band.SEVERE
    assert not [w for w in a.awaited if w.kind is AwaitedKind.STEP_DOWN]


def test_compas_oedema_without_muac_counts_as_severe() -> None:
    admission = make_admission(make_measurement(110, 7.0), COMPAS)
    visits = [
        *_visits(116),
        make_visit(14, make_measurement(None, 7.0, oedema=Oedema.PLUS1)),
        make_visit(21, make_measurement(117, 7.0)),
    ]
    a = assess_visit(admission=admission, visits=visits, p=COMPAS)
    assert a.band is Band.SEVERE


def test_cure_counts_only_measured_visits() -> None:
    for p in (COMPAS, OPTIMA):
        admission = make_admission(make_measurement(113, 7.0), p)
        visits = _visits(116, 121, 121, 125, None, every=7)
        a = exit_assessment(admission=admission, visits=visits, p=p)
        assert a.cure_streak == 1, p.code
        assert a.outcome is None
        visits = _visits(116, 121, 121, 125, None, 126, every=7)
        a = exit_assessment(admission=admission, visits=visits, p=p)
        assert a.cure_streak == 2, p.code
        assert a.outcome is Outcome.CURED, p.code


def test_standard_cure_on_whz_skips_visits_without_whz() -> None:
    m = make_measurement(None, 7.0, whz=-3.5)
    admission = make_admission(m, STANDARD)
    visits = [
        make_visit(7, make_measurement(None, 7.3, whz=-1.9)),
        make_visit(14, make_measurement(None, None)),
        make_visit(21, make_measurement(None, 7.5, whz=-1.8)),
    ]
    a = exit_assessment(admission=admission, visits=visits, p=STANDARD)
    assert a.cure_streak == 2
    assert a.outcome is Outcome.CURED


def test_cure_awaited_is_stated() -> None:
    admission = make_admission(make_measurement(113, 7.0), COMPAS)
    a = assess_visit(admission=admission, visits=_visits(118, 125, None), p=COMPAS)
    cure = [w for w in a.awaited if w.kind is AwaitedKind.CURE]
    assert len(cure) == 1
    assert cure[0].measurements == 1
    assert cure[0].muac_min_mm == 125
