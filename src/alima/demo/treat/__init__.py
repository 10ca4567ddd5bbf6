"""A year of "Treat" activity in Mali, at the scale of the seeds' Mali page.

The last complete calendar year gets 133,452 mothers trained to use the MUAC bracelet, about
13,000 general and paediatric consultations, over 3,000 deliveries (with their antenatal and
postnatal visits), 97 emergency surgeries at the Goundam hospital, and 17,173 people reached by
three mobile clinics at the 29 displacement sites, whose displaced population is counted every
month. Community screenings follow the agreement Alé et al. observed in Niger (docs/clinical-rules.md §6:
75 % for mothers, 40 % for community health workers). The weeks before ``today`` get recent
screenings and consultations at the demo clinician's centre, with referrals still waiting.

Clinical fields come from the same pure rules the services apply (IMCI triage, MUAC band,
antenatal flags). Rows are written with bulk inserts in one transaction; the same seed gives
the same rows on every load.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.care.models import (
    AntenatalVisit,
    Consultation,
    ConsultationDiagnosis,
    Delivery,
    DisplacedPopulation,
    MobileSession,
    Newborn,
    PostnatalVisit,
    Surgery,
)
from alima.community.models import Referral, Screening, Training
from alima.core.enums import AuditAction
from alima.core.models import AuditEvent, Patient, Place
from alima.demo.common import new_id
from alima.demo.treat.base import (
    BUSY_SITE,
    CONSULTATIONS,
    CONTEXT,
    COUNTRY,
    MONTH_WEIGHTS_LEAN,
    MONTH_WEIGHTS_MALARIA,
    SCREENINGS,
    SEED,
    Calendar,
    Registry,
    find_world,
    insert_rows,
)
from alima.demo.treat.community import screening_rows, training_rows
from alima.demo.treat.consultations import consultations_on
from alima.demo.treat.maternity import maternity_rows
from alima.demo.treat.mobile import mobile_rows
from alima.demo.treat.surgery import surgery_rows
from alima.indicators.models import ContextFigure

__all__ = ["load"]


def _recent_days(
    rng: random.Random, place: Place, today: date, count: int, span: int
) -> list[tuple[date, Place]]:
    return sorted(
        ((today - timedelta(days=rng.randint(0, span)), place) for _ in range(count)),
        key=lambda item: item[0],
    )


def load(session: Session, *, today: date) -> None:
    """Insert a year of community screening, care and mobile-clinic activity (one transaction)."""
    rng = random.Random(SEED)
    calendar = Calendar(today.year - 1)
    with session.begin():
        world = find_world(session)
        registry = Registry(world, rng)
        busy = world.places[BUSY_SITE]
        centres = [f for f in world.facilities if f.code.endswith("-CS")]
        weights = [6 if f.code == BUSY_SITE else 1 for f in centres]
        consultation_days = [
            (calendar.day(rng, MONTH_WEIGHTS_MALARIA), rng.choices(centres, weights=weights)[0])
            for _ in range(CONSULTATIONS)
        ]
        consultation_days.sort(key=lambda item: item[0])
        consultations, diagnoses = consultations_on(registry, rng, consultation_days)
        recent, recent_codes = consultations_on(
            registry, rng, _recent_days(rng, busy, today, 90, 30)
        )
        consultations += recent
        diagnoses += recent_codes
        maternal_rows = maternity_rows(world, registry, rng, calendar, today)
        surgeries = surgery_rows(world, registry, rng, calendar)
        screening_days = sorted(
            (
                (
                    calendar.day(rng, MONTH_WEIGHTS_LEAN),
                    world.area_facility[rng.choice(world.areas).code],
                )
                for _ in range(SCREENINGS)
            ),
            key=lambda item: item[0],
        )
        screenings, referrals = screening_rows(rng, screening_days, today)
        late, late_referrals = screening_rows(
            rng,
            _recent_days(rng, busy, today, 80, 45),
            today,
            pending_after=today - timedelta(days=10),
        )
        sessions, counts = mobile_rows(world, rng, calendar, today)

        insert_rows(session, Patient.__table__, registry.rows)  # type: ignore[arg-type]
        insert_rows(
            session,
            AuditEvent.__table__,  # type: ignore[arg-type]
            [
                {
                    "id": new_id(rng),
                    "at": row["created_at"],
                    "actor_id": None,
                    "action": AuditAction.CREATE.value,
                    "entity_type": "patient",
                    "entity_id": row["id"],
                    "patient_id": row["id"],
                    "place_id": row["place_id"],
                    "channel": "system",
                    "before": None,
                    "after": None,
                    "detail": "demo",
                    "ip": None,
                }
                for row in registry.rows
            ],
        )
        for table, rows in (
            (Training.__table__, training_rows(world, rng, calendar)),
            (Screening.__table__, screenings + late),
            (Referral.__table__, referrals + late_referrals),
            (Consultation.__table__, consultations),
            (ConsultationDiagnosis.__table__, diagnoses),
            (AntenatalVisit.__table__, maternal_rows["antenatal"]),
            (Delivery.__table__, maternal_rows["delivery"]),
            (Newborn.__table__, maternal_rows["newborn"]),
            (PostnatalVisit.__table__, maternal_rows["postnatal"]),
            (Surgery.__table__, surgeries),
            (MobileSession.__table__, sessions),
            (DisplacedPopulation.__table__, counts),
        ):
            insert_rows(session, table, rows)  # type: ignore[arg-type]
        country = world.places[COUNTRY]
        for kind, year, value, source in CONTEXT:
            session.add(
                ContextFigure(
                    id=new_id(rng),
                    place_id=country.id,
                    kind=kind,
                    year=year,
                    value=value,
                    source=source,
                )
            )
