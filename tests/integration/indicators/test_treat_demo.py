"""The demo's year of "Treat" activity reads like the seeds' Mali page, and is deterministic."""

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.care.models import Consultation, Delivery, MobileSession
from alima.community.models import Referral
from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.time import today
from alima.demo import core
from alima.demo import treat as demo
from alima.indicators.service import impact


def test_impact_page_of_the_demo_matches_the_seeds_mali_page(session: Session) -> None:
    core.load(session, today=today(), patient_count=20)
    demo.load(session, today=today())
    page = impact(session, "ML")
    figures = {a.code: a.value for a in page.activity}
    assert figures["TREAT-MOTHERS-TRAINED"] == 133_452
    assert figures["TREAT-CONSULTATIONS"] > 13_000
    assert figures["TREAT-DELIVERIES"] > 3_000
    assert figures["TREAT-EMERGENCY-SURGERIES"] == 97
    assert figures["TREAT-DISPLACED-REACHED"] == 17_173
    assert figures["TREAT-DISPLACEMENT-SITES"] == 29
    assert figures["TREAT-MOBILE-CLINICS"] == 3
    context = {c.kind.value: (c.value, c.source) for c in page.context}
    assert context["population"] == (20_250_000, "Banque mondiale")
    assert context["sam_children"][0] == 185_000
    assert page.partners == ["ALIMA", "AMCP-SP"]
    with session.begin():
        pending = session.scalar(
            select(func.count()).select_from(Referral).where(Referral.status == "pending")
        )
        agreeing, measured = session.execute(
            select(
                func.count().filter(Referral.bands_agree.is_(True)),
                func.count().filter(Referral.bands_agree.is_not(None)),
            )
        ).one()
    assert pending and pending > 0
    assert 0.6 < agreeing / measured < 0.85  # mothers ~75 %, community health workers ~40 %


def _fingerprint(url: str) -> list[tuple[str, ...]]:
    upgrade(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    core.load(session, today=date(2026, 11, 1), patient_count=10)
    demo.load(session, today=date(2026, 11, 1))
    with session.begin():
        rows: list[tuple[str, ...]] = [
            (str(c.id), c.consulted_on.isoformat(), c.urgency)
            for c in session.scalars(select(Consultation).order_by(Consultation.id).limit(200))
        ]
        rows += [
            (str(d.id), d.delivered_on.isoformat(), d.mode)
            for d in session.scalars(select(Delivery).order_by(Delivery.id).limit(100))
        ]
        rows += [
            (str(m.id), str(m.people_reached))
            for m in session.scalars(select(MobileSession).order_by(MobileSession.id).limit(100))
        ]
    session.close()
    engine.dispose()
    return rows


def test_demo_is_deterministic(tmp_path: Path) -> None:
    first = _fingerprint(f"sqlite:///{tmp_path / 'one.db'}")
    assert len(first) == 400
    assert first == _fingerprint(f"sqlite:///{tmp_path / 'two.db'}")
