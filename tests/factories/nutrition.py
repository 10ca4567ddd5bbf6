"""Builders for CMAM tests: a child of a given age at a facility, admitted under a protocol."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from alima.core.models import Patient, Place
from alima.core.time import today
from tests.factories.core import make_patient


def make_child(
    session: Session, place: Place, *, age_days: int = 365, on: date | None = None, sex: str = "F"
) -> Patient:
    """A registered child aged ``age_days`` on ``on`` (default: today)."""
    birth = (on or today()) - timedelta(days=age_days)
    with session.begin():
        child = make_patient(
            session, place, given="Safiatou", family="Dembélé", sex=sex, birth=birth
        )
    session.expunge(child)
    return child
