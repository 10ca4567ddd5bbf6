"""In real Chromium on a 360 px phone: a district user (the demo's coordinator, whose project
covers the district of Mopti) opens the demo's meningitis alert of Konna, verifies it with a
note, and the alert's status and log say so; no page scrolls sideways."""

import pytest
from playwright.sync_api import Browser, expect

from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE, fits

pytestmark = pytest.mark.browser


def test_a_district_user_verifies_an_outbreak_alert(browser: Browser, live_server: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.fill("#username", "coordinateur")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bienvenue")

    page.click("header.top summary")  # the folded menu of a phone
    page.click("#nav-outbreaks")
    fits(page)
    alert = page.locator("#alerts li", has_text="Méningite").filter(has_text="Konna").first
    expect(alert).to_be_visible()
    alert.locator("a").click()
    expect(page.locator("#alert-where")).to_contain_text("Konna")
    expect(page.locator("#alert-figures")).to_be_visible()
    fits(page)
    status_before = page.locator("#alert-status strong").inner_text()

    page.locator("#alert-action input[name=action][value=verify]").check()
    page.fill("#alert-action textarea[name=note]", "Cas confirmés par l'ICP de Konna, 2 PL faites.")
    page.click("#alert-action button[type=submit]")
    expect(page.locator("#alert-status strong")).not_to_have_text(status_before)
    expect(page.locator("#alert-log")).to_contain_text("Cas confirmés par l'ICP de Konna")
    expect(page.locator("#alert-log")).to_contain_text("Fatoumata Diarra")
    fits(page)
    context.close()
