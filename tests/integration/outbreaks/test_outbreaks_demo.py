"""The demo's surveillance: eight weeks of reports, Konna's meningitis alert then epidemic,
the cholera alert of Goundam, all raised by the real evaluation."""

from pathlib import Path

from sqlalchemy import select

from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.models import User
from alima.core.service.auth import actor_for
from alima.core.time import today
from alima.demo import core
from alima.demo import outbreaks as demo
from alima.outbreaks import service
from alima.outbreaks.config import Surveillance


def test_demo_reports_raise_konna_meningitis_and_goundam_cholera(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    core.load(session, today=today(), patient_count=10)
    demo.load(session, today=today())
    with session.begin():
        user = session.scalars(select(User).where(User.username == "coordinateur")).one()
        coordinator = actor_for(session, user, channel="web", ip=None)
    alerts = service.list_alerts(session, actor=coordinator)
    found = {(a.place_code, a.disease.value, a.level.value) for a in alerts}
    assert (demo.OUTBREAK_AREA, "meningitis", "alert") in found
    assert (demo.OUTBREAK_AREA, "meningitis", "epidemic") in found
    assert (demo.CHOLERA_DISTRICT, "cholera", "alert") in found
    rows = service.completeness(
        session, "ML-MOP-MOP", actor=coordinator, config=Surveillance(), weeks=demo.WEEKS
    )
    assert all(r.received == r.expected > 0 for r in rows)
    engine.dispose()
