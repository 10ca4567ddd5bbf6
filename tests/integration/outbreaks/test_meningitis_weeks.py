"""Must-show 2: a district's weekly reports fed week by week raise the meningitis alert, then
the epidemic, at the right weeks (docs/clinical-rules.md §8.1, §13.2), on both databases.

District of 60,000 inhabitants: alert at 3 per 100,000 a week (2 cases), epidemic at 10 (6
cases). Area A has 20,000 inhabitants (alert at 2 cases, epidemic at 5), area B 40,000
(rates: alert 1.2 cases, so 2; epidemic 4 cases).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alima.outbreaks import service
from tests.factories.core import World
from tests.factories.outbreaks import meningitis_world, send_report, weeks_ago

#: Cases of meningitis reported by facilities A and B, week by week.
WEEKS = [
    (1, 0),  # district 1: 1.7 / 100,000: nothing
    (1, 1),  # district 2: 3.3 / 100,000: district alert
    (1, 1),  # district 2: the alert is open, nothing new
    # district 6: 10 / 100,000: district epidemic; A 3 cases: alert (3 against 1 two weeks
    # before is no doubling: it counts from the alert count, 2); B 7.5 / 100,000: alert
    (3, 3),
    (2, 2),  # nothing new: everything open
]


def test_meningitis_alert_then_epidemic_week_by_week(session: Session, world: World) -> None:
    weeks = [weeks_ago(len(WEEKS) - i) for i in range(len(WEEKS))]
    meningitis_world(session, world, weeks[0].year)
    clinician_a, clinician_b = world.actors["clinician_a"], world.actors["clinician_b"]
    raised_by_week = []
    for week, (a, b) in zip(weeks, WEEKS, strict=True):
        first = send_report(session, clinician_a, world.facility_a.code, week, {"meningitis": a})
        second = send_report(session, clinician_b, world.facility_b.code, week, {"meningitis": b})
        raised_by_week.append(
            sorted((r.place_code, r.level.value) for r in [*first.raised, *second.raised])
        )
    district, area_a, area_b = world.district.code, world.area_a.code, world.area_b.code
    assert raised_by_week == [
        [],
        [(district, "alert")],
        [],
        sorted([(district, "epidemic"), (area_a, "alert"), (area_b, "alert")]),
        [],
    ]
    alerts = service.list_alerts(session, actor=world.actors["data_manager"])
    by_key = {(a.place_code, a.level.value): a for a in alerts}
    alert = by_key[(district, "alert")]
    assert (alert.epi_year, alert.epi_week) == tuple(weeks[1])
    assert alert.rule_code == "meningitis-alert-rate"
    assert alert.figures == {"cases": 2, "threshold": 3.0, "population": 60_000, "rate": 3.33}
    epidemic = by_key[(district, "epidemic")]
    assert (epidemic.epi_year, epidemic.epi_week) == tuple(weeks[3])
    assert epidemic.rule_code == "meningitis-epidemic-rate"
    assert epidemic.figures == {
        "cases": 6,
        "threshold": 10.0,
        "population": 60_000,
        "rate": 10.0,
    }
    assert by_key[(area_a, "alert")].rule_code == "meningitis-alert-count"
    assert by_key[(area_b, "alert")].rule_code == "meningitis-alert-rate"
    assert len(alerts) == 4


def test_the_epidemic_fires_again_after_the_first_is_discarded(
    session: Session, world: World
) -> None:
    from alima.outbreaks.enums import AlertAction
    from alima.outbreaks.schemas import AlertActionCreate

    weeks = [weeks_ago(3), weeks_ago(2)]
    meningitis_world(session, world, weeks[0].year)
    clinician_a = world.actors["clinician_a"]
    first = send_report(session, clinician_a, world.facility_a.code, weeks[0], {"meningitis": 6})
    epidemic = next(
        r
        for r in first.raised
        if r.place_code == world.district.code and r.level.value == "epidemic"
    )
    service.act_on_alert(
        session,
        epidemic.id,
        AlertActionCreate(action=AlertAction.DISCARD, note="doublons"),
        actor=world.actors["data_manager"],
    )
    again = send_report(session, clinician_a, world.facility_a.code, weeks[1], {"meningitis": 6})
    assert [(r.place_code, r.level.value) for r in again.raised] == [
        (world.district.code, "epidemic")
    ]


def test_doubling_over_three_weeks_in_a_small_area(session: Session, world: World) -> None:
    """Area A (20,000): 2 cases, then 4 two weeks later: doubling over 3 weeks, epidemic."""
    weeks = [weeks_ago(4), weeks_ago(3), weeks_ago(2)]
    meningitis_world(session, world, weeks[0].year)
    actor = world.actors["clinician_a"]
    raised = [
        send_report(session, actor, world.facility_a.code, w, {"meningitis": n}).raised
        for w, n in zip(weeks, (2, 0, 4), strict=True)
    ]
    area = [
        (a.level.value, a.rule_code) for r in raised for a in r if a.place_code == world.area_a.code
    ]
    assert area == [
        ("alert", "meningitis-alert-count"),
        ("epidemic", "meningitis-epidemic-doubling"),
    ]
    assert [a.epi_week for r in raised for a in r if a.place_code == world.area_a.code] == [
        weeks[0].week,
        weeks[2].week,
    ]
