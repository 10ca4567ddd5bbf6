"""In real Chromium: sign in (French), register a child, be warned of a duplicate,
find the child by a search without accents, switch to English."""

import pytest
from playwright.sync_api import Page, expect

from alima.demo.core import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_register_duplicate_search_and_language(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Connexion")
    page.fill("#username", "clinicien")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bienvenue")

    page.click("text=Enregistrer un patient")
    child = {
        "#given_name": "Aïssata",
        "#family_name": "Sènou",
        "#estimated_age_months": "14",
        "#village": "Pogo",
    }
    for selector, value in child.items():
        page.fill(selector, value)
    page.check("input[name=sex][value=F]")
    page.click("form.grid button[type=submit]")
    expect(page.locator("#registered")).to_have_text("Patient enregistré.")
    expect(page.locator("h1")).to_contain_text("Aïssata Sènou")

    page.goto(f"{live_server}/patients/new")
    page.fill("#given_name", "AISSATA")
    page.fill("#family_name", "SENOU")
    page.fill("#estimated_age_months", "15")
    page.fill("#village", "pogo")
    page.check("input[name=sex][value=F]")
    page.click("form.grid button[type=submit]")
    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("déjà enregistré")
    expect(warning.locator("tbody tr")).to_have_count(1)
    expect(warning).to_contain_text("Aïssata Sènou")

    page.click("text=Rechercher un patient")
    page.fill("#q", "aissata senou")
    page.press("#q", "Enter")
    expect(page.locator("#result-count")).to_have_text("1 patient trouvé")
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list")).to_contain_text("Aïssata Sènou")

    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Find a patient")
    expect(page.locator("#result-count")).to_have_text("1 patient found")
    page.click("table.list a")
    expect(page.locator("dl.facts")).to_contain_text("Female")
