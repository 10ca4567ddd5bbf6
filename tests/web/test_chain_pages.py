"""The pages of the chain, tracing and search, in French, without JavaScript: the search pages
through its results with a count that matches, the tracing page calls the caregiver, and the
arrival page offers to close a referral only once the set days have passed."""

from datetime import timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.community import service as community
from alima.community.schemas import ScreeningCreate
from alima.core.models import Place
from alima.core.time import today
from alima.nutrition import service as nutrition
from alima.nutrition.schemas import AdmissionCreate
from tests.factories.core import World, csrf, make_patient, sign_in


def test_search_pages_add_up_to_the_count(
    client: TestClient, session: Session, world: World
) -> None:
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        for n in range(25):
            make_patient(session, place, given=f"Page{n:02d}", identifier=f"PG-{n:04d}-ZZ")
    sign_in(client, world.users["clinician_a"].username)
    seen: list[str] = []
    url = "/patients?q=-zz"  # the end of the identifiers
    while url:
        page = HTMLParser(client.get(url).text)
        count = page.css_first("#result-count")
        assert count is not None and "25 patients trouvés" in count.text()
        seen += [td.text() for td in page.css("table.list tbody tr td:nth-child(2)")]
        following = page.css_first("#next-page")
        url = following.attributes.get("href") or "" if following else ""
    assert len(seen) == len(set(seen)) == 25


def test_tracing_page_lists_the_absent_child_with_a_phone_link(
    client: TestClient, session: Session, world: World
) -> None:
    with session.begin():
        place = session.get(Place, world.facility_a.id)
        assert place is not None
        child = make_patient(session, place, given="Absente", birth=today() - timedelta(days=500))
        child.phone = "+223 70 11 22 33"
        child.village = "Tougan"
        child_id = child.id
    admitted = nutrition.admit_child(
        session,
        AdmissionCreate(
            patient_id=child_id,
            admitted_on=today() - timedelta(days=10),
            muac_mm=110,
            weight_kg=8.0,
            height_cm=75.0,
            appetite_test_passed=True,
        ),
        actor=world.actors["clinician_a"],
    )
    sign_in(client, world.users["clinician_a"].username)
    page = HTMLParser(client.get("/nutrition/tracing").text)
    row = page.css_first(f"#trace-{admitted.episode_id}")
    assert row is not None
    assert row.css_first('a[href="tel:+22370112233"]') is not None
    assert "Tougan" in row.text()
    form = f"/nutrition/episodes/{admitted.episode_id}/tracing"
    assert row.css_first(f'a[href="{form}"]') is not None
    response = client.post(
        form,
        data={"outcome": "refused", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    card = client.get(f"/nutrition/episodes/{admitted.episode_id}").text
    assert "Abandon" in card
    # The coordinator reads the list but is not offered a tracing form it could not save.
    sign_in(client, world.users["coordinator"].username)
    listing = HTMLParser(client.get("/nutrition/tracing").text)
    assert listing.css_first('a[href^="/nutrition/episodes/"][href$="/tracing"]') is None


def test_close_is_offered_only_after_the_set_days(
    client: TestClient, session: Session, world: World
) -> None:
    ids = []
    for days in (3, 20):
        screened = community.record_screening(
            session,
            ScreeningCreate.model_validate(
                {
                    "place_code": world.facility_a.code,
                    "screener_type": "mother",
                    "child_given_name": f"Ref{days}",
                    "child_age_months": 20,
                    "village": "Pogo",
                    "muac_mm": 109,
                    "screened_on": (today() - timedelta(days=days)).isoformat(),
                }
            ),
            actor=world.actors["clinician_a"],
        )
        assert screened.referral is not None
        ids.append(screened.referral.id)
    sign_in(client, world.users["clinician_a"].username)
    recent, old = (HTMLParser(client.get(f"/community/referrals/{i}/arrival").text) for i in ids)
    assert recent.css_first("#close-referral") is None
    assert old.css_first("#close-referral") is not None
    assert old.css_first("#patient_identifier") is None  # nobody types an identifier
    action = f"/community/referrals/{ids[1]}/close"
    response = client.post(
        action,
        data={"reason": "famille partie", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    screening = HTMLParser(client.get(response.headers["location"]).text)
    assert screening.css_first("#closed") is not None
    status = screening.css_first("#referral-status")
    assert status is not None and status.attributes["data-status"] == "not_arrived"
