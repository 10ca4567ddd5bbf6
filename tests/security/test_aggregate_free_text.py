"""An aggregates-only partner receives no free text, on any page or API route.

Every free-text field of the field records in its project's places (notes, team names,
sources, trainers, villages, participants) holds a marker; every route that partner can reach
is called, and the marker must appear in no response. A patient-level partner's coordinator
does see the marker, so the sweep is real.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.alliance.models import TrainingParticipant
from alima.core.models import Place
from alima.core.service import auth
from alima.core.time import today
from tests.factories.alliance import Alliance, make_training
from tests.factories.core import World, make_place, sign_in
from tests.factories.nutrition import make_episode
from tests.factories.treat import (
    make_consultation,
    make_delivery,
    make_mobile_session,
    make_population,
    make_surgery,
)
from tests.factories.treat import make_training as make_mothers_training
from tests.security.permission_matrix import Targets
from tests.security.test_aggregate_partner import _everything

MARK = "Zqxfreetextmarker"


@pytest.fixture
def free_text(session: Session, world: World, alliance: Alliance) -> str:
    """Records of facility A, its area and a site, with the marker in every free-text field."""
    on = today() - timedelta(days=3)
    with session.begin():
        facility = session.get(Place, world.facility_a.id)
        area = session.get(Place, world.area_a.id)
        assert facility is not None and area is not None
        site = make_place(session, f"{area.code}-SITE", "displacement_site", area)
        mobile = make_mobile_session(session, site, on=on, people=40)
        mobile.team, mobile.note = f"{MARK} team", f"{MARK} note"
        make_population(session, site, on=on, individuals=300).source = f"{MARK} source"
        trained = make_mothers_training(session, facility, held_on=on, mothers=12)
        trained.trainer_name, trained.village = f"{MARK} trainer", f"{MARK} village"
        trained.note = f"{MARK} note"
        patient = session.get(type(world.patient_a), world.patient_a.id)
        assert patient is not None
        for row in (
            make_consultation(session, patient, facility, on=on),
            make_delivery(session, patient, facility, on=on),
            make_surgery(session, patient, facility, on=on),
        ):
            row.note = f"{MARK} care note"
        episode = make_episode(session, patient, facility, admitted_on=on - timedelta(days=30))
        episode.exit_note = f"{MARK} exit"
        staff = make_training(
            session, facility, alliance.lead, participants=[], project=alliance.project
        )
        staff.trainer = f"{MARK} trainer"
        session.add(
            TrainingParticipant(
                training_id=staff.id,
                full_name=f"{MARK} participant",
                search_name=MARK.lower(),
                cadre=f"{MARK} cadre",
            )
        )
        session.flush()
    session.expunge_all()
    return MARK


def _sweep(app: FastAPI, session: Session, username: str, targets: Targets) -> dict[str, str]:
    client = TestClient(app, raise_server_exceptions=False)
    sign_in(client, username)
    token = auth.create_api_token(session, username=username, name="t", days=1).token
    seen = _everything(app, session, client, token=token, targets=targets)
    client.close()
    return seen


def test_no_free_text_reaches_an_aggregates_only_partner(
    app: FastAPI,
    session: Session,
    alliance: Alliance,
    targets: dict[str, Targets],
    free_text: str,
) -> None:
    seen = _sweep(app, session, alliance.partner_coordinator.username, targets["in"])
    leaks = sorted(route for route, body in seen.items() if free_text.lower() in body.lower())
    assert leaks == [], leaks


def test_a_patient_level_partner_sees_the_free_text(
    app: FastAPI,
    session: Session,
    alliance: Alliance,
    targets: dict[str, Targets],
    free_text: str,
) -> None:
    seen = _sweep(app, session, alliance.colead_coordinator.username, targets["in"])
    assert any(free_text.lower() in body.lower() for body in seen.values())
