"""Every link a page shows works for the user who sees it: a crawl per role.

For each user of the test world, sign in, start from the home page and the main menu, and
follow every same-site ``<a href>`` breadth-first (GET only, never a form). A link answered
403, 404 or 5xx is a broken link: a page must not offer what its reader may not follow.
"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.enums import Role
from tests.factories.core import World, sign_in
from tests.web.crawl import STARTS, Fetched, crawl
from tests.web.test_pages import page_walk_values

ROLES = (
    "clinician_a",
    "clinician_b",
    "data_manager",
    "coordinator",
    "researcher",
    "partner_viewer",
    "administrator",
)
ORIGIN = "http://testserver"


def client_fetch(client: TestClient) -> Callable[[str], Fetched]:
    """``client``'s GET, without following redirects, as the crawl wants it."""

    def fetch(url: str) -> Fetched:
        response = client.get(url, follow_redirects=False)
        location = response.headers.get("location")
        if location and location.startswith(ORIGIN):
            location = location.removeprefix(ORIGIN) or "/"
        html = (
            response.text
            if response.headers.get("content-type", "").startswith("text/html")
            else None
        )
        return Fetched(response.status_code, location, html)

    return fetch


# Links do not depend on the database: crawled once, on SQLite (the crawl is long).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_link_a_page_shows_works_for_its_reader(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)
    broken: list[tuple[str, str, str, int]] = []
    assert {r for a in world.actors.values() for r in a.roles} == set(Role)  # every role
    for role in world.users:
        sign_in(client, world.users[role].username)
        found = crawl(client_fetch(client))
        assert len(found.pages) > len(STARTS), (role, len(found.pages))
        assert found.unchecked == 0, f"{role}: {found.unchecked} links left unchecked"
        broken += [(role, page, link, status) for page, link, status in found.broken]
    assert broken == [], "\n".join(
        f"{role}: {page} -> {link} [{status}]" for role, page, link, status in broken
    )


def test_recording_at_a_site_is_offered_only_with_a_site_to_choose(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)  # a displacement site served by facility A
    for role, has_site in (("clinician_a", True), ("clinician_b", False), ("coordinator", False)):
        sign_in(client, world.users[role].username)
        overview = HTMLParser(client.get("/care/mobile").text)
        offered = overview.css_first('a[href="/care/mobile/sessions/new"]') is not None
        assert offered == has_site, role
        for form in ("/care/mobile/sessions/new", "/care/mobile/population/new"):
            page = HTMLParser(client.get(form).text)
            assert (page.css_first(f'form[action="{form}"]') is not None) == has_site, role
            notice = page.css_first("#no-site")
            assert (notice is None) == has_site, role
            assert notice is None or notice.text().startswith("Aucun site de déplacés"), role


def test_field_test_paths_answer_every_role(
    client: TestClient, session: Session, world: World
) -> None:
    """The paths a field test found broken: every arrival link of the community pages (the
    coordinator's 100 "Enregistrer l'arrivée"), the surgery log offered to partners and
    researchers, each opens for whoever is shown it, whatever the number of rows."""
    page_walk_values(client, session, world)
    for role, user in world.users.items():
        sign_in(client, user.username)
        for page in ("/community", "/community/referrals", "/care"):
            response = client.get(page)
            assert response.status_code in {200, 403, 404}, (role, page)
            if response.status_code != 200:
                continue
            links = {
                node.attributes.get("href") or ""
                for node in HTMLParser(response.text).css("a[href]")
            }
            followed = [
                link
                for link in links
                if link.endswith("/arrival") or link.startswith(("/care/surgeries", "/care/mobile"))
            ]
            for link in followed:
                status = client.get(link, follow_redirects=False).status_code
                assert status == 200, (role, page, link, status)
