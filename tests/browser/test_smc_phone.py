"""In real Chromium on a 360 px phone: a distributor (the demo's nurse) opens the demo
campaign, records a household's two children for cycle 1, the second excluded for fever,
and every page fits the screen (no sideways scrolling)."""

import pytest
from playwright.sync_api import Browser, expect

from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE, fits

pytestmark = pytest.mark.browser


def test_a_distributor_records_a_household_on_a_phone(browser: Browser, live_server: str) -> None:
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/")
    page.fill("#username", "clinicien")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bienvenue")

    page.click("header.top summary")  # the folded menu of a phone
    page.click("#nav-smc")
    expect(page.locator("h1")).to_have_text("Chimioprévention du paludisme saisonnier")
    fits(page)
    page.click("#campaigns a")
    expect(page.locator("#figures-1")).to_be_visible()
    treated = int(page.locator("#figures-1 .treated").inner_text())
    fits(page)

    page.click("#household-1")
    expect(page.locator("h1")).to_have_text("Ménage · Passage 1")
    fits(page)
    page.fill("#village", "Sokolo")
    page.fill("#caregiver", "Kadiatou Touré")
    page.click("#household-find button[type=submit]")
    expect(page.locator("#no-child")).to_be_visible()
    fits(page)

    for given, sex, months in (("Salimata", "F", "18"), ("Bakary", "M", "40")):
        page.fill("#given_name", given)
        page.fill("#family_name", "Touré")
        page.check(f"#register-form input[name=sex][value={sex}]")
        page.fill("#estimated_age_months", months)
        page.click("#register-form button[type=submit]")
        expect(page.locator("#saved")).to_have_text("Enfant enregistré.")
        expect(page.locator("#dose-title")).to_contain_text(given)
        expect(page.locator("#dose")).to_contain_text("153 mg")
        fits(page)
        if given == "Bakary":
            page.check("#sick")
        page.fill("#given_by", "Oumar Sidibé")
        page.click("#dose-form button[type=submit]")
        expect(page.locator("#saved")).to_contain_text("Enregistré.")
        fits(page)

    expect(page.locator("#household-done")).to_be_visible()
    children = page.locator("#children li")
    expect(children.filter(has_text="Salimata").locator(".status")).to_contain_text(
        "Donné: SPAQ 12-59 mois"
    )
    expect(children.filter(has_text="Bakary").locator(".status")).to_contain_text(
        "Non donné: Fièvre ou malade"
    )
    page.click("text=Liste porte-à-porte")
    expect(page.locator("h1")).to_have_text("Liste porte-à-porte")
    fits(page)
    page.go_back()
    page.locator("main a", has_text="CPS").last.click()
    expect(page.locator("#figures-1 .treated")).to_have_text(str(treated + 1))
    fits(page)
    context.close()
