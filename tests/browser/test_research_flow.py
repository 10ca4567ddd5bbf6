"""In real Chromium, on a nurse's phone: a child admitted at a site of OPTIMA-ML is eligible, the
card says so, the caregiver's consent is recorded (thumbprint and witness), the child is
randomised once, and the arm's protocol governs the episode on the same card (issue 15,
must-show 1)."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from alima.core.time import today
from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE, fits

pytestmark = pytest.mark.browser

#: The title each arm's protocol shows on the card.
PROTOCOL_OF_ARM = {
    "OptiMA": "OptiMA",
    "Protocole national (OMS 2013)": "PCIMA",
}


def admit_an_eligible_child(page: Page, live_server: str) -> str:
    """Sign in as the demo's nurse, register a child, admit it; the card's URL."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login")
    page.fill("#username", "clinicien")
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("h1")).to_contain_text("Bienvenue")

    page.goto(f"{live_server}/patients/new")
    page.fill("#given_name", "Kadiatou")
    page.fill("#family_name", "Sidibé")
    page.check("input[name=sex][value=F]")
    page.fill("#birth_date", (today() - timedelta(days=400)).isoformat())
    page.fill("#village", "Kouyan-Coura")
    page.click("form.grid button[type=submit]")
    expect(page.locator("#registered")).to_be_visible()

    page.click("#admit-link")
    page.fill("#admitted_on", today().isoformat())
    # Admitted under ComPAS, the protocol of neither arm: the arm's protocol must replace it.
    page.select_option("#protocol_code", "compas")
    page.fill("#weight_kg", "6,0")
    page.fill("#muac_mm", "108")
    page.fill("#height_cm", "67.5")
    page.select_option("#appetite_test_passed", "true")
    page.press("#muac_mm", "Enter")
    notice = page.locator("#study-OPTIMA-ML")
    expect(notice).to_contain_text("Éligible pour OPTIMA-ML : demander le consentement")
    expect(page.locator("h1 + p.muted")).to_contain_text("ComPAS")

    fits(page)
    return page.url.split("?")[0]


def test_an_eligible_child_is_consented_randomised_and_treated_by_the_arm(
    page: Page, live_server: str
) -> None:
    card_url = admit_an_eligible_child(page, live_server)
    page.click("#study-consent")
    expect(page.locator("#eligible")).to_be_visible()
    expect(page.locator("#randomise-form")).to_have_count(0)
    fits(page)
    page.fill("#caregiver_name", "Mariam Diarra")
    page.fill("#caregiver_relation", "mère")
    page.check("input[name=method][value=thumbprint]")
    page.click("#consent-form button[type=submit]")
    # A thumbprint without a witness is refused on the form, in French.
    expect(page.locator("#witness_name-error")).to_contain_text("témoin")
    page.fill("#witness_name", "Oumar Sanogo")
    page.click("#consent-form button[type=submit]")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#consent")).to_contain_text("Mariam Diarra")

    page.click("#randomise-form button[type=submit]")
    expect(page.locator("#saved")).to_have_text("L'enfant est randomisé.")
    arm = page.locator("#arm").inner_text()
    assert arm in PROTOCOL_OF_ARM
    expect(page.locator("#randomise-form")).to_have_count(0)  # revealed once

    page.click("#back-to-card")
    assert page.url.split("?")[0] == card_url
    expect(page.locator("#study-arm")).to_have_text(arm)
    protocol_line = page.locator("h1 + p.muted")
    expect(protocol_line).to_contain_text(PROTOCOL_OF_ARM[arm])
    for other in {*PROTOCOL_OF_ARM.values(), "ComPAS"} - {PROTOCOL_OF_ARM[arm]}:
        expect(protocol_line).not_to_contain_text(other)
    expect(page.locator("#dose")).to_be_visible()
    fits(page)
