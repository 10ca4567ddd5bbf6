"""The card says what a rule under way waits for (docs/clinical-rules.md §3.3, §3.4 rule 3)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import today
from tests.factories.core import World, csrf, sign_in
from tests.factories.nutrition import make_child


def test_compas_visit_without_muac_keeps_the_ration_and_says_what_is_awaited(
    client: TestClient, session: Session, world: World
) -> None:
    child = make_child(session, world.facility_a, age_days=400)
    sign_in(client, world.users["clinician_a"].username)
    start = today() - timedelta(days=14)
    admitted = client.post(
        f"/patients/{child.id}/nutrition/admit",
        data={
            "csrf_token": csrf(client),
            "admitted_on": start.isoformat(),
            "protocol_code": "compas",
            "weight_kg": "6.0",
            "height_cm": "67.5",
            "muac_mm": "110",
            "oedema": "none",
            "appetite_test_passed": "true",
        },
        follow_redirects=False,
    )
    episode_url = admitted.headers["location"].split("?")[0]
    for on, muac in ((start + timedelta(days=7), "116"), (today(), "")):
        saved = client.post(
            f"{episode_url}/visits",
            data={
                "csrf_token": csrf(client),
                "visit_on": on.isoformat(),
                "weight_kg": "6.2",
                "muac_mm": muac,
                "oedema": "none",
            },
            follow_redirects=False,
        )
        assert saved.status_code == 303, saved.text
    page = HTMLParser(client.get(episode_url).text)
    band, dose, awaited = (page.css_first(s) for s in ("#band", "#dose", "#awaited"))
    assert band is not None
    assert dose is not None
    assert awaited is not None
    assert band.text() == "Tranche sévère"
    assert dose.text().startswith("2 sachets")
    assert awaited.text() == "Encore un PB >= 115 mm pour baisser la ration."
    client.cookies.set("alima_locale", "en")
    english = HTMLParser(client.get(episode_url).text)
    line = english.css_first("#awaited")
    assert line is not None
    assert line.text() == "One more MUAC >= 115 mm to step down the ration."
