"""The co-management demo of ML-NUT-2026: agreements, funding share, locked months, trainings."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.alliance import repository
from alima.alliance.models import Agreement, DataPeriod, Training
from alima.alliance.rules import month_key, recent_months
from alima.alliance.service import projects
from alima.core.access import Permission
from alima.core.config import Settings
from alima.core.errors import Conflict
from alima.core.models import Place, User
from alima.core.service.auth import actor_for
from alima.demo import alliance as demo_alliance
from alima.demo import core as demo_core

TODAY = date(2026, 11, 21)


def test_demo_co_management(session: Session, settings: Settings) -> None:
    demo_core.load(session, today=TODAY, patient_count=20)
    demo_alliance.load(session, today=TODAY)
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Agreement)) == 4
        coordinator = session.scalars(select(User).where(User.username == "coordinateur")).one()
        actor = actor_for(session, coordinator, channel="web", ip=None)
        researcher = session.scalars(select(User).where(User.username == "chercheur")).one()
        research = actor_for(session, researcher, channel="web", ip=None)
        periods = list(session.scalars(select(DataPeriod).order_by(DataPeriod.starts_on)))
        assert {p.status for p in periods} == {"approved", "submitted"}
        assert len(periods) == 6
        csref = session.scalars(select(Place).where(Place.code == "ML-SEG-NIO-CSREF")).one()
        locked_month = recent_months(TODAY, 2)[1]
        with pytest.raises(Conflict, match=month_key(locked_month)):
            repository.ensure_period_open(session, place_id=csref.id, on=locked_month)
        assert session.scalar(select(func.count()).select_from(Training)) == len(
            demo_alliance.TRAININGS
        )
    assert research.can_at(Permission.AGGREGATE_READ, csref.path)
    assert not research.can_at(Permission.PATIENT_READ, csref.path)
    overview = projects.project_overview(session, "ML-NUT-2026", actor=actor, settings=settings)
    assert overview.funding.share_percent == 34.3  # 480 000 of 1 400 000 EUR to AMCP-SP
    assert overview.funding.national == 480_000
    assert set(overview.trainings.by_topic) == {t[1] for t in demo_alliance.TRAININGS}
    assert 0 < overview.trainings.health_workers < 5 * 18
