"""The monthly CMAM report over a country's data on PostgreSQL.

Target (docs/design.md, issue 4): 1 million episodes and 8 million visits, the monthly report of
the whole country (and of a project) in under 5 seconds. The data set is generated in the
database with ``generate_series`` (a few minutes, once): a country of 12 regions, 96 districts
and 1,920 sites; two years of admissions; 8 visits per episode, 7 days apart; outcomes in the
proportions of the OptiMA Burkina pilot. The report is the service the page and the API call.

    .venv/bin/python benchmarks/report.py                 # build if missing, then time
    .venv/bin/python benchmarks/report.py --rebuild       # regenerate the data set
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
import uuid
from datetime import date

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from alima.core.access import Actor, Grant, child_path
from alima.core.db import make_engine, make_sessionmaker
from alima.core.enums import Role
from alima.core.migrate import upgrade
from alima.core.models import Place, Project, ProjectPlace
from alima.nutrition import service
from alima.nutrition.models import Episode, Visit

DATABASE = "alima_national"
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
REGIONS, DISTRICTS_PER_REGION, SITES_PER_DISTRICT = 12, 8, 20
END = date(2026, 10, 31)


def create_database(rebuild: bool) -> bool:
    """Create the benchmark database; True if it must be filled."""
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if exists and not rebuild:
            return False
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    upgrade(URL)
    return True


def build_places(session: Session) -> None:
    with session.begin():
        country_id = uuid.uuid4()
        country = Place(
            id=country_id,
            code="BN",
            name="Country",
            kind="country",
            path=child_path(None, country_id),
            depth=0,
        )
        session.add(country)
        project = Project(
            code="BN-NUT",
            name="National nutrition project",
            country_id=country_id,
            start_on=date(2024, 1, 1),
        )
        session.add(project)
        session.flush()
        for r in range(REGIONS):
            rid = uuid.uuid4()
            region = Place(
                id=rid,
                code=f"BN-R{r:02d}",
                name=f"Region {r}",
                kind="region",
                parent_id=country_id,
                path=child_path(country.path, rid),
                depth=1,
            )
            session.add(region)
            for d in range(DISTRICTS_PER_REGION):
                did = uuid.uuid4()
                district = Place(
                    id=did,
                    code=f"BN-R{r:02d}-D{d:02d}",
                    name=f"District {r}.{d}",
                    kind="district",
                    parent_id=rid,
                    path=child_path(region.path, did),
                    depth=2,
                )
                session.add(district)
                if r < REGIONS // 2:
                    session.add(ProjectPlace(project_id=project.id, place_id=did))
                for s in range(SITES_PER_DISTRICT):
                    sid = uuid.uuid4()
                    session.add(
                        Place(
                            id=sid,
                            code=f"BN-R{r:02d}-D{d:02d}-S{s:02d}",
                            name=f"Site {r}.{d}.{s}",
                            kind="facility",
                            parent_id=did,
                            path=child_path(district.path, sid),
                            depth=3,
                        )
                    )


GENERATE = """
CREATE TEMP TABLE site AS
  SELECT row_number() OVER (ORDER BY code) - 1 AS n, id FROM core_place WHERE kind = 'facility';
INSERT INTO core_patient (id, identifier, given_name, family_name, sex, birth_date, birth_date_estimated,
  place_id, search_name, search_village, version, created_at, updated_at)
SELECT gen_random_uuid(), 'BN-' || g, 'Enfant', 'N' || g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END,
  DATE '2021-06-01' + (g % 1400), false, site.id, 'enfant n' || g, 'village', 1, now(), now()
FROM generate_series(1, {episodes}) AS g JOIN site ON site.n = g % (SELECT count(*) FROM site);
CREATE TEMP TABLE plan AS
  SELECT p.id AS patient_id, p.place_id,
    DATE '{start}' + (random() * 700)::int AS admitted_on, random() AS fate, random() AS crit
  FROM core_patient p;
INSERT INTO nutrition_episode (id, patient_id, place_id, protocol_code, protocol_version, protocol_fingerprint,
  admitted_on, admission_type, admission_criteria, main_criterion, severity, age_months_at_admission,
  amoxicillin_given, status, band, last_visit_on, next_visit_on, visit_interval_days, visits_count,
  sachets_total, sachets_per_week, outcome, closed_on, created_at, updated_at)
SELECT gen_random_uuid(), patient_id, place_id, 'optima', '1.0', 'bench', admitted_on,
  CASE WHEN crit < 0.03 THEN 'relapse' ELSE 'new' END,
  CASE WHEN crit < 0.05 THEN '["oedema"]'::json ELSE '["muac"]'::json END,
  CASE WHEN crit < 0.05 THEN 'oedema' ELSE 'muac' END,
  CASE WHEN crit < 0.2 THEN 'sam' ELSE 'mam' END, 12.0, crit < 0.2,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN 'open' ELSE 'closed' END,
  'moderate_high', admitted_on + 49, NULL, 7, 8, 8 * 12, 0,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN NULL
       WHEN fate < 0.86 THEN 'cured' WHEN fate < 0.905 THEN 'defaulted'
       WHEN fate < 0.94 THEN 'non_responder' WHEN fate < 0.945 THEN 'died'
       WHEN fate < 0.99 THEN 'medical_transfer' ELSE 'transfer_out' END,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN NULL ELSE admitted_on + 49 END,
  now(), now()
FROM plan;
INSERT INTO nutrition_visit (id, episode_id, place_id, is_admission, visit_on, weight_kg, height_cm, muac_mm, oedema,
  danger_signs, complications, age_days, who_flags, confirmed_unusual, band, sachets_per_day, ration_days,
  sachets_given, alerts, created_at, updated_at)
SELECT gen_random_uuid(), e.id, e.place_id, k = 0, e.admitted_on + 7 * k, 7.0 + k * 0.1, 70.0, 113 + k * 2, 'none',
  false, false, 400, '[]'::json, false, CASE WHEN k < 1 THEN 'severe' ELSE 'moderate_high' END,
  CASE WHEN k < 1 THEN 2.5 ELSE 1.5 END, 7, CASE WHEN k < 1 THEN 18 ELSE 11 END, '[]'::json, now(), now()
FROM nutrition_episode e CROSS JOIN generate_series(0, {visits_per_episode} - 1) AS k;
"""


def generate(episodes: int, visits_per_episode: int) -> None:
    engine = make_engine(URL)
    session = make_sessionmaker(engine)()
    build_places(session)
    began = time.perf_counter()
    with engine.begin() as conn:
        for statement in GENERATE.split(";\n"):
            if statement.strip():
                # Utility statements (CREATE TABLE AS) take no bound parameters; these are
                # integers and dates of our own, formatted in.
                sql = statement.format(
                    episodes=int(episodes),
                    visits_per_episode=int(visits_per_episode),
                    start="2024-11-01",
                    end=END.isoformat(),
                )
                conn.exec_driver_sql(sql.replace("%", "%%"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  generated in {time.perf_counter() - began:.0f} s")
    session.close()
    engine.dispose()


def administrator(country_path: str) -> Actor:
    return Actor(
        id=uuid.uuid4(),
        username="bench",
        full_name="Bench",
        grants=(Grant(Role.ADMINISTRATOR, (country_path,)),),
    )


def time_report(
    month: str, *, place: str | None, project: str | None, repeat: int
) -> tuple[float, float]:
    engine = make_engine(URL)
    factory = make_sessionmaker(engine)
    session = factory()
    with session.begin():
        country_path = session.scalars(select(Place.path).where(Place.code == "BN")).one()
    actor = administrator(country_path)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        report = service.monthly_report(
            session, month=month, place_code=place, project_code=project, actor=actor
        )
        times.append(time.perf_counter() - began)
    print(
        f"    {report.scope_name} {month}: at start {report.at_start}, admissions {report.total_admissions}, "
        f"exits {report.total_exits}, cure {report.rates[0].rate} %, sachets {report.rutf_sachets_given}"
    )
    session.close()
    engine.dispose()
    return times[0], statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--visits-per-episode", type=int, default=8)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("command:", "python " + " ".join(shlex.quote(a) for a in sys.argv))
    if create_database(args.rebuild):
        print(f"generating {args.episodes:,} episodes x {args.visits_per_episode} visits ...")
        generate(args.episodes, args.visits_per_episode)
    engine = make_engine(URL)
    with make_sessionmaker(engine)() as session, session.begin():
        episodes = session.scalar(select(func.count()).select_from(Episode))
        visits = session.scalar(select(func.count()).select_from(Visit))
    engine.dispose()
    print(f"data set: {episodes:,} episodes, {visits:,} visits (PostgreSQL database {DATABASE})")
    for label, place, project in (
        ("country", "BN", None),
        ("project (half the districts)", None, "BN-NUT"),
        ("one district", "BN-R03-D04", None),
    ):
        first, median = time_report("2026-09", place=place, project=project, repeat=args.repeat)
        print(
            f"  monthly report, {label}: first {first:.2f} s, median of {args.repeat} {median:.2f} s"
        )


if __name__ == "__main__":
    main()
