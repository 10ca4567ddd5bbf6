"""The duplicates pages answer bad input with a translated message and a 4xx, never a 500."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from alima.sync import duplicates
from alima.sync.models import SyncDuplicate
from tests.factories.core import World, csrf, sign_in
from tests.factories.sync import sync_targets


def _post(client: TestClient, path: str, **data: str) -> Response:
    response: Response = client.post(
        path, data={**data, "csrf_token": csrf(client)}, follow_redirects=False
    )
    return response


def test_bad_decisions_are_refused_with_a_message(
    client: TestClient, session: Session, world: World
) -> None:
    pair_id = sync_targets(session, world.facility_a, world.patient_a.id)["duplicate_id"]
    sign_in(client, world.users["data_manager"].username)
    base = f"/sync/duplicates/{pair_id}"
    for kept in ("", "pas-un-identifiant", str(uuid.uuid4()), str(world.patient_b.id)):
        response = _post(client, f"{base}/merge", kept=kept)
        assert response.status_code == 400, kept
        assert "Choisissez lequel des deux patients garder" in response.text
    response = _post(client, f"{base}/distinct", reason="a")
    assert response.status_code == 400
    assert 'value="a"' in response.text
    assert _post(client, f"/sync/duplicates/{uuid.uuid4()}/merge", kept="x").status_code == 404
    assert client.get(f"/sync/duplicates/{uuid.uuid4()}").status_code == 404

    done = _post(client, f"{base}/distinct", reason="jumelles")
    assert done.status_code == 303
    page = client.get(base)
    assert "pas le même enfant" in page.text
    assert 'id="merge"' not in page.text
    again = _post(client, f"{base}/merge", kept=str(world.patient_a.id))
    assert again.status_code == 409
    assert "déjà été tranché" in again.text
    with session.begin():
        assert session.get_one(SyncDuplicate, uuid.UUID(pair_id)).status == "distinct"


def test_a_clinician_cannot_review(client: TestClient, session: Session, world: World) -> None:
    pair_id = sync_targets(session, world.facility_a, world.patient_a.id)["duplicate_id"]
    sign_in(client, world.users["clinician_a"].username)
    assert client.get("/sync/duplicates").status_code == 403
    assert client.get(f"/sync/duplicates/{pair_id}").status_code == 403


def test_the_merged_card_leads_to_the_kept_patient_or_says_why_not(
    client: TestClient, session: Session, world: World
) -> None:
    kept, other = world.patient_a, world.patient_b
    with session.begin():
        low, high = sorted((kept.id, other.id))
        pair = SyncDuplicate(low_id=low, high_id=high, found_by="demand")
        session.add(pair)
    duplicates.merge(session, pair.id, kept.id, actor=world.actors["data_manager"])

    sign_in(client, world.users["data_manager"].username)
    response = client.get(f"/patients/{other.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/patients/{kept.id}"

    # B's clinician holds the old record, not the kept child's place: the card says so.
    client.cookies.clear()
    sign_in(client, world.users["clinician_b"].username)
    card = client.get(f"/patients/{other.id}", follow_redirects=False)
    assert card.status_code == 200
    assert 'id="merged-into"' in card.text
    assert "ce dossier a été fusionné dans celui gardé" in card.text
