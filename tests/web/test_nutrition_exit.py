"""The exit form: no outcome is chosen for the nurse, and a death is confirmed (issue 9)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.nutrition import service
from tests.factories.core import World, bearer, csrf, sign_in
from tests.factories.nutrition import admit_sam_child


def _admitted(session: Session, world: World) -> str:
    result = admit_sam_child(session, world, admitted_on=today() - timedelta(days=7))
    return str(result.episode_id)


def _status(session: Session, world: World, episode_id: str) -> str:
    import uuid

    return service.get_episode(
        session, uuid.UUID(episode_id), actor=world.actors["clinician_a"]
    ).status


def test_exit_form_preselects_no_outcome(
    client: TestClient, session: Session, world: World
) -> None:
    episode_id = _admitted(session, world)
    sign_in(client, world.users["clinician_a"].username)
    page = HTMLParser(client.get(f"/nutrition/episodes/{episode_id}/exit").text)
    options = page.css("#outcome option")
    chosen = [o.attributes.get("value") for o in options if "selected" in o.attributes]
    assert options[0].attributes.get("value") == ""
    assert chosen in ([], [""])
    select = page.css_first("#outcome")
    assert select is not None
    assert "required" in select.attributes


def test_exit_without_outcome_is_refused_in_the_form(
    client: TestClient, session: Session, world: World
) -> None:
    episode_id = _admitted(session, world)
    sign_in(client, world.users["clinician_a"].username)
    refused = client.post(
        f"/nutrition/episodes/{episode_id}/exit",
        data={"csrf_token": csrf(client), "outcome": "", "closed_on": today().isoformat()},
    )
    assert refused.status_code == 422
    error = HTMLParser(refused.text).css_first("#outcome-error")
    assert error is not None
    assert error.text().strip() != ""
    assert _status(session, world, episode_id) == "open"


def test_death_needs_confirmation_in_the_form(
    client: TestClient, session: Session, world: World
) -> None:
    episode_id = _admitted(session, world)
    sign_in(client, world.users["clinician_a"].username)
    url = f"/nutrition/episodes/{episode_id}/exit"
    form = {"csrf_token": csrf(client), "outcome": "died", "closed_on": today().isoformat()}
    refused = client.post(url, data=form)
    assert refused.status_code == 422
    page = HTMLParser(refused.text)
    error = page.css_first("#confirm_death-error")
    assert error is not None
    assert "décès" in error.text()
    assert _status(session, world, episode_id) == "open"
    done = client.post(url, data={**form, "confirm_death": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert _status(session, world, episode_id) == "closed"


def test_death_needs_confirmation_through_the_api(
    client: TestClient, session: Session, world: World
) -> None:
    episode_id = _admitted(session, world)
    headers = bearer(session, world.users["clinician_a"].username)
    url = f"/api/v1/nutrition/episodes/{episode_id}/exit"
    refused = client.post(url, json={"outcome": "died"}, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "NUT_030"
    assert _status(session, world, episode_id) == "open"
    missing = client.post(url, json={}, headers=headers)
    assert missing.status_code == 422
    done = client.post(url, json={"outcome": "died", "confirm_death": True}, headers=headers)
    assert done.status_code == 200
    assert done.json()["outcome"] == "died"
