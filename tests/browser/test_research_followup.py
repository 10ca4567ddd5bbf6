"""In real Chromium, on a nurse's phone: OPTIMA-ML's serious adverse events list the overdue
report first, the nurse records that it reached the sponsor, and the child's study page shows
the follow-up schedule with each event's status (issue 15, follow-up)."""

import pytest
from playwright.sync_api import Page, expect

from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE, fits

pytestmark = pytest.mark.browser


def test_the_overdue_sae_comes_first_is_reported_and_the_child_shows_its_schedule(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login")
    page.fill("#username", "clinicien")
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("h1")).to_contain_text("Bienvenue")

    page.goto(f"{live_server}/research/studies/OPTIMA-ML")
    page.click("#follow-up-links a[href$='/safety']")
    first = page.locator("#adverse-events tbody tr").first
    expect(first.locator("td").first).to_contain_text("En retard")
    fits(page)
    first.locator("button[type=submit]").click()
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#adverse-events td.report-overdue")).to_have_count(0)
    reported = page.locator("#adverse-events tbody tr").first
    expect(reported.locator("td").first).to_contain_text("Déclaré en retard")
    expect(reported.locator("button")).to_have_count(0)

    reported.locator("td:nth-child(2) a").click()
    expect(page.locator("#follow-up h2")).to_have_text("Suivi")
    expect(page.locator("#schedule tbody tr")).to_have_count(3)
    expect(page.locator("#event-M1")).to_contain_text("Mois 1")
    expect(page.locator("#adverse-event-form")).to_be_visible()
    fits(page)

    page.goto(f"{live_server}/research/studies/OPTIMA-ML/missed")
    expect(page.locator("h1")).to_have_text("Fenêtres de suivi manquées")
    fits(page)
