"""In real Chromium, on the demo: a child randomised in OPTIMA-ML reaches the study's export
under its research id only; the coordinator (patient-level exports by agreement) downloads
it, the INSERM researcher (aggregates only by convention) is refused (issue 15, must-show 3)."""

import io
import zipfile
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from alima.core.time import today
from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE, fits
from tests.unit.research.odm_schema import odm_errors

pytestmark = pytest.mark.browser

STUDY = "/research/studies/OPTIMA-ML"
#: What no export or list may show of the child (its names, village, caregiver).
SECRETS = ("Fantanioumou", "Dembélé-Sow", "Kadidia Sow", "Siengo-Coura")


def sign_in_as(page: Page, live_server: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.press("#password", "Enter")
    expect(page.locator("h1")).to_contain_text("Bienvenue")


def test_the_study_export_names_no_child_and_follows_the_agreement(
    page: Page, live_server: str
) -> None:
    sign_in_as(page, live_server, "clinicien")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/patients/new")
    page.fill("#given_name", SECRETS[0])
    page.fill("#family_name", SECRETS[1])
    page.check("input[name=sex][value=F]")
    page.fill("#birth_date", (today() - timedelta(days=500)).isoformat())
    page.fill("#village", SECRETS[3])
    page.click("form.grid button[type=submit]")
    expect(page.locator("#registered")).to_be_visible()
    page.click("#admit-link")
    page.fill("#admitted_on", today().isoformat())
    page.fill("#weight_kg", "7,0")
    page.fill("#muac_mm", "109")
    page.fill("#height_cm", "70")
    page.select_option("#appetite_test_passed", "true")
    page.press("#muac_mm", "Enter")
    expect(page.locator("#study-OPTIMA-ML")).to_be_visible()
    page.click("#study-consent")
    page.fill("#caregiver_name", SECRETS[2])
    page.fill("#caregiver_relation", "mère")
    page.check("input[name=method][value=signed]")
    page.click("#consent-form button[type=submit]")
    expect(page.locator("#saved")).to_be_visible()
    page.click("#randomise-form button[type=submit]")
    expect(page.locator("#saved")).to_have_text("L'enfant est randomisé.")

    sign_in_as(page, live_server, "coordinateur")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}{STUDY}")
    expect(page.locator("#exports a")).to_have_count(3)
    fits(page)
    page.click(f"#exports a[href='{STUDY}/participants']")
    expect(page.locator("#participants tbody tr").first).to_be_visible()
    fits(page)
    listed = page.content()
    for secret in SECRETS:
        assert secret not in listed
    odm = page.request.get(f"{live_server}{STUDY}/export.xml")
    assert odm.status == 200
    assert odm_errors(odm.body()) == []
    zipped = page.request.get(f"{live_server}{STUDY}/export.zip")
    assert zipped.status == 200
    with zipfile.ZipFile(io.BytesIO(zipped.body())) as archive:
        content = b"".join(archive.read(n) for n in archive.namelist())
    for secret in SECRETS:
        assert secret.encode() not in content and secret.encode() not in odm.body()

    sign_in_as(page, live_server, "chercheur")
    page.goto(f"{live_server}{STUDY}")
    expect(page.locator("#consort-figure")).to_be_visible()
    expect(page.locator("#exports")).to_have_count(0)
    assert page.request.get(f"{live_server}{STUDY}/export.xml").status == 403
