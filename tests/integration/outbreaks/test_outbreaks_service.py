"""Outbreak use cases on both databases: reports and corrections, zero reporting, the line
list, alert workflow and who may act, completeness, the dashboard, threshold versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import AuditAction
from alima.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.time import today
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance
from alima.outbreaks.enums import AlertAction, AlertStatus, Disease, LabResult, Sex
from alima.outbreaks.errors import OutbreaksError
from alima.outbreaks.rules.epiweeks import EpiCalendar
from alima.outbreaks.schemas import (
    AlertActionCreate,
    CaseCreate,
    CaseUpdate,
    CountLine,
    ThresholdSetCreate,
    WeeklyReportCreate,
)
from tests.factories.core import World
from tests.factories.outbreaks import CONFIG, meningitis_world, send_report, weeks_ago


def test_a_second_report_of_the_week_is_refused_and_a_correction_updates_it(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    week = weeks_ago(2)
    first = send_report(session, actor, world.facility_a.code, week, {"malaria": 12})
    assert first.version == 1
    with pytest.raises(Conflict) as refused:
        send_report(session, actor, world.facility_a.code, week, {"malaria": 14})
    assert refused.value.code is OutbreaksError.OUTBREAKS_001
    corrected = service.record_weekly_report(
        session,
        WeeklyReportCreate(
            place_code=world.facility_a.code,
            epi_year=week.year,
            epi_week=week.week,
            version=1,
            lines=[CountLine(disease=Disease.MEASLES, age_group="1-4y", cases=2)],
        ),
        actor=actor,
        config=CONFIG,
    )
    assert corrected.version == 2
    assert [(line.disease, line.cases) for line in corrected.lines] == [(Disease.MEASLES, 2)]
    with pytest.raises(Conflict) as stale:
        service.record_weekly_report(
            session,
            WeeklyReportCreate(
                place_code=world.facility_a.code,
                epi_year=week.year,
                epi_week=week.week,
                version=1,
            ),
            actor=actor,
            config=CONFIG,
        )
    assert stale.value.code is OutbreaksError.OUTBREAKS_012
    with session.begin():
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == first.id).order_by(AuditEvent.at)
        ).all()
        assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
        assert events[1].before["lines"] == {"malaria/1-4y": [12, 0]}  # type: ignore[index]


def test_zero_report_counts_as_received(session: Session, world: World) -> None:
    week = weeks_ago(1)
    zero = send_report(session, world.actors["clinician_a"], world.facility_a.code, week, {})
    assert zero.lines == [] and zero.raised == []
    rows = service.completeness(
        session, world.district.code, actor=world.actors["data_manager"], config=CONFIG, weeks=2
    )
    assert (rows[-1].epi_week, rows[-1].expected, rows[-1].received) == (week.week, 2, 1)
    assert rows[-1].completeness == 0.5
    # On time when written by the deadline: the week's last day plus the due days.
    written = today()
    deadline = CONFIG.calendar.end(week) + timedelta(days=CONFIG.due_days)
    assert rows[-1].on_time == int(written <= deadline)
    lenient = Surveillance(due_days=14)
    rows = service.completeness(
        session, world.district.code, actor=world.actors["data_manager"], config=lenient, weeks=2
    )
    assert rows[-1].on_time == 1 and rows[-1].timeliness == 0.5


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"age_group": "0-4y"}, OutbreaksError.OUTBREAKS_005),
        ({"deaths": 5}, OutbreaksError.OUTBREAKS_006),
    ],
)
def test_bad_lines_are_refused(
    session: Session, world: World, change: dict[str, object], code: OutbreaksError
) -> None:
    week = weeks_ago(1)
    line = {"disease": "malaria", "age_group": "1-4y", "cases": 3, "deaths": 0} | change
    with pytest.raises(RuleViolation) as refused:
        service.record_weekly_report(
            session,
            WeeklyReportCreate(
                place_code=world.facility_a.code,
                epi_year=week.year,
                epi_week=week.week,
                lines=[CountLine.model_validate(line)],
            ),
            actor=world.actors["clinician_a"],
            config=CONFIG,
        )
    assert refused.value.code is code


def test_a_week_not_ended_or_not_in_the_year_is_refused(session: Session, world: World) -> None:
    this = CONFIG.calendar.week_of(today())
    later = CONFIG.calendar.shift(this, 1)
    for year, week, code in (
        (later.year, later.week, OutbreaksError.OUTBREAKS_003),
        (2019, 53, OutbreaksError.OUTBREAKS_002),
    ):
        with pytest.raises(RuleViolation) as refused:
            service.record_weekly_report(
                session,
                WeeklyReportCreate(place_code=world.facility_a.code, epi_year=year, epi_week=week),
                actor=world.actors["clinician_a"],
                config=CONFIG,
            )
        assert refused.value.code is code


def test_a_facility_outside_the_writer_s_scope_is_not_found(session: Session, world: World) -> None:
    with pytest.raises(NotFound):
        send_report(session, world.actors["clinician_a"], world.facility_b.code, weeks_ago(1), {})
    with pytest.raises(Forbidden):
        send_report(session, world.actors["researcher"], world.facility_a.code, weeks_ago(1), {})


def _cholera(session: Session, world: World, **extra: object) -> object:
    return service.record_case(
        session,
        CaseCreate.model_validate(
            {
                "place_code": world.facility_a.code,
                "disease": "cholera",
                "onset_on": (today() - timedelta(days=3)).isoformat(),
                "age_years": 7,
                "sex": "F",
                "sample_taken": True,
                **extra,
            }
        ),
        actor=world.actors["clinician_a"],
        config=CONFIG,
    )


def test_one_cholera_case_alerts_and_a_positive_result_declares_the_epidemic(
    session: Session, world: World
) -> None:
    case = _cholera(session, world)
    assert sorted((a.place_code, a.level.value) for a in case.raised) == [  # type: ignore[attr-defined]
        (world.district.code, "alert"),
        (world.area_a.code, "alert"),
    ]
    updated = service.update_case(
        session,
        case.id,  # type: ignore[attr-defined]
        CaseUpdate(lab_result=LabResult.POSITIVE),
        actor=world.actors["clinician_a"],
        config=CONFIG,
    )
    assert sorted((a.place_code, a.level.value) for a in updated.raised) == [
        (world.district.code, "epidemic"),
        (world.area_a.code, "epidemic"),
    ]
    assert updated.raised[0].figures["confirmed"] == 1
    # The weekly report of the same case does not count it twice (the larger count is taken).
    week = CONFIG.calendar.week_of(today() - timedelta(days=3))
    if CONFIG.calendar.ended(week, today()):
        send_report(
            session, world.actors["clinician_a"], world.facility_a.code, week, {"cholera": 1}
        )
    lines = service.list_cases(session, actor=world.actors["data_manager"])
    assert [(c.disease, c.age_months, c.sex) for c in lines] == [(Disease.CHOLERA, 84, Sex.FEMALE)]
    assert service.list_cases(session, actor=world.actors["researcher"]) == []


def test_line_list_rules(session: Session, world: World) -> None:
    with pytest.raises(RuleViolation) as not_notifiable:
        service.record_case(
            session,
            CaseCreate.model_validate(
                {
                    "place_code": world.facility_a.code,
                    "disease": "malaria",
                    "onset_on": today().isoformat(),
                    "sex": "M",
                }
            ),
            actor=world.actors["clinician_a"],
            config=CONFIG,
        )
    assert not_notifiable.value.code is OutbreaksError.OUTBREAKS_009
    with pytest.raises(RuleViolation) as future:
        _cholera(session, world, onset_on=(today() + timedelta(days=1)).isoformat())
    assert future.value.code is OutbreaksError.OUTBREAKS_008
    with pytest.raises(RuleViolation) as vaccination:
        _cholera(session, world, vaccination="vaccinated")
    assert vaccination.value.code is OutbreaksError.OUTBREAKS_014


def test_alert_workflow_and_who_may_act(session: Session, world: World) -> None:
    case = _cholera(session, world)
    alert = next(a for a in case.raised if a.place_code == world.district.code)  # type: ignore[attr-defined]
    manager = world.actors["data_manager"]
    seen = service.get_alert(session, alert.id, actor=manager)
    assert seen.allowed == [AlertAction.VERIFY, AlertAction.INVESTIGATE, AlertAction.DISCARD]
    assert service.get_alert(session, alert.id, actor=world.actors["researcher"]).allowed == []
    with pytest.raises(Forbidden):
        service.act_on_alert(
            session,
            alert.id,
            AlertActionCreate(action=AlertAction.VERIFY),
            actor=world.actors["clinician_a"],
        )
    with pytest.raises(NotFound):  # a clinician of a facility does not read the district's alerts
        service.get_alert(session, alert.id, actor=world.actors["clinician_a"])
    with pytest.raises(RuleViolation):
        service.act_on_alert(
            session, alert.id, AlertActionCreate(action=AlertAction.DISCARD), actor=manager
        )
    with pytest.raises(Conflict) as too_soon:
        service.act_on_alert(
            session, alert.id, AlertActionCreate(action=AlertAction.DECLARE), actor=manager
        )
    assert too_soon.value.code is OutbreaksError.OUTBREAKS_010
    for action, actor in (
        (AlertAction.VERIFY, manager),
        (AlertAction.INVESTIGATE, world.actors["coordinator"]),
        (AlertAction.DECLARE, manager),
    ):
        after = service.act_on_alert(
            session, alert.id, AlertActionCreate(action=action, note="vu"), actor=actor
        )
    assert after.status is AlertStatus.DECLARED
    assert [(a.action, a.from_status, a.to_status) for a in after.actions] == [
        (AlertAction.VERIFY, AlertStatus.RAISED, AlertStatus.VERIFIED),
        (AlertAction.INVESTIGATE, AlertStatus.VERIFIED, AlertStatus.INVESTIGATING),
        (AlertAction.DECLARE, AlertStatus.INVESTIGATING, AlertStatus.DECLARED),
    ]
    assert after.actions[1].by == world.users["coordinator"].full_name
    assert after.allowed == [AlertAction.CLOSE]


def test_a_published_threshold_version_replaces_the_default(session: Session, world: World) -> None:
    admin = world.actors["administrator"]
    published = service.publish_thresholds(
        session,
        world.country.code,
        ThresholdSetCreate(
            disease=Disease.CHOLERA,
            rules=[
                {
                    "code": "cholera-alert-3",
                    "disease": "cholera",
                    "level": "alert",
                    "kind": "count",
                    "value": 3,
                }
            ],
            source="national guideline",
        ),
        actor=admin,
    )
    assert published.version == 1
    case = _cholera(session, world)
    assert case.raised == []  # type: ignore[attr-defined]
    in_force = {
        s.disease: s
        for s in service.thresholds_in_force(
            session, world.country.code, actor=admin, config=CONFIG
        )
    }
    assert in_force[Disease.CHOLERA].version == 1
    assert in_force[Disease.MENINGITIS].version == 0
    with pytest.raises(RuleViolation):
        service.publish_thresholds(
            session,
            world.country.code,
            ThresholdSetCreate(disease=Disease.CHOLERA, rules=[{"code": "x"}]),
            actor=admin,
        )
    with pytest.raises(Forbidden):
        service.publish_thresholds(
            session,
            world.country.code,
            ThresholdSetCreate(disease=Disease.CHOLERA, rules=published.rules),
            actor=world.actors["coordinator"],
        )


def test_dashboard_draws_rates_and_thresholds(session: Session, world: World) -> None:
    week = weeks_ago(1)
    meningitis_world(session, world, week.year)
    send_report(
        session, world.actors["clinician_a"], world.facility_a.code, week, {"meningitis": 2}
    )
    board = service.district_dashboard(
        session, world.district.code, actor=world.actors["coordinator"], config=CONFIG, weeks=4
    )
    curve = next(c for c in board.curves if c.disease is Disease.MENINGITIS)
    assert (curve.alert_rate, curve.epidemic_rate) == (3.0, 10.0)
    point = curve.points[-1]
    assert (point.epi_week, point.cases, point.rate, point.level) == (week.week, 2, 3.33, "alert")
    assert board.population == 60_000
    with pytest.raises(NotFound):
        service.district_dashboard(
            session, world.district.code, actor=world.actors["clinician_a"], config=CONFIG
        )


def test_a_week_ending_today_is_not_over_until_tomorrow(session: Session, world: World) -> None:
    """On a week's last day, its report is refused and the lists end with the week before
    (whatever today's weekday: the calendar's weeks are made to end today)."""
    config = Surveillance(calendar=EpiCalendar(first_weekday=(today().weekday() + 1) % 7))
    this = config.calendar.week_of(today())
    assert config.calendar.end(this) == today()
    nurse = world.actors["clinician_a"]
    with pytest.raises(RuleViolation) as refused:
        send_report(session, nurse, world.facility_a.code, this, {}, config=config)
    assert refused.value.code is OutbreaksError.OUTBREAKS_003
    last = config.calendar.shift(this, -1)
    sent = send_report(session, nurse, world.facility_a.code, last, {}, config=config)
    assert sent.week_start == config.calendar.start(last)
    reports = service.list_reports(session, actor=nurse, config=config)
    assert [(r.epi_year, r.epi_week) for r in reports] == [tuple(last)]


def test_a_sunday_calendar_dates_reports_by_its_weeks(session: Session, world: World) -> None:
    sunday = Surveillance(calendar=type(CONFIG.calendar)(first_weekday=6))
    week = sunday.calendar.shift(sunday.calendar.week_of(today()), -1)
    report = send_report(
        session, world.actors["clinician_a"], world.facility_a.code, week, {}, config=sunday
    )
    assert report.week_start.weekday() == 6
