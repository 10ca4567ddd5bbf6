"""Break-the-glass asks for a real reason, is capped per user and day, and alerts coordinators."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.alliance import rules
from alima.alliance.models import BreakGlassGrant, EmergencyAlert
from alima.alliance.schemas import EmergencyAccessCreate
from alima.alliance.service import oversight
from alima.core.config import Settings
from alima.core.errors import RuleViolation, Throttled
from tests.factories.core import World, csrf, sign_in

REASON = "Enfant référé en urgence depuis l'aire B, convulsions"
FILLER = (
    "aaaaaaaaaaaaaaaaaaaa",
    "test test test test test",
    "ab ab ab ab ab ab ab ab",
    "1234567890 1234567890",
    "......................",
)


@pytest.mark.parametrize("reason", FILLER)
def test_filler_is_not_a_reason(reason: str) -> None:
    assert not rules.is_real_reason(reason)


@pytest.mark.parametrize(
    "reason", [REASON, "Urgence vitale, transfert du CSCom", "child unconscious, mother absent"]
)
def test_a_sentence_is_a_reason(reason: str) -> None:
    assert rules.is_real_reason(reason)


def test_filler_reason_opens_nothing(session: Session, world: World, settings: Settings) -> None:
    with pytest.raises(RuleViolation):
        oversight.open_emergency_access(
            session,
            EmergencyAccessCreate(
                identifier=world.patient_b.identifier, reason="aaaaaaaaaaaaaaaaaaaa"
            ),
            actor=world.actors["clinician_a"],
            settings=settings,
        )
    with session.begin():
        assert session.scalar(select(func.count()).select_from(BreakGlassGrant)) == 0


def test_twenty_accesses_in_seconds_stop_at_the_cap_and_alert(
    session: Session, world: World, settings: Settings
) -> None:
    clinician = world.actors["clinician_a"]
    data = EmergencyAccessCreate(identifier=world.patient_b.identifier, reason=REASON)
    outcomes = []
    for _ in range(20):
        try:
            oversight.open_emergency_access(session, data, actor=clinician, settings=settings)
            outcomes.append("opened")
        except Throttled as exc:
            outcomes.append(f"refused {exc.status}")
    cap = settings.break_glass_max_per_day
    assert outcomes == ["opened"] * cap + ["refused 429"] * (20 - cap)
    with session.begin():
        grants = session.scalar(
            select(func.count())
            .select_from(BreakGlassGrant)
            .where(BreakGlassGrant.user_id == clinician.id)
        )
        assert grants == cap
        assert session.scalar(select(func.count()).select_from(EmergencyAlert)) == 20 - cap
    alerts = oversight.emergency_alerts(session, actor=world.actors["coordinator"])
    assert alerts and alerts[0].username == clinician.username
    assert alerts[0].patient_identifier == world.patient_b.identifier
    assert oversight.emergency_alerts(session, actor=clinician) == []


def test_the_coordinator_sees_the_alert_on_the_page(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    statuses = [
        client.post(
            "/break-glass",
            data={
                "identifier": world.patient_b.identifier,
                "reason": REASON,
                "csrf_token": csrf(client),
            },
            follow_redirects=False,
        ).status_code
        for _ in range(5)
    ]
    assert statuses[-1] == 429
    client.cookies.clear()
    sign_in(client, world.users["coordinator"].username)
    page = client.get("/break-glass")
    assert 'id="emergency-alerts"' in page.text
    assert world.patient_b.identifier in page.text
