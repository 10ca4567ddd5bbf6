"""The monthly report equals a recount in plain SQL and Python of rows written by the services
(registration, admission, visits, exits, deletion), with soft-deleted children, on both
databases. The demo-scale recount is ``test_report.py``; this one knows every row it wrote."""

import uuid
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from alima.alliance.rules import months_before
from alima.core.access import Actor
from alima.core.enums import Sex
from alima.core.schemas import PatientCreate, PatientDelete
from alima.core.service.patients import delete_patient, register_patient
from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.enums import Outcome
from alima.nutrition.schemas import AdmissionCreate, ExitCreate, VisitCreate
from tests.factories.core import World
from tests.integration.nutrition.test_report import as_dict, recount


def _child(session: Session, world: World, given: str) -> uuid.UUID:
    """A child registered at facility A through the registration service."""
    return register_patient(
        session,
        PatientCreate(
            given_name=given,
            family_name="Recompte",
            sex=Sex.FEMALE,
            estimated_age_months=14,
            village="Molodo",
            place_code=world.facility_a.code,
            confirm_not_duplicate=True,
        ),
        actor=world.actors["clinician_a"],
    ).id


def _admit(
    session: Session, actor: Actor, patient_id: uuid.UUID, on: date, *, transfer_in: bool = False
) -> uuid.UUID:
    return service.admit_child(
        session,
        AdmissionCreate(
            patient_id=patient_id,
            admitted_on=on,
            muac_mm=112,
            weight_kg=7.0,
            height_cm=70.0,
            appetite_test_passed=True,
            transfer_in=transfer_in,
        ),
        actor=actor,
    ).episode_id


def _visit(session: Session, actor: Actor, episode_id: uuid.UUID, on: date, muac: int) -> None:
    service.record_visit(
        session,
        episode_id,
        VisitCreate(visit_on=on, muac_mm=muac, weight_kg=7.3, height_cm=70.0),
        actor=actor,
    )


def _exit(
    session: Session, actor: Actor, episode_id: uuid.UUID, on: date, outcome: Outcome
) -> None:
    service.exit_episode(
        session,
        episode_id,
        ExitCreate(outcome=outcome, closed_on=on, confirm_death=outcome is Outcome.DIED),
        actor=actor,
    )


def as_day(value: object) -> date:
    """A date column as SQLite (text) or PostgreSQL (date) returns it."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _raw_rows(
    session: Session,
) -> tuple[
    list[tuple[str, date, date | None, str | None, str, str, int]],
    list[tuple[str, date, int, float | None]],
]:
    """Episodes and visits read with plain SQL: a soft-deleted patient, episode or visit is
    not in the figures (the child's record was withdrawn, its care with it)."""
    with session.begin():
        episodes = session.execute(
            text(
                "SELECT p.path, e.admitted_on, e.closed_on, e.outcome, e.admission_type, "
                "e.main_criterion, e.sachets_total FROM nutrition_episode e "
                "JOIN core_place p ON p.id = e.place_id "
                "JOIN core_patient c ON c.id = e.patient_id "
                "WHERE e.deleted_at IS NULL AND c.deleted_at IS NULL"
            )
        ).all()
        visits = session.execute(
            text(
                "SELECT p.path, v.visit_on, v.sachets_given, v.sachets_per_day "
                "FROM nutrition_visit v JOIN nutrition_episode e ON e.id = v.episode_id "
                "JOIN core_place p ON p.id = e.place_id "
                "JOIN core_patient c ON c.id = e.patient_id "
                "WHERE v.deleted_at IS NULL AND e.deleted_at IS NULL AND c.deleted_at IS NULL"
            )
        ).all()
    return (
        [
            (
                str(r[0]),
                as_day(r[1]),
                as_day(r[2]) if r[2] is not None else None,
                r[3],
                str(r[4]),
                str(r[5]),
                int(r[6] or 0),
            )
            for r in episodes
        ],
        [
            (str(v[0]), as_day(v[1]), int(v[2] or 0), float(v[3]) if v[3] is not None else None)
            for v in visits
        ],
    )


def _follow(
    session: Session,
    actor: Actor,
    episode_id: uuid.UUID,
    since: date,
    until: date | None = None,
) -> None:
    """Weekly visits after ``since`` up to ``until`` (default today): never absent, so the
    child is in treatment until an exit is recorded (MUAC 118 mm: not cured by itself)."""
    on = since + timedelta(days=7)
    while on <= (until or today()):
        _visit(session, actor, episode_id, on, 118)
        on += timedelta(days=7)


def test_monthly_report_equals_a_recount_of_rows_written_by_the_services(
    session: Session, world: World
) -> None:
    """Admissions, visits and exits made through the services around last month, two of the
    children then deleted through the registration service: the report and the plain-SQL
    recount agree, and the deleted children are in neither."""
    clinician, manager = world.actors["clinician_a"], world.actors["data_manager"]
    month_start = months_before(today().replace(day=1), 1)
    before = month_start - timedelta(days=10)

    def day(n: int) -> date:
        return month_start + timedelta(days=n - 1)

    # In treatment at the start, a visit in the month, cured in the month.
    c1 = _admit(session, clinician, _child(session, world, "Un"), before)
    _follow(session, clinician, c1, before, day(12))
    _exit(session, clinician, c1, day(12), Outcome.CURED)
    # New in the month, still in treatment at the end (and today).
    c2 = _admit(session, clinician, _child(session, world, "Deux"), day(3))
    _follow(session, clinician, c2, day(3))
    # Transferred in from another site, still in treatment.
    c3 = _admit(session, clinician, _child(session, world, "Trois"), day(8), transfer_in=True)
    _follow(session, clinician, c3, day(8))
    # Died in the month.
    c4 = _admit(session, clinician, _child(session, world, "Quatre"), day(2))
    _exit(session, clinician, c4, day(6), Outcome.DIED)
    # Two children deleted afterwards: one admitted in the month, one in treatment at its start
    # and cured in it.
    gone_1 = _child(session, world, "Supprime")
    g1 = _admit(session, clinician, gone_1, day(6))
    _visit(session, clinician, g1, day(13), 118)
    gone_2 = _child(session, world, "Efface")
    g2 = _admit(session, clinician, gone_2, before + timedelta(days=2))
    _follow(session, clinician, g2, before + timedelta(days=2), day(9))
    _exit(session, clinician, g2, day(9), Outcome.CURED)
    for gone in (gone_1, gone_2):
        delete_patient(session, gone, PatientDelete(reason="enregistré par erreur"), actor=manager)

    episodes, visits = _raw_rows(session)
    assert len(episodes) == 4  # the two deleted children are not in the recount
    month = f"{month_start:%Y-%m}"
    report = service.monthly_report(
        session, month=month, place_code=world.facility_a.code, actor=manager
    )
    expected = recount(episodes, visits, [world.facility_a.path], month)
    assert as_dict(report) == expected
    # The figures, written out: one in treatment at the start, three admitted, two out, two in.
    counts = (report.at_start, report.total_admissions, report.total_exits, report.at_end)
    assert counts == (1, 3, 2, 2)
    assert (report.new_admissions, report.transfers_in, report.relapses) == (2, 1, 0)
    assert (report.exits_by_outcome["cured"], report.exits_by_outcome["died"]) == (1, 1)
    assert report.average_length_of_stay_days == (day(12) - before).days
    district = service.monthly_report(
        session, month=month, place_code=world.district.code, actor=manager
    )
    assert as_dict(district) == expected
