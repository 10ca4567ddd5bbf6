"""A real ODK form engine fills alima's forms in Chromium and sends them back over OpenRosa.

ODK Web Forms (``@getodk/web-forms``, the engine of ODK's browser forms, installed from npm by
this test into ``tests/browser/odk_web_forms/node_modules``) is hosted by a small test page. The
page does what ODK Collect does against alima: the form list, the form download, the ``HEAD``
preflight and the multipart ``POST`` of ``xml_submission_file``. The test page and the engine's
files are handed to the browser by Playwright under the server's origin; everything under
``/openrosa`` is alima itself, running on a real port.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.community.models import Screening
from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.time import today
from alima.interop.openrosa.catalogue import SCREENING, VISIT
from alima.interop.openrosa.enums import SubmissionStatus
from alima.interop.openrosa.models import Submission
from alima.nutrition import service as nutrition
from tests.browser.conftest import on_test_day, serving
from tests.conftest import IN_CI
from tests.factories.core import PASSWORD, World, build_world
from tests.factories.nutrition import admit_sam_child

pytestmark = pytest.mark.browser

HOST = Path(__file__).resolve().parent / "odk_web_forms"
MODULES = HOST / "node_modules"
SERVED = {
    "/odk-test/vue/": MODULES / "vue" / "dist",
    "/odk-test/web-forms/": MODULES / "@getodk" / "web-forms" / "dist",
}


def _install_engine() -> None:
    """``npm ci`` the pinned engine once (node_modules is not in git)."""
    if (MODULES / "@getodk" / "web-forms" / "dist" / "index.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        if IN_CI:
            pytest.fail("npm is required in CI to install ODK Web Forms")
        pytest.skip("npm not found: ODK Web Forms cannot be installed")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HOST, check=True, timeout=600)


@dataclass
class Site:
    """alima on a real port, with a district, its users and a child in treatment."""

    base: str
    world: World
    session: Session
    episode_identifier: str
    episode_id: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _install_engine()
    url = f"sqlite:///{tmp_path_factory.mktemp('odk') / 'alima.db'}"
    upgrade(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    world = build_world(session)
    admitted = admit_sam_child(session, world, admitted_on=today() - timedelta(days=7))
    episode = nutrition.get_episode(session, admitted.episode_id, actor=world.actors["clinician_a"])
    with serving(url) as base:
        yield Site(base, world, session, episode.patient_identifier, str(admitted.episode_id))
    session.close()
    engine.dispose()


def _serve_host_files(route: Route) -> None:
    path = "/" + route.request.url.split("/", 3)[3].split("?")[0]
    if path == "/odk-test/index.html":
        route.fulfill(path=HOST / "index.html")
        return
    for prefix, folder in SERVED.items():
        if path.startswith(prefix):
            route.fulfill(path=folder / path.removeprefix(prefix))
            return
    route.fulfill(status=404)


def _open(browser: Browser, site: Site, form_id: str) -> Page:
    page = on_test_day(browser.new_context(locale="fr-FR")).new_page()
    page.route("**/odk-test/**", _serve_host_files)
    query = urlencode(
        {"form": form_id, "user": site.world.users["clinician_a"].username, "password": PASSWORD}
    )
    page.goto(f"{site.base}/odk-test/index.html?{query}")
    expect(page.locator("h1, .form-title").first).to_be_visible(timeout=20_000)
    return page


def _type(page: Page, label: str, value: str) -> None:
    field = page.locator(".question-container").filter(
        has=page.locator(f'label:text-is("{label}")')
    )
    box = field.locator("input").first
    if box.get_attribute("role") == "spinbutton":
        box.click()  # a number box takes keystrokes, as a nurse types them
        box.press_sequentially(value)
    else:
        box.fill(value)
    box.press("Tab")


def _send(page: Page) -> str:
    page.get_by_role("button", name="Send").click()
    receipt = page.locator("#receipt")
    expect(receipt).not_to_have_attribute("data-status", "", timeout=20_000)
    status = receipt.get_attribute("data-status") or ""
    return f"{status} {receipt.inner_text()}"


def _latest(site: Site, form_id: str) -> Submission:
    with site.session.begin():
        row = site.session.scalars(
            select(Submission)
            .where(Submission.form_id == form_id)
            .order_by(Submission.created_at.desc())
        ).first()
        assert row is not None
        site.session.expunge(row)
        return row


def test_odk_web_forms_fills_the_screening_and_alima_records_it(
    browser: Browser, site: Site
) -> None:
    page = _open(browser, site, SCREENING)
    expect(page.get_by_role("heading", name="Dépistage PB communautaire").first).to_be_visible()
    page.get_by_text("Agent de santé communautaire", exact=True).click()
    _type(page, "Prénom de l'enfant", "Mariam")
    _type(page, "Âge de l'enfant (mois)", "20")
    _type(page, "Village", "Sirakoro")
    _type(page, "Identifiant alima de l'enfant, s'il est inscrit", site.world.patient_a.identifier)
    _type(page, "PB (mm)", "109")
    receipt = _send(page)
    assert receipt.startswith("201"), receipt
    assert "Formulaire reçu et enregistré." in receipt
    row = _latest(site, SCREENING)
    assert row.status == SubmissionStatus.APPLIED
    assert row.instance_id and row.instance_id.startswith("uuid:")
    with site.session.begin():
        screening = site.session.get(Screening, row.entity_id)
        assert screening is not None
        assert (screening.child_given_name, screening.muac_mm) == ("Mariam", 109)
        assert screening.muac_band == "red"
        assert screening.patient_id == site.world.patient_a.id
        assert screening.referral is not None


def test_odk_web_forms_sends_a_visit_that_gets_the_protocol_dose(
    browser: Browser, site: Site
) -> None:
    page = _open(browser, site, VISIT)
    _type(page, "Identifiant alima de l'enfant", site.episode_identifier)
    _type(page, "Poids (kg)", "6,2")  # a French keyboard: decimal comma
    _type(page, "PB (mm)", "112")
    page.locator(".question-container").filter(
        has=page.locator('label:text-is("Test d\'appétit réussi ?")')
    ).get_by_text("Oui", exact=True).click()
    receipt = _send(page)
    assert receipt.startswith("201"), receipt
    row = _latest(site, VISIT)
    assert row.status == SubmissionStatus.APPLIED
    card = nutrition.get_episode(
        site.session, uuid.UUID(site.episode_id), actor=site.world.actors["clinician_a"]
    )
    visit = next(v for v in card.visits if v.id == row.entity_id)
    assert visit.weight_kg == pytest.approx(6.2)
    assert visit.muac_mm == 112
    assert visit.sachets_given > 0
    assert visit.product
    # The child's card shows the visit the engine sent, with its ration.
    card_page = on_test_day(browser.new_context(locale="fr-FR")).new_page()
    card_page.goto(f"{site.base}/login")
    card_page.fill("#username", site.world.users["clinician_a"].username)
    card_page.fill("#password", PASSWORD)
    card_page.locator("form button[type=submit]").click()
    card_page.goto(f"{site.base}/nutrition/episodes/{site.episode_id}")
    expect(card_page.locator("body")).to_contain_text("112")
    expect(card_page.locator("body")).to_contain_text(str(visit.sachets_given))
