"""Pages stay light on a 2G link: each under 15 KB gzip as served, the stylesheet cached.

On 250 kbit/s a page of 15 KB takes half a second to arrive (benchmarks/pages.py measures the
time to show of the main pages behind an emulated 2G link). Each user of the test world walks,
with the link crawl of ``test_link_crawl``, every page they can reach; each HTML page must come
gzip-compressed and weigh under 15 KB on the wire. The static files a page links are versioned
and kept by the browser, so that a page costs one request once the first is shown.
"""

import gzip
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.web.static import IMMUTABLE, REVALIDATE, version
from tests.factories.core import World, sign_in
from tests.web.crawl import Fetched, crawl
from tests.web.test_link_crawl import ORIGIN, ROLES
from tests.web.test_pages import page_walk_values

#: A page's weight on the wire, gzip-compressed as served (headers not counted).
MAX_SERVED = 15 * 1024
#: Below this size the server does not compress (GZipMiddleware's ``minimum_size``).
GZIP_FROM = 500


def weighed_fetch(client: TestClient, served: dict[str, int]) -> Callable[[str], Fetched]:
    """The crawl's fetch, keeping the bytes each HTML page took on the wire in ``served``."""

    def fetch(url: str) -> Fetched:
        headers = {"Accept-Encoding": "gzip"}
        with client.stream("GET", url, headers=headers, follow_redirects=False) as response:
            raw = b"".join(response.iter_raw())
        location = response.headers.get("location")
        if location and location.startswith(ORIGIN):
            location = location.removeprefix(ORIGIN) or "/"
        if not response.headers.get("content-type", "").startswith("text/html"):
            return Fetched(response.status_code, location, None)
        gzipped = response.headers.get("content-encoding") == "gzip"
        body = gzip.decompress(raw) if gzipped else raw
        # An uncompressed page counts as too heavy (all but the smallest are compressed).
        served[url] = len(raw) if gzipped or len(raw) < GZIP_FROM else MAX_SERVED + 1
        return Fetched(response.status_code, location, body.decode("utf-8"))

    return fetch


# Weight does not depend on the database: crawled once, on SQLite (the crawl is long).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_of_the_crawl_is_under_15_kb_as_served(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)
    heavy: list[str] = []
    for role in ROLES:
        sign_in(client, world.users[role].username)
        served: dict[str, int] = {}
        found = crawl(weighed_fetch(client, served))
        assert len(served) > 10, (role, len(served))
        heavy += [f"{role}: {url} {size} B" for url, size in served.items() if size > MAX_SERVED]
        assert found.unchecked == 0, role
    assert heavy == [], f"pages over {MAX_SERVED} B as served:\n" + "\n".join(heavy)


def test_static_files_are_versioned_and_kept(client: TestClient, world: World) -> None:
    sign_in(client, world.users["clinician_a"].username)
    page = HTMLParser(client.get("/").text)
    links = [node.attributes.get("href") or "" for node in page.css("head link[href]")]
    assert {re.sub(r"\?.*", "", link) for link in links} == {
        "/static/alima.css",
        "/static/favicon.svg",
    }
    for link in links:
        name = link.removeprefix("/static/").split("?")[0]
        assert link == f"/static/{name}?v={version(name)}", link
        fresh = TestClient(client.app)  # no cookie: a first visit
        response = fresh.get(link)
        assert response.status_code == 200, link
        assert response.headers["cache-control"] == IMMUTABLE, link
        assert "set-cookie" not in response.headers, link  # kept by caches: never a cookie
        # An old or missing version: kept, but asked again (a 304 while unchanged).
        for stale in (f"/static/{name}", f"/static/{name}?v=0123456789ab"):
            answer = fresh.get(stale)
            assert answer.headers["cache-control"] == REVALIDATE, stale
            again = fresh.get(stale, headers={"If-None-Match": answer.headers["etag"]})
            assert again.status_code == 304, stale
            assert again.headers["cache-control"] == REVALIDATE, stale
    assert client.get("/").headers["cache-control"] == "no-store"  # pages are never kept
