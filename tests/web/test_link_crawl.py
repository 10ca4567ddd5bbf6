"""Every link a page shows works for the user who sees it: a crawl per role.

For each user of the test world, sign in, start from the home page and the main menu, and
follow every same-site ``<a href>`` breadth-first (GET only, never a form). A link answered
403, 404 or 5xx is a broken link: a page must not offer what its reader may not follow.
"""

import re
from collections import Counter, deque
from collections.abc import Callable
from urllib.parse import urldefrag, urljoin, urlsplit

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from tests.factories.core import World, sign_in
from tests.web.test_pages import page_walk_values

#: Where every crawl starts: the home page and the main menu's pages.
STARTS = ("/", "/patients", "/nutrition", "/care", "/community", "/impact")
#: Links the crawl never follows: signing out, switching language (a redirect that sets a
#: cookie), static files.
SKIPPED = re.compile(r"^/(logout|lang/|static/)")
MAX_URLS = 400
#: Rows of a list repeat one link shape; a few of each are enough.
PER_PATTERN = 3
IDENTIFIER = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|\d+",
    re.IGNORECASE,
)
BROKEN = {403, 404}

ROLES = (
    "clinician_a",
    "clinician_b",
    "data_manager",
    "coordinator",
    "researcher",
    "partner_viewer",
    "administrator",
)


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


#: What a crawl hands each HTML page it reads: ``(url, html)``.
PageVisitor = Callable[[str, str], None]


def crawl(
    client: TestClient, role: str, on_page: PageVisitor | None = None
) -> tuple[list[tuple[str, str, str, int]], int]:
    """Broken links ``(role, page, link, status)`` met by ``role``, and the URLs fetched.

    ``on_page`` is given every HTML page answered 200, so that other checks (the French
    page scan) walk the same pages as the link check.
    """
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
        if status in BROKEN or status >= 500:
            broken.append((role, source, url, status))
            continue
        links: list[str] = []
        if status in {301, 302, 303, 307, 308}:
            links = [response.headers["location"]]
        elif response.headers.get("content-type", "").startswith("text/html"):
            if on_page is not None and status == 200:
                on_page(url, response.text)
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
    return broken, fetched


def test_every_link_a_page_shows_works_for_its_reader(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)
    broken: list[tuple[str, str, str, int]] = []
    for role in ROLES:
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
