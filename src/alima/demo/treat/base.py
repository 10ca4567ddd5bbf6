"""What every part of the Treat demo shares: its figures, calendar, places and patient register."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from alima.core.models import Patient, Place, User
from alima.demo.common import identity, new_id
from alima.demo.places import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M, VILLAGES

SEED = 133452  # the mothers trained in Mali that year
MOTHERS_TRAINED = 133_452
CONSULTATIONS = 13_260
DELIVERIES = 3_084
SURGERIES = 97
PEOPLE_REACHED = 17_173
SCREENINGS = 6_000
BUSY_SITE = "ML-SEG-NIO-NC-CS"
HOSPITAL = "ML-TBK-GDM-HOP"
COUNTRY = "ML"
DISTRICTS = ("ML-SEG-NIO", "ML-MOP-MOP", "ML-MOP-BDG", "ML-TBK-GDM", "ML-KKR-DIO")
#: Which mobile clinic serves the sites of each district.
CLINIC_OF_DISTRICT = {
    "ML-SEG-NIO": "ML-SEG-NIO-CM1",
    "ML-KKR-DIO": "ML-SEG-NIO-CM1",
    "ML-TBK-GDM": "ML-SEG-NIO-CM1",
    "ML-MOP-MOP": "ML-MOP-MOP-CM1",
    "ML-MOP-BDG": "ML-MOP-MOP-CM2",
}
#: Malaria peaks with the rains (August-October); the lean season fills June to September.
MONTH_WEIGHTS_MALARIA = (0.7, 0.65, 0.7, 0.75, 0.85, 1.0, 1.2, 1.45, 1.5, 1.4, 1.1, 0.8)
MONTH_WEIGHTS_LEAN = (0.7, 0.7, 0.8, 0.9, 1.0, 1.3, 1.4, 1.4, 1.2, 0.9, 0.8, 0.7)
MONTH_WEIGHTS_FLAT = (1.0,) * 12
#: Mothers are trained before the lean season.
MONTH_WEIGHTS_TRAINING = (0.8, 1.0, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.7, 0.8, 0.8, 0.8)
CONTEXT = (
    ("population", 2020, 20_250_000, "Banque mondiale"),
    ("food_insecure", 2020, 3_500_000, "UNOCHA"),
    ("sam_children", 2020, 185_000, "UNICEF"),
)
CHUNK = 5000
#: Names the browser tests register at the demo clinician's centre: kept unique in the demo.
RESERVED_NAMES = frozenset({("Aïssata", "Maïga")})


def at_work_hour(day: date, rng: random.Random) -> datetime:
    """A moment of ``day`` in working hours."""
    return datetime.combine(day, time(8 + rng.randint(0, 8), rng.randint(0, 59)), tzinfo=UTC)


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert ``rows`` into ``table``, ``CHUNK`` rows a statement."""
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), list(rows[start : start + CHUNK]))


def split(total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers proportional to ``weights`` that add up to exactly ``total``."""
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (parts[i] - weights[i] * scale, i))
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


class Calendar:
    """Days of a year drawn by monthly weights."""

    def __init__(self, year: int) -> None:
        self.year = year

    def day(self, rng: random.Random, weights: Sequence[float]) -> date:
        """A day of the year, its month drawn by ``weights``."""
        month = rng.choices(range(1, 13), weights=weights)[0]
        following = date(self.year + month // 12, month % 12 + 1, 1)
        last = (following - timedelta(days=1)).day
        return date(self.year, month, rng.randint(1, last))


@dataclass
class World:
    """The core demo records this loader builds on."""

    places: dict[str, Place]
    facilities: list[Place]
    areas: list[Place]
    sites: list[Place]
    area_facility: dict[str, Place]
    clinician_id: uuid.UUID | None
    sequences: dict[str, int]


def find_world(session: Session) -> World:
    """The core demo's places, clinician and patient numbering, found by code."""
    places = {p.code: p for p in session.scalars(select(Place).where(Place.code.startswith("ML")))}
    in_project = [p for p in places.values() if p.code.startswith(DISTRICTS)]
    facilities = sorted((p for p in in_project if p.kind == "facility"), key=lambda p: p.code)
    areas = sorted((p for p in in_project if p.kind == "health_area"), key=lambda p: p.code)
    sites = sorted(
        (p for p in places.values() if p.kind == "displacement_site"), key=lambda p: p.code
    )
    area_facility = {
        a.code: next(
            (f for f in facilities if f.parent_id == a.id), places[a.code.rsplit("-", 1)[0]]
        )
        for a in areas
    }
    clinician = session.scalar(select(User.id).where(User.username == "clinicien"))
    sequences: dict[str, int] = {}
    for identifier in session.scalars(select(Patient.identifier)):
        prefix, _, number = identifier.rpartition("-")
        if number.isdigit():
            sequences[prefix] = max(sequences.get(prefix, 0), int(number))
    return World(places, facilities, areas, sites, area_facility, clinician, sequences)


class Registry:
    """New demo patients, numbered after those already registered at each place."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.rows: list[dict[str, Any]] = []

    def add(self, place: Place, *, sex: str, birth: date, seen_on: date) -> uuid.UUID:
        """Register a patient at ``place`` (first seen on ``seen_on``) and return the id."""
        rng = self.rng
        sequence = self.world.sequences.get(place.code, 0) + 1
        self.world.sequences[place.code] = sequence
        given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
        family = rng.choice(FAMILY_NAMES)
        while (given, family) in RESERVED_NAMES:
            family = rng.choice(FAMILY_NAMES)
        area = next((c for c in VILLAGES if place.code.startswith(c)), "")
        village = rng.choice(VILLAGES.get(area) or VILLAGES["ML-SEG-NIO-NC"])
        created = at_work_hour(seen_on, rng)
        patient_id = new_id(rng)
        self.rows.append(
            {
                "id": patient_id,
                "identifier": f"{place.code}-{sequence:05d}",
                **identity(given, family, village),
                "sex": sex,
                "birth_date": birth,
                "birth_date_estimated": rng.random() < 0.3,
                "caregiver_name": f"{rng.choice(GIVEN_NAMES_F)} {family}",
                "phone": None,
                "place_id": place.id,
                "version": 1,
                **audit_columns(created),
            }
        )
        return patient_id


def audit_columns(created: datetime) -> dict[str, Any]:
    """The timestamp, author and soft-delete columns of a record the demo creates at ``created``."""
    return {
        "created_at": created,
        "updated_at": created,
        "created_by_id": None,
        "deleted_at": None,
        "deleted_reason": None,
        "deleted_by_id": None,
    }


def record_columns(
    entity_id: uuid.UUID, place_id: uuid.UUID, on: date, rng: random.Random
) -> dict[str, Any]:
    """The columns every dated care record has: id, place and audit columns."""
    return {"id": entity_id, **audit_columns(at_work_hour(on, rng)), "place_id": place_id}
