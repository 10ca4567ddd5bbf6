"""The monthly report equals an independent recount from the raw rows, on the demo data, on
both databases: every count, rate, stay, sachet figure and the next month's RUTF need."""

import calendar
import math
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.models import Place
from alima.core.service import auth
from alima.core.time import today
from alima.demo import core as demo_core
from alima.demo import nutrition as demo_nutrition
from alima.nutrition import service
from alima.nutrition.models import Episode, Visit
from alima.nutrition.schemas import MonthlyReport

DISCHARGES = {"cured", "died", "defaulted", "non_responder", "medical_transfer"}


def recount(
    episodes: list[tuple[str, date, date | None, str | None, str, str, int]],
    visits: list[tuple[str, date, int, float | None]],
    paths: list[str],
    month: str,
) -> dict[str, object]:
    """The report computed in plain Python from rows (path, admitted, closed, outcome, type,
    criterion, sachets total) and visits (path, visit date, sachets given, sachets a day)."""
    year, number = map(int, month.split("-"))
    start, end = date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])
    mine = [e for e in episodes if any(e[0].startswith(p) for p in paths)]
    at_start = sum(1 for e in mine if e[1] < start and (e[2] is None or e[2] >= start))
    at_end = sum(1 for e in mine if e[1] <= end and (e[2] is None or e[2] > end))
    admitted = [e for e in mine if start <= e[1] <= end]
    types = Counter(e[4] for e in admitted)
    criteria = Counter(e[5] for e in admitted if e[4] == "new")
    exits = Counter(e[3] for e in mine if e[2] is not None and start <= e[2] <= end)
    denominator = sum(exits[o] for o in DISCHARGES)
    cured = [e for e in mine if e[3] == "cured" and e[2] is not None and start <= e[2] <= end]
    given = sum(
        v[2] for v in visits if any(v[0].startswith(p) for p in paths) and start <= v[1] <= end
    )
    return {
        "at_start": at_start,
        "at_end": at_end,
        "new": types["new"],
        "relapses": types["relapse"],
        "transfers_in": types["transfer_in"],
        "criteria": {c: criteria[c] for c in ("oedema", "muac", "whz")},
        "exits": {
            o: exits[o]
            for o in (
                "cured",
                "died",
                "defaulted",
                "non_responder",
                "medical_transfer",
                "transfer_out",
            )
        },
        "rates": {
            o: (round(100 * exits[o] / denominator, 1) if denominator else None)
            for o in ("cured", "died", "defaulted", "non_responder")
        },
        "stay": round(sum((e[2] - e[1]).days for e in cured if e[2]) / len(cured), 1)
        if cured
        else None,
        "per_cured": round(sum(e[6] for e in cured) / len(cured), 1) if cured else None,
        "given": given,
        "at_end_check": at_start + len(admitted) - sum(exits.values()),
    }


def daily_need(
    episode_rows: list[tuple[str, date, date | None]],
    visit_rows: list[tuple[str, date, float | None, str]],
    paths: list[str],
    end: date,
) -> float:
    """Sum over children in treatment at the end of ``end`` of the ration at their latest visit."""
    open_ids = {e[0] for e in episode_rows if e[1] <= end and (e[2] is None or e[2] > end)}
    latest: dict[str, tuple[date, float]] = {}
    for episode_id, on, per_day, path in visit_rows:
        in_scope = episode_id in open_ids and on <= end and any(path.startswith(p) for p in paths)
        if in_scope and (episode_id not in latest or on > latest[episode_id][0]):
            latest[episode_id] = (on, per_day or 0.0)
    return sum(v for _, v in latest.values())


def as_dict(r: MonthlyReport) -> dict[str, object]:
    return {
        "at_start": r.at_start,
        "at_end": r.at_end,
        "new": r.new_admissions,
        "relapses": r.relapses,
        "transfers_in": r.transfers_in,
        "criteria": r.admissions_by_criterion,
        "exits": r.exits_by_outcome,
        "rates": {rate.outcome: rate.rate for rate in r.rates},
        "stay": r.average_length_of_stay_days,
        "per_cured": r.rutf_sachets_per_child_cured,
        "given": r.rutf_sachets_given,
        "at_end_check": r.at_start + r.total_admissions - r.total_exits,
    }


@pytest.fixture
def demo_actor(session: Session) -> Actor:
    demo_core.load(session, today=today(), patient_count=20)
    demo_nutrition.load(session, today=today(), children=2000)
    with session.begin():
        from alima.core.models import User

        user = session.scalars(select(User).where(User.username == "admin")).one()
        return auth.actor_for(session, user, channel="web", ip=None)


def test_monthly_report_equals_a_recount_of_the_demo(session: Session, demo_actor: Actor) -> None:
    with session.begin():
        rows = session.execute(
            select(
                Place.path,
                Episode.admitted_on,
                Episode.closed_on,
                Episode.outcome,
                Episode.admission_type,
                Episode.main_criterion,
                Episode.sachets_total,
                Episode.id,
            ).join(Place, Place.id == Episode.place_id)
        ).all()
        visit_rows = session.execute(
            select(
                Place.path,
                Visit.visit_on,
                Visit.sachets_given,
                Visit.sachets_per_day,
                Visit.episode_id,
            )
            .join(Episode, Episode.id == Visit.episode_id)
            .join(Place, Place.id == Episode.place_id)
        ).all()
        paths = {
            p.code: p.path
            for p in session.scalars(select(Place).where(Place.code.startswith("ML")))
        }
    episodes = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]
    visits = [(v[0], v[1], v[2], v[3]) for v in visit_rows]
    assert len(episodes) > 800
    assert {e[3] for e in episodes} >= {"cured", "defaulted", None}
    assert any(e[4] == "relapse" for e in episodes)
    this_month = today().replace(day=1)
    months = [f"{(this_month - timedelta(days=31 * k)).replace(day=1):%Y-%m}" for k in (1, 2, 6)]
    project_paths = [
        paths[c] for c in ("ML-SEG-NIO", "ML-MOP-MOP", "ML-MOP-BDG", "ML-TBK-GDM", "ML-KKR-DIO")
    ]
    scopes = [
        ("place", "ML-SEG-NIO-NC-CS", [paths["ML-SEG-NIO-NC-CS"]]),
        ("place", "ML-MOP", [paths["ML-MOP"]]),
        ("project", "ML-NUT-2026", project_paths),
    ]
    checked = 0
    for kind, code, scope_paths in scopes:
        for month in months:
            report = service.monthly_report(
                session,
                month=month,
                place_code=code if kind == "place" else None,
                project_code=code if kind == "project" else None,
                actor=demo_actor,
            )
            expected = recount(episodes, visits, scope_paths, month)
            assert as_dict(report) == expected, (kind, code, month)
            assert report.at_end == expected["at_end_check"]
            need = daily_need(
                [(str(r[7]), r[1], r[2]) for r in rows],
                [(str(v[4]), v[1], v[3], v[0]) for v in visit_rows],
                scope_paths,
                report.end,
            )
            next_days = calendar.monthrange(
                report.end.year + (report.end.month == 12), report.end.month % 12 + 1
            )[1]
            assert report.next_month_rutf_sachets == math.ceil(round(need * next_days, 6))
            checked += 1
    assert checked == 9


def test_report_scopes_are_enforced(session: Session, demo_actor: Actor) -> None:
    from alima.core.errors import NotFound, RuleViolation
    from tests.factories.core import build_world

    world = build_world(session)
    with pytest.raises(NotFound):
        service.monthly_report(
            session,
            month="2026-01",
            place_code="ML-SEG-NIO-NC-CS",
            actor=world.actors["clinician_a"],
        )
    with pytest.raises(RuleViolation):
        service.monthly_report(session, month="2026-13", place_code="ML", actor=demo_actor)
