"""The demo country with its DHIS2 mapping, and its administrator."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.models import User
from alima.core.service import auth
from alima.core.time import today
from alima.demo import core as demo_core
from alima.demo import nutrition as demo_nutrition
from alima.interop.dhis2 import demo as dhis2_demo


def last_month() -> str:
    first = today().replace(day=1)
    return f"{date.fromordinal(first.toordinal() - 1):%Y-%m}"


@pytest.fixture
def demo_admin(session: Session) -> Actor:
    demo_core.load(session, today=today(), patient_count=10)
    demo_nutrition.load(session, today=today(), children=600)
    dhis2_demo.load(session, today=today())
    with session.begin():
        user = session.scalars(select(User).where(User.username == "admin")).one()
        return auth.actor_for(session, user, channel="web", ip=None)
