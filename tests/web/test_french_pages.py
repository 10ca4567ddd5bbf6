"""French pages read French: no English word, raw code or decimal point reaches them.

Each user of the test world signs in with the French locale and walks, with the link crawl
of ``test_link_crawl``, every page they can reach. The visible text of each page must not
hold an English word of the kinds that leaked before (ages, protocol titles), a stored code
shown raw (audit actions, entity kinds, enum values) nor a number written with a decimal
point.
"""

import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

import alima.nutrition
from alima.core.labels import LABELS
from alima.web.middleware import LOCALE_COOKIE
from tests.factories.core import World, sign_in
from tests.web.crawl import crawl
from tests.web.test_link_crawl import ROLES, client_fetch
from tests.web.test_pages import page_walk_values

#: English words that reached French pages: ages and durations.
ENGLISH_WORDS = ("year", "years", "month", "months", "week", "weeks", "day", "days")
#: The English titles of the packaged protocols (a French page shows their translation).
PROTOCOL_TITLES = tuple(
    tomllib.loads(path.read_text(encoding="utf-8"))["title"]
    for path in sorted((Path(alima.nutrition.__file__).parent / "protocols").glob("*.toml"))
)
#: Stored codes a person must only ever read through their label: every code with a label
#: that is written like a code (``read_denied``, ``nutrition_episode``), and the one-word
#: audit actions.
RAW_CODES = (*sorted(code for code in LABELS if "_" in code), "create", "update", "read")
#: Elements whose text is not prose: scripts, styles, a field's value, code shown as code.
NOT_PROSE = "script, style, template, textarea, code, kbd, samp, pre"
#: Tokens that hold a dot without being a number: addresses, e-mails, file names.
NOT_A_NUMBER = re.compile(r"\S*(?:://|@|/)\S*|\S+\.(?:csv|xlsx|json|xml|toml|html)\b")
#: A number written with a decimal point (not part of a version, a code or an address).
DECIMAL_POINT = re.compile(r"(?<![\w.,:/-])\d+\.\d+(?![\w.])")


def visible_text(html: str) -> str:
    """The text a reader sees on the page (the title included, code samples left out)."""
    tree = HTMLParser(html)
    for node in tree.css(NOT_PROSE):
        node.decompose()
    title = tree.css_first("title")
    body = tree.body
    return " ".join(part.text(separator=" ") for part in (title, body) if part is not None).replace(
        "\xa0", " "
    )


def leaks(text: str, usernames: frozenset[str]) -> list[str]:
    """What in ``text`` is not French: English words, raw codes, decimal points."""
    found: list[str] = []
    words = set(re.findall(r"[A-Za-z_]+", text))
    lowered = {w.lower() for w in words}
    found += [f"English word {w!r}" for w in ENGLISH_WORDS if w in lowered]
    found += [f"protocol title {t!r}" for t in PROTOCOL_TITLES if t in text]
    found += [f"raw code {c!r}" for c in RAW_CODES if c in words and c not in usernames]
    numbers = NOT_A_NUMBER.sub(" ", text)
    found += [f"decimal point {m!r}" for m in DECIMAL_POINT.findall(numbers)]
    return found


def test_leaks_finds_what_leaked() -> None:
    text = "Âge : 2 years 5 months · read_denied · z 1.5 · v1.2.3 · a@b.org 10:30 x.csv"
    assert leaks(text, frozenset()) == [
        "English word 'years'",
        "English word 'months'",
        "raw code 'read_denied'",
        "decimal point '1.5'",
    ]
    assert leaks("Âge : 2 ans 5 mois · Accès refusé · z 1,5 · 12 345,6 kg", frozenset()) == []


# Wording does not depend on the database: walked once, on SQLite (the walk is long).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_french_pages_read_french_for_every_role(
    client: TestClient, session: Session, world: World
) -> None:
    page_walk_values(client, session, world)
    usernames = frozenset(user.username for user in world.users.values())
    problems: list[str] = []
    visited = 0

    def check(role: str) -> Callable[[str, str], None]:
        def on_page(url: str, html: str) -> None:
            nonlocal visited
            visited += 1
            problems.extend(
                f"{role} {url}: {leak}" for leak in leaks(visible_text(html), usernames)
            )

        return on_page

    for role in ROLES:
        sign_in(client, world.users[role].username)
        client.cookies.set(LOCALE_COOKIE, "fr")
        crawl(client_fetch(client), on_page=check(role))
    assert visited > 50, visited
    assert problems == [], "\n".join(sorted(set(problems)))
