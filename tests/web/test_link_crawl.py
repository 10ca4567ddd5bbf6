"""Every link a page shows works for the user who sees it: a crawl per role.

For each user of the test world (every role), sign in, start from the home page and the main
menu, and follow every same-site ``<a href>`` breadth-first (GET only, never a form). A link
answered with any 4xx or 5xx is a broken link: a page must not offer what its reader may not
follow. A crawl that runs out of its budget with links left fails too, so that no link goes
unchecked silently.
"""

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urljoin, urlsplit

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.enums import Role
from tests.factories.core import World, sign_in
from tests.web.test_pages import page_walk_values

#: Where every crawl starts: the home page and the main menu's pages.
STARTS = (
    "/",
    "/patients",
    "/nutrition",
    "/nutrition/tracing",
    "/care",
    "/care/mobile",
    "/community",
    "/community/referrals",
    "/impact",
)
#: Links the crawl never follows: signing out, switching language (a redirect that sets a
#: cookie), static files.
SKIPPED = re.compile(r"^/(logout|lang/|static/)")
MAX_URLS = 600
#: Rows of a list repeat one link shape; a few of each are enough.
PER_PATTERN = 3
IDENTIFIER = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|\d+",
    re.IGNORECASE,
)
#: A start page a role may not open is refused, not broken (the menu does not offer it).
START_REFUSED = {401, 403, 404}


def same_site_link(page: str, href: str) -> str | None:
    """The path and query of ``href`` seen on ``page``, or ``None`` when it is not followed."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + page, urldefrag(href).url))
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    if SKIPPED.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pattern(url: str) -> str:
    return IDENTIFIER.sub("{id}", url)


def broken_status(source: str, status: int) -> bool:
    """Any 4xx or 5xx answer to a link a page showed; a start page may be refused."""
    if source == "(menu)":
        return status >= 500 or (status >= 400 and status not in START_REFUSED)
    return status >= 400


def crawl(client: TestClient, role: str) -> tuple[list[tuple[str, str, str, int]], int]:
    """Broken links ``(role, page, link, status)`` met by ``role``, and the URLs fetched."""
    queue: deque[tuple[str, str]] = deque(("(menu)", start) for start in STARTS)
    seen = set(STARTS)
    per_pattern: Counter[str] = Counter(pattern(start) for start in STARTS)
    broken: list[tuple[str, str, str, int]] = []
    fetched = 0
    while queue and fetched < MAX_URLS:
        source, url = queue.popleft()
        response = client.get(url, follow_redirects=False)
        fetched += 1
        status = response.status_code
        if broken_status(source, status):
            broken.append((role, source, url, status))
            continue
        if status >= 400:
            continue
        links: list[str] = []
        if status in {301, 302, 303, 307, 308}:
            links = [response.headers["location"]]
        elif response.headers.get("content-type", "").startswith("text/html"):
            links = [
                node.attributes.get("href") or ""
                for node in HTMLParser(response.text).css("a[href]")
            ]
        for href in links:
            link = same_site_link(url, href)
            if link is None or link in seen:
                continue
            seen.add(link)
            if per_pattern[pattern(link)] >= PER_PATTERN:
                continue
            per_pattern[pattern(link)] += 1
            queue.append((url, link))
    assert not queue, f"{role}: {len(queue)} links left unchecked after {MAX_URLS} pages"
    return broken, fetched


def test_every_link_a_page_shows_works_for_its_reader(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)
    broken: list[tuple[str, str, str, int]] = []
    assert {r for a in world.actors.values() for r in a.roles} == set(Role)  # every role
    for role in world.users:
        sign_in(client, world.users[role].username)
        found, fetched = crawl(client, role)
        assert fetched > len(STARTS), (role, fetched)
        broken += found
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
