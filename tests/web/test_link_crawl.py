"""Every link a page shows works for the user who sees it: a crawl per role.

For each user of the test world, sign in, start from the home page and the main menu, and
follow every same-site ``<a href>`` breadth-first (GET only, never a form). A link answered
403, 404 or 5xx is a broken link: a page must not offer what its reader may not follow.
"""

from collections.abc import Callable

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

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


def test_every_link_a_page_shows_works_for_its_reader(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)
    broken: list[tuple[str, str, str, int]] = []
    for role in ROLES:
        sign_in(client, world.users[role].username)
        found = crawl(client_fetch(client))
        assert len(found.pages) > len(STARTS), (role, len(found.pages))
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
