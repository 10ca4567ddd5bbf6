"""In real Chromium on a 360 px phone: a data manager on the hub opens the sync conflicts,
opens a field conflict, keeps the hub's value, and the record holds it (and the laptop too, at
its next sync)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from alima.core.models import Patient
from alima.core.schemas import PatientUpdate
from alima.core.service import patients
from alima.sync.models import SyncConflict
from tests.browser.conftest import serving
from tests.browser.phone import PHONE, fits
from tests.factories.core import PASSWORD
from tests.integration.sync.harness import make_hub, make_node

pytestmark = pytest.mark.browser

HUB_PHONE, LAPTOP_PHONE = "+22370000009", "+22370000001"


def test_a_data_manager_keeps_the_hubs_value(browser: Browser, tmp_path: Path) -> None:
    hub = make_hub("sqlite", tmp_path)
    laptop = make_node(hub, hub.world.facility_a, tmp_path, "laptop-a")
    patient_id = hub.world.patient_a.id
    with hub.factory() as session:
        patients.update_patient(
            session,
            patient_id,
            PatientUpdate(phone=HUB_PHONE),
            actor=hub.world.actors["data_manager"],
        )
    laptop.update(hub.world.users["clinician_a"].username, patient_id, phone=LAPTOP_PHONE)
    laptop.sync()
    url = hub.factory.kw["bind"].url.render_as_string(hide_password=False)

    with serving(url) as base:
        context = browser.new_context(locale="fr-FR", viewport=PHONE)
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#username", hub.world.users["data_manager"].username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.click("header.top summary")
        page.click("#nav-sync-conflicts")
        expect(page.locator("h1")).to_have_text("Conflits de synchronisation")
        expect(page.locator("#conflicts")).to_contain_text("à décider")
        fits(page)
        page.click("#conflicts tbody a")
        expect(page.locator("#field-phone")).to_contain_text(HUB_PHONE)
        expect(page.locator("#field-phone")).to_contain_text(LAPTOP_PHONE)
        fits(page)
        page.select_option("#choice-phone", "ours")
        page.click("#decide button[type=submit]")
        expect(page.locator("#conflict-state")).to_have_text("décidé")
        expect(page.locator("#decide")).to_have_count(0)
        fits(page)
        for path in ("/sync/nodes", "/sync/quarantine", "/sync"):
            page.goto(f"{base}{path}")
            expect(page.locator("h1")).to_be_visible()
            fits(page)
        expect(page.locator("#sync-status")).to_contain_text("Ce serveur est le serveur central")
        context.close()

    with hub.factory() as session, session.begin():
        assert session.get_one(Patient, patient_id).phone == HUB_PHONE
        conflict = session.scalars(select(SyncConflict)).one()
        assert conflict.status == "resolved"
        assert conflict.resolved_by_id == hub.world.users["data_manager"].id
    laptop.sync()
    with laptop.factory() as session, session.begin():
        assert session.get_one(Patient, patient_id).phone == HUB_PHONE
