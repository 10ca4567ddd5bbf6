"""In real Chromium: admit a 6.0 kg child with MUAC 113 mm under OptiMA, record weekly visits as
MUAC and weight rise, see the dose fall band by band, and the discharge at the second MUAC >= 125."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from alima.core.time import today
from alima.demo.core import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#username", "clinicien")
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("h1")).to_contain_text("Bienvenue")


def test_optima_dose_falls_band_by_band_until_cured(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    start = today() - timedelta(days=28)
    birth = start - timedelta(days=365)

    page.goto(f"{live_server}/patients/new")
    page.fill("#given_name", "Safiatou")
    page.fill("#family_name", "Dembélé")
    page.check("input[name=sex][value=F]")
    page.fill("#birth_date", birth.isoformat())
    page.fill("#village", "Kouyan-Coura")
    page.click("form.grid button[type=submit]")
    expect(page.locator("#registered")).to_be_visible()

    page.click("#admit-link")
    page.fill("#admitted_on", start.isoformat())
    page.select_option("#protocol_code", "optima")
    page.fill("#weight_kg", "6,0")
    page.fill("#muac_mm", "113")
    page.fill("#height_cm", "67.5")
    page.select_option("#appetite_test_passed", "true")
    page.press("#muac_mm", "Enter")  # keyboard only: Enter submits the form
    result = page.locator("#result")
    expect(result).to_have_class("result band-red")
    expect(page.locator("#band")).to_have_text("Tranche sévère")
    expect(page.locator("#dose")).to_contain_text("2,5")
    expect(page.locator("#arithmetic")).to_contain_text(
        "170 kcal/kg/jour × 6,0 kg = 1 020 kcal/jour"
    )
    expect(page.locator("#sachets-period")).to_have_text("18")
    expect(page.locator("#next-visit")).to_contain_text(str((start + timedelta(days=7)).day))

    steps = [
        # day, weight, MUAC, expected band class, band label, sachets a day
        (7, "6.2", "116", "band-orange", "Tranche modérée, PB bas", "2"),
        (14, "6.4", "121", "band-yellow", "Tranche modérée, PB haut", "1"),
        (21, "6.6", "125", "band-yellow", "Tranche modérée, PB haut", "1"),
    ]
    for day, weight, muac, css, band, per_day in steps:
        page.fill("#visit_on", (start + timedelta(days=day)).isoformat())
        page.fill("#weight_kg", weight)
        page.fill("#muac_mm", muac)
        page.press("#muac_mm", "Enter")
        expect(page.locator("#saved")).to_be_visible()
        expect(result).to_have_class(f"result {css}")
        expect(page.locator("#band")).to_have_text(band)
        expect(page.locator("#dose strong").first).to_have_text(per_day)

    page.fill("#visit_on", (start + timedelta(days=28)).isoformat())
    page.fill("#weight_kg", "6.7")
    page.fill("#muac_mm", "126")
    page.press("#muac_mm", "Enter")
    expect(page.locator("#outcome")).to_have_text("Guéri")
    expect(page.locator("#visit-form")).to_have_count(0)
    expect(page.locator("#visits tbody tr")).to_have_count(5)
    expect(page.locator("svg.chart polyline")).to_have_count(2)
