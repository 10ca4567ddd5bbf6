"""The referral on the child's card and in the caseload, in French, without JavaScript."""

from datetime import timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.schemas import VisitCreate
from tests.factories.core import World, bearer, csrf, sign_in
from tests.factories.nutrition import admit_sam_child


def _referred(session: Session, world: World) -> str:
    actor = world.actors["clinician_a"]
    admitted = admit_sam_child(session, world, admitted_on=today() - timedelta(days=7))
    service.record_visit(
        session,
        admitted.episode_id,
        VisitCreate(visit_on=today(), weight_kg=6.1, muac_mm=114, complications=True),
        actor=actor,
    )
    return str(admitted.episode_id)


def test_card_and_caseload_show_the_referral_until_decided(
    client: TestClient, session: Session, world: World
) -> None:
    episode_id = _referred(session, world)
    sign_in(client, world.users["clinician_a"].username)
    caseload = HTMLParser(client.get(f"/nutrition?site={world.facility_a.code}").text)
    group = caseload.css_first("#referred")
    assert group is not None
    assert episode_id in (group.html or "")
    assert "Référé" in caseload.text()
    card = HTMLParser(client.get(f"/nutrition/episodes/{episode_id}").text)
    form = card.css_first("#referral-form")
    assert form is not None
    assert not card.css("script")
    choices = form.css("input[name=decision]")
    assert [c.attributes.get("value") for c in choices] == ["transfer", "keep"]
    assert not any("checked" in c.attributes for c in choices)
    url = f"/nutrition/episodes/{episode_id}/referral"
    refused = client.post(url, data={"csrf_token": csrf(client), "decision": "keep"})
    assert refused.status_code == 422
    error = HTMLParser(refused.text).css_first("#referral_note-error")
    assert error is not None
    assert "raison" in error.text()
    done = client.post(
        url,
        data={"csrf_token": csrf(client), "decision": "transfer", "note": "CRENI"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    card = HTMLParser(client.get(f"/nutrition/episodes/{episode_id}").text)
    outcome = card.css_first("#outcome")
    assert outcome is not None
    assert outcome.text() == "Transféré pour soins médicaux"
    caseload = HTMLParser(client.get(f"/nutrition?site={world.facility_a.code}").text)
    assert caseload.css_first("#referred") is None


def test_referral_through_the_api(client: TestClient, session: Session, world: World) -> None:
    episode_id = _referred(session, world)
    headers = bearer(session, world.users["clinician_a"].username)
    url = f"/api/v1/nutrition/episodes/{episode_id}/referral"
    assert client.post(url, json={"decision": "keep"}, headers=headers).status_code == 422
    kept = client.post(
        url, json={"decision": "keep", "note": "Seen by the doctor, no bed"}, headers=headers
    )
    assert kept.status_code == 200
    assert kept.json()["referred_on"] is None
    assert kept.json()["next_visit_on"] is not None
