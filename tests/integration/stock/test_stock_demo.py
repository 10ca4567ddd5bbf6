"""The demo sites have RUTF stock: batches, weeks left, and one site alerted (a missed delivery)."""

from pathlib import Path

import pytest
from sqlalchemy import select

from alima.core import repository as core_repository
from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.models import User
from alima.core.service.auth import actor_for
from alima.core.time import today
from alima.demo import core, nutrition
from alima.demo import stock as demo
from alima.nutrition.enums import Product
from alima.stock import service
from alima.stock.enums import StockLevel
from alima.stock.service.common import daily_need, daily_needs, sites_in


def test_demo_sites_have_stock_and_the_short_site_is_alerted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    core.load(session, today=today(), patient_count=20)
    nutrition.load(session, today=today(), children=300)
    demo.load(session, today=today())
    with session.begin():
        users = {
            u.username: actor_for(session, u, channel="web", ip=None)
            for u in session.scalars(
                select(User).where(User.username.in_(["clinicien", "coordinateur"]))
            )
        }
    nurse = users["clinicien"]
    with session.begin():
        busy = core_repository.find_place_by_code(session, demo.SHORT_SITE)
        assert busy is not None
        busy_need = daily_need(session, busy, on=today(), today=today(), product=Product.RUTF)
    # The busiest centre has children in treatment every day, even in this small demo.
    assert busy_need > 0
    short = service.site_stock(session, demo.SHORT_SITE, actor=nurse, alert_weeks=4)
    assert short.batches
    assert short.level in {StockLevel.LOW, StockLevel.OUT}
    assert short.last_count_on is not None
    alerts = service.stock_alerts(session, actor=nurse, alert_weeks=4)
    assert [a.place_code for a in alerts] == [demo.SHORT_SITE]
    overview = service.stock_overview(session, actor=users["coordinateur"], alert_weeks=4)
    assert len(overview) > 20
    # One missed delivery, not a country out of stock.
    assert sum(a.level in {StockLevel.LOW, StockLevel.OUT} for a in overview) <= 3
    assert all(a.usable > 0 for a in overview if a.place_code != demo.SHORT_SITE)
    # The overview reads every site's need in one query: the same need as each site's page
    # (and as a whole district's, whose subtree holds many sites).
    with session.begin():
        sites = sites_in(session, ["/"])
        places = [*sites, *core_repository.list_places(session, ["/"], kinds=["district"])]
        needs = daily_needs(session, places, on=today(), today=today(), product=Product.RUTF)
        one_by_one = {
            p.id: daily_need(session, p, on=today(), today=today(), product=Product.RUTF)
            for p in places
        }
    assert len(places) > len(sites) > 20
    assert sum(one_by_one.values()) > 0
    assert needs == pytest.approx(one_by_one)
    session.close()
    engine.dispose()
