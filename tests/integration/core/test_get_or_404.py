"""The one audited get-or-404 every domain's reads go through (alima.core.service.common).

A read in scope is audited as READ against the row's patient and place; a row elsewhere and a
row that does not exist both answer the same ``NotFound`` (CORE_001), and the refusal is audited
as READ_DENIED in a transaction that has committed before the error is raised.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import AuditAction
from alima.core.errors import CoreError, NotFound
from alima.core.models import AuditEvent
from alima.core.service.common import get_or_404
from alima.core.time import today
from alima.nutrition import repository
from alima.nutrition.models import Episode
from tests.factories.core import World
from tests.factories.nutrition import make_episode


def _episode(session: Session, world: World) -> uuid.UUID:
    with session.begin():
        episode = make_episode(
            session, world.patient_a, world.facility_a, admitted_on=today() - timedelta(days=7)
        )
        session.flush()
        episode_id = episode.id
    session.expunge_all()
    return episode_id


def _read(session: Session, world: World, who: str, episode_id: uuid.UUID) -> str:
    severity: str = get_or_404(
        session,
        world.actors[who],
        episode_id,
        find=lambda s, i: repository.find_episode(s, i, with_visits=False),
        read=lambda e: str(e.severity),
        entity_type="nutrition_episode",
    )
    return severity


def _audit(session: Session, entity_id: uuid.UUID) -> list[tuple[str, uuid.UUID | None, object]]:
    with session.begin():
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.patient_id, AuditEvent.place_id)
            .where(AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.at)
        ).all()
    return [(a, p, pl) for a, p, pl in rows]


def test_a_read_in_scope_returns_what_read_makes_and_is_audited(
    session: Session, world: World
) -> None:
    episode_id = _episode(session, world)
    assert _read(session, world, "clinician_a", episode_id) == "sam"
    assert _audit(session, episode_id) == [
        (AuditAction.READ.value, world.patient_a.id, world.facility_a.id)
    ]


def test_a_row_elsewhere_is_not_found_and_the_refusal_is_committed(
    session: Session, world: World
) -> None:
    episode_id = _episode(session, world)
    with pytest.raises(NotFound) as refused:
        _read(session, world, "clinician_b", episode_id)
    assert refused.value.code is CoreError.CORE_001
    # Committed before the error: a new transaction sees it.
    assert _audit(session, episode_id) == [
        (AuditAction.READ_DENIED.value, world.patient_a.id, world.facility_a.id)
    ]


def test_a_missing_row_looks_exactly_like_a_row_elsewhere(session: Session, world: World) -> None:
    missing = uuid.uuid4()
    with pytest.raises(NotFound) as refused:
        _read(session, world, "clinician_a", missing)
    assert refused.value.code is CoreError.CORE_001
    assert _audit(session, missing) == [(AuditAction.READ_DENIED.value, None, None)]


def test_a_custom_scope_decides_instead_of_patient_read_at_the_place(
    session: Session, world: World
) -> None:
    episode_id = _episode(session, world)
    with pytest.raises(NotFound):
        get_or_404(
            session,
            world.actors["clinician_a"],
            episode_id,
            find=lambda s, i: s.get(Episode, i),
            read=lambda e: e.severity,
            entity_type="nutrition_episode",
            visible=lambda e: False,
        )
    assert [a for a, _, _ in _audit(session, episode_id)] == [AuditAction.READ_DENIED.value]
