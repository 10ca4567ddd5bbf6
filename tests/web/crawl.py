"""A breadth-first crawl of the links a signed-in user's pages show (GET only, never a form).

Shared by the link check (tests/web/test_link_crawl.py, through the test client) and the
phone check (tests/browser/test_phone_pages.py, through Chromium's request context): the
caller gives ``fetch``, which answers a URL's status, its redirect target and its HTML.
"""

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser as HTMLParser

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
REDIRECTS = {301, 302, 303, 307, 308}
HOST = "crawl.invalid"


@dataclass(frozen=True)
class Fetched:
    """What a GET answered: its status, its ``Location`` and its HTML (``None`` when not HTML).

    ``location`` is a path when the redirect stays on the site (the caller strips its own
    origin), so that an absolute redirect elsewhere is not followed.
    """

    status: int
    location: str | None = None
    html: str | None = None


@dataclass
class Crawl:
    """The crawl of one user: the pages fetched, and the broken links ``(page, link, status)``."""

    pages: list[str] = field(default_factory=list)
    html_pages: list[str] = field(default_factory=list)
    broken: list[tuple[str, str, int]] = field(default_factory=list)
    #: Links found but not followed when the budget ran out (0: nothing left unchecked).
    unchecked: int = 0


def broken_status(source: str, status: int) -> bool:
    """Any 4xx or 5xx answer to a link a page showed; a start page may be refused."""
    if source == "(menu)":
        return status >= 500 or (status >= 400 and status not in START_REFUSED)
    return status >= 400


def same_site_link(page: str, href: str) -> str | None:
    """The path and query of ``href`` seen on ``page``, or ``None`` when it is not followed."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    base = f"http://{HOST}"
    parts = urlsplit(urljoin(base + page, urldefrag(href).url))
    if parts.scheme not in {"http", "https"} or parts.netloc != HOST:
        return None
    if SKIPPED.match(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pattern(url: str) -> str:
    """``url`` with its identifiers (UUIDs, numbers) replaced by ``{id}``."""
    return IDENTIFIER.sub("{id}", url)


def links_of(html: str) -> list[str]:
    """Every ``<a href>`` of a page."""
    return [node.attributes.get("href") or "" for node in HTMLParser(html).css("a[href]")]


def crawl(
    fetch: Callable[[str], Fetched],
    starts: Iterable[str] = STARTS,
    *,
    max_urls: int = MAX_URLS,
    per_pattern: int = PER_PATTERN,
    key: Callable[[str], str] = pattern,
    on_page: Callable[[str, str], None] | None = None,
) -> Crawl:
    """Follow every same-site link from ``starts``, at most ``per_pattern`` URLs per pattern.

    ``key`` gives a URL's pattern (by default :func:`pattern`: identifiers elided).
    ``on_page`` is given ``(url, html)`` of every HTML page answered 200, so that other checks
    (the French page scan) walk the same pages as the link check.
    """
    starts = tuple(starts)
    queue: deque[tuple[str, str]] = deque(("(menu)", start) for start in starts)
    seen = set(starts)
    counts: Counter[str] = Counter(key(start) for start in starts)
    result = Crawl()
    while queue and len(result.pages) < max_urls:
        source, url = queue.popleft()
        answer = fetch(url)
        result.pages.append(url)
        if broken_status(source, answer.status):
            result.broken.append((source, url, answer.status))
            continue
        if answer.status >= 400:
            continue
        links: list[str] = []
        if answer.status in REDIRECTS and answer.location:
            links = [answer.location]
        elif answer.html is not None:
            result.html_pages.append(url)
            if on_page is not None and answer.status == 200:
                on_page(url, answer.html)
            links = links_of(answer.html)
        for href in links:
            link = same_site_link(url, href)
            if link is None or link in seen:
                continue
            seen.add(link)
            if counts[key(link)] >= per_pattern:
                continue
            counts[key(link)] += 1
            queue.append((url, link))
    result.unchecked = len(queue)
    return result
