"""In real Chromium on a 360 px phone: the nurse's stock pages fit the screen (no sideways
scrolling), the alert of the site that missed its delivery shows on the home page, and a
receipt typed in cartons is saved with the keyboard's form."""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from alima.core.time import today
from alima.demo.core import DEMO_PASSWORD
from alima.demo.stock import SHORT_SITE
from tests.browser.phone import PHONE, fits

pytestmark = pytest.mark.browser


def test_stock_pages_fit_a_phone(browser: Browser, live_server: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.fill("#username", "clinicien")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bienvenue")
    alerts = page.locator("#stock-alerts")
    expect(alerts).to_contain_text("Alerte stock d’ATPE")
    fits(page)

    expect(alerts.locator(f"a[href='/stock/sites/{SHORT_SITE}']")).to_be_visible()

    page.goto(f"{live_server}/stock")
    expect(page.locator("h1")).to_have_text("Stock d’ATPE")
    fits(page)
    page.goto(f"{live_server}/stock/sites/{SHORT_SITE}")
    expect(page.locator("#stock-alert")).to_be_visible()
    expect(page.locator("#batches tbody tr").first).to_be_visible()
    fits(page)
    usable = int(page.locator("#usable").inner_text())

    page.click("#stock-actions a.button")
    expect(page.locator("h1")).to_have_text("Enregistrer une réception d’ATPE")
    fits(page)
    page.fill("#quantity", "2")
    page.check("input[name=unit][value=carton]")
    page.fill("#batch", "LOT-TEL-1")
    page.fill("#expires_on", (today() + timedelta(days=400)).isoformat())
    page.click("form.grid button[type=submit]")
    expect(page.locator("#saved")).to_have_text("Enregistré : Réception.")
    expect(page.locator("#usable")).to_have_text(str(usable + 300))
    expect(page.locator("#batches")).to_contain_text("LOT-TEL-1")
    fits(page)

    page.goto(f"{live_server}/stock/reports/monthly?place={SHORT_SITE}")
    expect(page.locator("#stock-report")).to_be_visible()
    fits(page)
    context.close()
