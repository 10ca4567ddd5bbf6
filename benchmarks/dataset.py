"""The benchmark data sets: one country (1M episodes) or the alliance (4 countries, 10M episodes).

Everything is generated inside PostgreSQL with set-based ``INSERT ... SELECT generate_series``
(no row travels through Python). The large tables are filled without their indexes and foreign
key triggers (``session_replication_role = replica``), then the indexes are built once, sorted:
inserting 80 million rows into four B-trees of random UUIDs is what made row-by-row loading
hopeless. Consultations, deliveries and screenings come in the demo's proportions to its
children treated in a year (``alima.demo``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from alima.core.access import child_path
from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.models import Place, Project, ProjectPlace
from alima.demo.nutrition import CHILDREN_LAST_YEAR
from alima.demo.treat.base import CONSULTATIONS, DELIVERIES, SCREENINGS

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REGIONS, DISTRICTS_PER_REGION, SITES_PER_DISTRICT = 12, 8, 20
END = date(2026, 10, 31)
#: Per child treated for malnutrition in a year, as in the demo.
CONSULTATIONS_PER_EPISODE = CONSULTATIONS / CHILDREN_LAST_YEAR
DELIVERIES_PER_EPISODE = DELIVERIES / CHILDREN_LAST_YEAR
SCREENINGS_PER_EPISODE = SCREENINGS / CHILDREN_LAST_YEAR
#: Tables loaded without indexes, then indexed once.
BIG_TABLES = (
    "core_patient",
    "nutrition_episode",
    "nutrition_visit",
    "care_consultation",
    "care_delivery",
    "care_newborn",
    "community_screening",
)


@dataclass(frozen=True)
class Scale:
    name: str
    database: str
    countries: tuple[str, ...]
    episodes: int
    visits_per_episode: int
    start: date
    days: int


SCALES = {
    "tiny": Scale("tiny", "alima_alliance_tiny", ("BN", "BK"), 20_000, 8, date(2024, 11, 1), 700),
    "national": Scale(
        "national", "alima_alliance_1m", ("BN",), 1_000_000, 8, date(2024, 11, 1), 700
    ),
    "alliance": Scale(
        "alliance",
        "alima_alliance_10m",
        ("BF", "ML", "NE", "TD"),
        10_000_000,
        8,
        date(2021, 11, 1),
        1_825,
    ),
}


def url(scale: Scale) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{scale.database}"


def create_database(scale: Scale, rebuild: bool) -> bool:
    """Create the benchmark database; True if it must be filled."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (scale.database,)
        ).fetchone()
        if exists and not rebuild:
            return False
        conn.execute(f"DROP DATABASE IF EXISTS {scale.database}")
        conn.execute(f"CREATE DATABASE {scale.database}")
    upgrade(url(scale))
    return True


def _place(session: Session, code: str, name: str, kind: str, parent: Place | None) -> Place:
    pid = uuid.uuid4()
    place = Place(
        id=pid,
        code=code,
        name=name,
        kind=kind,
        parent_id=parent.id if parent else None,
        path=child_path(parent.path if parent else None, pid),
        depth=0 if parent is None else parent.depth + 1,
    )
    session.add(place)
    return place


def build_places(session: Session, scale: Scale) -> None:
    """Countries of 12 regions, 96 districts, 1,920 sites; a project on half the districts."""
    with session.begin():
        for cc in scale.countries:
            country = _place(session, cc, f"Country {cc}", "country", None)
            project = Project(
                code=f"{cc}-NUT",
                name=f"Nutrition project {cc}",
                country_id=country.id,
                start_on=scale.start,
            )
            session.add(project)
            session.flush()
            for r in range(REGIONS):
                region = _place(session, f"{cc}-R{r:02d}", f"Region {cc} {r}", "region", country)
                for d in range(DISTRICTS_PER_REGION):
                    district = _place(
                        session,
                        f"{cc}-R{r:02d}-D{d:02d}",
                        f"District {cc} {r}.{d}",
                        "district",
                        region,
                    )
                    if r < REGIONS // 2:
                        session.add(ProjectPlace(project_id=project.id, place_id=district.id))
                    for s in range(SITES_PER_DISTRICT):
                        _place(
                            session,
                            f"{cc}-R{r:02d}-D{d:02d}-S{s:02d}",
                            f"Site {cc} {r}.{d}.{s}",
                            "facility",
                            district,
                        )


GENERATE = """
SET session_replication_role = replica;
CREATE TEMP TABLE site AS
  SELECT row_number() OVER (ORDER BY code) - 1 AS n, id FROM core_place WHERE kind = 'facility';
CREATE TEMP TABLE plan AS
  SELECT g, gen_random_uuid() AS patient_id, gen_random_uuid() AS episode_id, site.id AS place_id,
    DATE '{start}' + (random() * {days})::int AS admitted_on, random() AS fate, random() AS crit
  FROM generate_series(1, {episodes}) AS g JOIN site ON site.n = g % (SELECT count(*) FROM site);
INSERT INTO core_patient (id, identifier, given_name, family_name, sex, birth_date, birth_date_estimated,
  place_id, search_name, search_village, version, created_at, updated_at)
SELECT patient_id, 'P-' || g, 'Enfant', 'N' || g, CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END,
  admitted_on - 180 - (g % 1400), false, place_id, 'enfant n' || g, 'village', 1, now(), now()
FROM plan;
INSERT INTO nutrition_episode (id, patient_id, place_id, protocol_code, protocol_version, protocol_fingerprint,
  admitted_on, admission_type, admission_criteria, main_criterion, severity, age_months_at_admission,
  amoxicillin_given, status, band, last_visit_on, next_visit_on, visit_interval_days, defaults_on,
  visits_count, sachets_total, sachets_per_week, outcome, closed_on, created_at, updated_at)
SELECT episode_id, patient_id, place_id, 'optima', '1.0', 'bench', admitted_on,
  CASE WHEN crit < 0.03 THEN 'relapse' WHEN crit > 0.99 THEN 'transfer_in' ELSE 'new' END,
  CASE WHEN crit < 0.05 THEN '["oedema"]'::json ELSE '["muac"]'::json END,
  CASE WHEN crit < 0.05 THEN 'oedema' ELSE 'muac' END,
  CASE WHEN crit < 0.2 THEN 'sam' ELSE 'mam' END, 12.0, crit < 0.2,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN 'open' ELSE 'closed' END,
  'moderate_high', LEAST(admitted_on + 49, DATE '{end}'), NULL, 7,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN LEAST(admitted_on + 49, DATE '{end}') + 21 END,
  8, 8 * 12, 0,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN NULL
       WHEN fate < 0.86 THEN 'cured' WHEN fate < 0.905 THEN 'defaulted'
       WHEN fate < 0.94 THEN 'non_responder' WHEN fate < 0.945 THEN 'died'
       WHEN fate < 0.99 THEN 'medical_transfer' ELSE 'transfer_out' END,
  CASE WHEN admitted_on + 49 > DATE '{end}' THEN NULL ELSE admitted_on + 49 END,
  now(), now()
FROM plan;
INSERT INTO nutrition_visit (id, episode_id, place_id, is_admission, visit_on, weight_kg, height_cm, muac_mm, oedema,
  danger_signs, complications, age_days, who_flags, confirmed_unusual, band, product, sachets_per_day, ration_days,
  sachets_given, alerts, created_at, updated_at)
SELECT gen_random_uuid(), episode_id, place_id, k = 0, admitted_on + 7 * k, 7.0 + k * 0.1, 70.0, 113 + k * 2, 'none',
  false, false, 400, '[]'::json, false, CASE WHEN k < 1 THEN 'severe' ELSE 'moderate_high' END,
  CASE WHEN k < 1 THEN 'rutf' ELSE 'rusf' END,
  CASE WHEN k < 1 THEN 2.5 ELSE 1.5 END, 7, CASE WHEN k < 1 THEN 18 ELSE 11 END, '[]'::json, now(), now()
FROM plan CROSS JOIN generate_series(0, {visits_per_episode} - 1) AS k
WHERE admitted_on + 7 * k <= DATE '{end}';
INSERT INTO care_consultation (id, patient_id, place_id, consulted_on, kind, age_months, weight_kg, temperature_c,
  cough, chest_indrawing, stridor, fever_history, stiff_neck, unable_to_drink, vomits_everything, convulsions,
  lethargic, convulsing_now, urgency, classifications, actions, fever, rdt_result, malaria_treatment, oedema,
  referred, created_at, updated_at)
SELECT gen_random_uuid(), patient_id, place_id, DATE '{start}' + (g::bigint * 7919 % {days})::int,
  CASE WHEN g % 3 = 0 THEN 'general' ELSE 'paediatric' END, 6 + g % 50, 9.5, 37.0 + (g % 30) / 10.0,
  g % 10 < 3, false, false, g % 10 < 4, false, false, false, false, false, false,
  CASE WHEN g % 33 = 0 THEN 'urgent_referral' WHEN g % 10 < 4 THEN 'treat' ELSE 'home_care' END,
  CASE WHEN g % 10 < 2 THEN '["malaria"]'::json WHEN g % 10 < 3 THEN '["pneumonia"]'::json
       ELSE '["cough_or_cold"]'::json END,
  '[]'::json, g % 10 < 4, CASE WHEN g % 10 < 4 THEN CASE WHEN g % 10 < 2 THEN 'rdt_positive' ELSE 'rdt_negative' END
       ELSE 'rdt_not_done' END,
  CASE WHEN g % 10 < 2 THEN 'act' ELSE 'no_antimalarial' END, 'none', g % 33 = 0, now(), now()
FROM plan WHERE random() < {consultations};
INSERT INTO care_delivery (id, patient_id, place_id, delivered_on, setting, attendant, mode, mother_outcome,
  created_at, updated_at)
SELECT episode_id, patient_id, place_id, DATE '{start}' + (g::bigint * 6007 % {days})::int,
  CASE WHEN g % 100 < 88 THEN 'facility' ELSE 'home' END,
  CASE WHEN g % 100 < 88 THEN 'midwife' ELSE 'relative' END,
  CASE WHEN g % 100 < 5 THEN 'caesarean' ELSE 'spontaneous_vaginal' END,
  CASE WHEN g % 1000 = 0 THEN 'mother_died' WHEN g % 100 = 7 THEN 'mother_referred' ELSE 'mother_well' END,
  now(), now()
FROM plan WHERE random() < {deliveries};
INSERT INTO care_newborn (id, delivery_id, position, sex, outcome, birth_weight_g)
SELECT gen_random_uuid(), d.id, 1, 'F', CASE WHEN random() < 0.02 THEN 'fresh_stillbirth' ELSE 'live_birth' END,
  3000
FROM care_delivery d;
INSERT INTO community_screening (id, place_id, screened_on, screener_type, child_given_name, child_age_months,
  village, muac_mm, oedema, muac_band, created_at, updated_at)
SELECT gen_random_uuid(), place_id, DATE '{start}' + (g::bigint * 4001 % {days})::int,
  CASE WHEN g % 4 = 0 THEN 'chw' ELSE 'mother' END, 'Enfant', 6 + g % 50, 'village',
  100 + g % 60, 'none', CASE WHEN g % 60 < 15 THEN 'red' WHEN g % 60 < 25 THEN 'yellow' ELSE 'green' END,
  now(), now()
FROM plan WHERE random() < {screenings}
"""


def _saved_indexes(conn, tables: tuple[str, ...]) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Drop the indexes and primary/unique keys of ``tables``; return the DDL to rebuild them."""
    keys = conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY(%(t)s)",
        {"t": list(tables)},
    ).all()
    referencing = conn.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND confrelid::regclass::text = ANY(%(t)s)",
        {"t": list(tables)},
    ).all()
    indexes = conn.exec_driver_sql(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%(t)s) AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        {"t": list(tables)},
    ).all()
    for table, name, _ in referencing:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for table, name, _ in keys:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    first = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in keys]
    first += [d for _, d in indexes]
    # The foreign keys come back as they were, checked against the generated rows once.
    last = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in referencing]
    return first, last


def generate(scale: Scale) -> None:
    engine = make_engine(url(scale))
    session = make_sessionmaker(engine)()
    build_places(session, scale)
    session.close()
    began = time.perf_counter()
    # One statement a transaction: a failure late in the load keeps what went before.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        first, last = _saved_indexes(conn, BIG_TABLES)
        for statement in GENERATE.split(";\n"):
            if statement.strip():
                sql = statement.format(
                    episodes=int(scale.episodes),
                    visits_per_episode=int(scale.visits_per_episode),
                    start=scale.start.isoformat(),
                    end=END.isoformat(),
                    days=int(scale.days),
                    consultations=CONSULTATIONS_PER_EPISODE,
                    deliveries=DELIVERIES_PER_EPISODE,
                    screenings=SCREENINGS_PER_EPISODE,
                )
                step = time.perf_counter()
                conn.exec_driver_sql(sql.replace("%", "%%"))
                print(
                    f"    {sql.strip().splitlines()[0][:60]}: {time.perf_counter() - step:.0f} s",
                    flush=True,
                )
        conn.exec_driver_sql("SET session_replication_role = origin")
        step = time.perf_counter()
        for ddl in first + last:
            conn.exec_driver_sql(ddl)
        print(f"    indexes and keys rebuilt: {time.perf_counter() - step:.0f} s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  generated in {time.perf_counter() - began:.0f} s", flush=True)
    engine.dispose()
