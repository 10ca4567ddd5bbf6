"""In real Chromium on a 360 x 740 phone: every page a nurse and a data manager reach fits.

For each of the two roles, sign in with the demo user, crawl every link the pages show from
the home page and the main menu (tests/web/crawl.py: same-site GET links, a few URLs per
link shape, so the pages behind the demo's records are met: a child's card, an episode, a
visit form, a mobile clinic, the monthly report, the stock and sync pages), then open each
page in Chromium. A page fails when it scrolls sideways
(``document.documentElement.scrollWidth > window.innerWidth``) or when its header is taller
than 80 px with the menu closed. The main screens are kept as full-page screenshots in
``$ALIMA_SCREENSHOTS`` (by default ``var/screenshots/phone/`` in the repository, which git
ignores). Runs once, on the browser tests' SQLite demo: layout does not depend on the database.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE
from tests.web.crawl import Fetched, crawl, pattern

pytestmark = pytest.mark.browser

MAX_HEADER_PX = 80
MIN_TOUCH_PX = 44
MIN_CHART_LABEL_PX = 11
#: The demo users of the roles that work on a phone (a study's monitor visits sites too).
ROLES = {"clinician": "clinicien", "data_manager": "gestionnaire", "monitor": "moniteur"}
#: Pages opened in Chromium per link shape (the crawl itself reads a few more).
BROWSER_PER_PATTERN = 1
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("ALIMA_SCREENSHOTS") or REPO / "var" / "screenshots" / "phone")
#: The roles whose screens this run already kept.
SHOT_ROLES: set[str] = set()
#: Link shapes whose first page is kept as a screenshot: the main screens.
MAIN_SCREENS = {
    "home": r"^/$",
    "patients": r"^/patients$",
    "child": r"^/patients/\{id\}$",
    "nutrition": r"^/nutrition$",
    "episode": r"^/nutrition/episodes/\{id\}$",
    "exit-form": r"^/nutrition/episodes/\{id\}/exit$",
    "care": r"^/care$",
    "mobile-clinics": r"^/care/mobile$",
    "child-care": r"^/patients/\{id\}/care$",
    "consultation-form": r"^/patients/\{id\}/consultations/new$",
    "community": r"^/community$",
    "stock": r"^/stock$",
    "stock-site": r"^/stock/sites/",
    "monthly-report": r"^/(nutrition/)?reports/monthly",
    "stock-report": r"^/stock/reports/monthly",
    "sync": r"^/sync$",
    "impact": r"^/impact$",
    "studies": r"^/research$",
    "study": r"^/research/studies/[^/?]+$",
    "study-missed": r"^/research/studies/[^/?]+/missed$",
    "study-safety": r"^/research/studies/[^/?]+/safety$",
    "monitoring": r"^/research/studies/[^/?]+/monitoring$",
}
#: Screens each role's crawl must meet, or it missed the pages behind the demo's records.
SHARED = (
    "child",
    "mobile-clinics",
    "monthly-report",
    "stock",
    "stock-site",
    "stock-report",
    "studies",
    "study",
    "study-missed",
    "study-safety",
)
MUST_MEET = {
    "clinician": (*SHARED, "episode", "exit-form", "child-care", "consultation-form", "sync"),
    "data_manager": (*SHARED, "sync"),
    "monitor": ("studies", "study", "monitoring"),
}
#: A place's code in a path or any query value: one shape for all places, months, pages.
CODE = re.compile(r"/[A-Z][A-Z0-9_.-]+(?=/|\?|$)")
VALUE = re.compile(r"=[^&]*")


def shape(url: str) -> str:
    """The shape of ``url`` for the browser's visits: identifiers, codes and values elided."""
    return VALUE.sub("=*", CODE.sub("/{code}", pattern(url)))


MEASURE = """() => {
  const header = document.querySelector('header.top');
  const summary = document.querySelector('header.top summary');
  return {
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    header: header ? header.getBoundingClientRect().height : -1,
    summary: summary ? summary.getBoundingClientRect().height : -1,
    who: !!document.querySelector("header.top .who"),
    labels: [...document.querySelectorAll('svg.chart')].flatMap(svg => {
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll('text')].map(
        t => parseFloat(getComputedStyle(t).fontSize) * scale);
    }),
    wide: [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3)
      .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string' ? '.' + e.className : '')),
  };
}"""


@pytest.fixture(scope="module")
def demo_site(live_server: str) -> str:
    """The browser tests' shared demo site (layout does not depend on the database: one walk)."""
    return live_server


def request_fetch(context: BrowserContext, base: str) -> Callable[[str], Fetched]:
    """A GET through the browser context's cookies, without following redirects."""

    def fetch(url: str) -> Fetched:
        response = context.request.get(base + url, max_redirects=0)
        location = response.headers.get("location")
        if location and location.startswith(base):
            location = location.removeprefix(base) or "/"
        html = (
            response.text()
            if response.headers.get("content-type", "").startswith("text/html")
            else None
        )
        return Fetched(response.status, location, html)

    return fetch


def keep_screenshot(page: Page, path: Path, attempts: int = 3) -> None:
    """A full-page screenshot of ``page``, asked again when Chromium could not take it.

    On a loaded 2-core machine headless Chromium now and then answers ``Unable to capture
    screenshot`` for a page it has drawn; the picture is kept for people to look at, while the
    layout checks are the test, so a refusal is retried before it fails the run.
    """
    for attempt in range(1, attempts + 1):
        try:
            page.screenshot(path=str(path), full_page=True)
        except PlaywrightError:
            if attempt == attempts:
                raise
            page.wait_for_timeout(500 * attempt)
        else:
            return


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_fits_a_phone(browser: Browser, demo_site: str, role: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{demo_site}/login")
    page.fill("#username", ROLES[role])
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header.top .who")).to_be_visible()

    found = crawl(request_fetch(context, demo_site), per_pattern=2, key=shape)
    assert found.broken == [], found.broken
    per_pattern: dict[str, int] = {}
    visits: list[str] = []
    for url in found.html_pages:
        seen = per_pattern.get(shape(url), 0)
        if seen < BROWSER_PER_PATTERN:
            per_pattern[shape(url)] = seen + 1
            visits.append(url)
    # An error page keeps the menu: it must fit as well.
    visits.append(f"/patients/{uuid.uuid4()}")
    met = {
        name
        for name, regex in MAIN_SCREENS.items()
        if any(re.match(regex, pattern(u)) for u in visits)
    }
    missed = sorted(set(MUST_MEET[role]) - met)

    # Kept once per role.
    shots = SCREENSHOTS / role
    shots.mkdir(parents=True, exist_ok=True)
    shoot = role not in SHOT_ROLES
    SHOT_ROLES.add(role)
    kept: set[str] = set()
    failures: list[str] = []
    for url in visits:
        page.goto(demo_site + url)
        measured = page.evaluate(MEASURE)
        problems = []
        if measured["scroll"] > measured["inner"]:
            problems.append(f"{measured['scroll']} px wide ({', '.join(measured['wide'])})")
        if not 0 < measured["header"] <= MAX_HEADER_PX:
            problems.append(f"header {measured['header']:.0f} px")
        if measured["labels"] and min(measured["labels"]) < MIN_CHART_LABEL_PX:
            problems.append(f"chart labels of {min(measured['labels']):.1f} px")
        if measured["who"] and not measured["summary"] >= MIN_TOUCH_PX:
            problems.append(f"menu button {measured['summary']:.0f} px")
        if problems:
            failures.append(f"{url}: {'; '.join(problems)}")
        for name, regex in MAIN_SCREENS.items():
            if shoot and name not in kept and re.match(regex, pattern(url)):
                kept.add(name)
                keep_screenshot(page, shots / f"{name}.png")
    context.close()
    assert missed == [], f"the crawl missed {missed} in {sorted(per_pattern)}"
    assert failures == [], (
        f"{len(failures)} of {len(visits)} pages do not fit a 360 px phone:\n" + "\n".join(failures)
    )
