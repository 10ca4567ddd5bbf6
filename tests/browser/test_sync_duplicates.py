"""In real Chromium on a 360 px phone: the same child registered at two sites; a data manager on
the hub opens the duplicates across sites, reviews the pair side by side and merges it; the old
patient's card leads to the kept one, and both laptops end with the kept child and every visit."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from alima.core.models import Patient
from alima.core.time import today
from alima.nutrition.models import Episode, Visit
from alima.sync.models import SyncDuplicate
from tests.browser.conftest import serving
from tests.browser.phone import PHONE, fits
from tests.factories.core import PASSWORD
from tests.integration.sync.harness import Hub, Node, make_hub, make_node

pytestmark = pytest.mark.browser


def _visits_of(where: Hub | Node, patient_id: object) -> int:
    with where.factory() as session, session.begin():
        query = (
            select(func.count())
            .select_from(Visit)
            .join(Episode, Episode.id == Visit.episode_id)
            .where(Episode.patient_id == patient_id)
        )
        return int(session.scalar(query) or 0)


def _review_and_merge(page: Page, base: str, hub: Hub, kept_id: object, other_id: object) -> None:
    """From the menu to the merged pair, then the old card and a new check."""
    page.click("header.top summary")  # the folded menu of a phone
    page.click("#nav-sync-duplicates")
    expect(page.locator("h1")).to_have_text("Doublons entre sites")
    expect(page.locator("#duplicates")).to_contain_text("à examiner")
    fits(page)
    page.click("#duplicates tbody a")
    expect(page.locator("h1")).to_have_text("Doublon possible")
    expect(page.locator("#row-name")).to_contain_text("Awa Traoré")
    expect(page.locator("#row-site")).to_contain_text(hub.world.facility_a.name)
    expect(page.locator("#row-site")).to_contain_text(hub.world.facility_b.name)
    expect(page.locator("#row-visits")).to_contain_text("1")
    expect(page.locator("#row-visits")).to_contain_text("2")
    fits(page)
    page.check(f"#merge input[value='{kept_id}']")
    page.click("#merge button[type=submit]")
    expect(page.locator("#duplicate-state")).to_have_text("fusionné")
    expect(page.locator("#two-open")).to_be_visible()  # both open episodes kept, flagged
    expect(page.locator("#merge")).to_have_count(0)
    fits(page)
    page.goto(f"{base}/patients/{other_id}")
    expect(page).to_have_url(f"{base}/patients/{kept_id}")
    fits(page)
    page.goto(f"{base}/sync/duplicates")
    expect(page.locator("#duplicates")).to_contain_text("fusionné")
    page.click("#scan button[type=submit]")
    expect(page.locator("#scan-result")).to_contain_text("0 nouvelle paire trouvée")
    fits(page)


def test_a_data_manager_merges_a_child_registered_at_two_sites(
    browser: Browser, tmp_path: Path
) -> None:
    hub = make_hub("sqlite", tmp_path)
    laptop_a = make_node(hub, hub.world.facility_a, tmp_path, "laptop-a")
    laptop_b = make_node(hub, hub.world.facility_b, tmp_path, "laptop-b")
    on = today() - timedelta(days=14)
    clin_a, clin_b = (hub.world.users[k].username for k in ("clinician_a", "clinician_b"))
    kept = laptop_a.register(clin_a, "Awa")
    laptop_a.admit(clin_a, kept.id, on)
    other = laptop_b.register(clin_b, "Awa")
    laptop_b.visit(clin_b, laptop_b.admit(clin_b, other.id, on).episode_id, on + timedelta(days=7))
    laptop_a.sync()
    laptop_b.sync()
    visits = _visits_of(hub, kept.id) + _visits_of(hub, other.id)
    url = hub.factory.kw["bind"].url.render_as_string(hide_password=False)

    with serving(url) as base:
        context = browser.new_context(locale="fr-FR", viewport=PHONE)
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#username", hub.world.users["data_manager"].username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        _review_and_merge(page, base, hub, kept.id, other.id)
        context.close()

    with hub.factory() as session, session.begin():
        pair = session.scalars(select(SyncDuplicate)).one()
        assert (pair.status, pair.kept_id) == ("merged", kept.id)
        assert pair.resolved_by_id == hub.world.users["data_manager"].id
        assert session.get_one(Patient, other.id).merged_into_id == kept.id
    for laptop in (laptop_a, laptop_b):
        laptop.sync()
    for where in (hub, laptop_a, laptop_b):
        assert _visits_of(where, kept.id) == visits
        assert _visits_of(where, other.id) == 0
