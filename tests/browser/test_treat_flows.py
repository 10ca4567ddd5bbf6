"""In real Chromium: a mother's red MUAC becomes a referral, the child arrives and is admitted,
the referral is completed and the agreement figure moves; a consultation is entered with the
keyboard only, and bad input is refused next to its field."""

import re

import pytest
from playwright.sync_api import Page, expect

from alima.demo.core import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page: Page, live_server: str, username: str = "clinicien") -> None:
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bienvenue")


def figure(page: Page, selector: str) -> int:
    return int(re.sub(r"\D", "", page.locator(selector).inner_text()))


def test_mother_red_muac_referral_admitted_and_agreement(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server}/community/statistics?place_code=ML-SEG-NIO-NC-CS")
    before = {
        name: figure(page, f"#{name}")
        for name in ("screenings", "referrals", "completed", "admitted")
    }
    agreeing, measured = figure(page, "#agreement-count"), figure(page, "#agreement-total")

    page.click("#nav-community")
    page.click("#new-screening")
    expect(page.locator("input[name=screener_type][value=mother]")).to_be_checked()
    expect(page.locator("#muac_mm")).to_be_focused()
    page.keyboard.type("108")
    page.fill("#child_given_name", "Tinhinane")
    page.fill("#child_family_name", "Ag Intalla")
    page.fill("#child_age_months", "18")
    page.check("input[name=child_sex][value=F]")
    page.fill("#village", "Pogo")
    page.fill("#caregiver_name", "Nassira Ag Intalla")
    page.click("form.grid button[type=submit]")

    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#muac")).to_contain_text("108 mm")
    status = page.locator("#referral-status")
    expect(status).to_have_attribute("data-status", "pending")
    screening_url = page.url

    page.goto(f"{live_server}/community/referrals")
    row = page.locator("#referrals tbody tr", has_text="Tinhinane Ag Intalla")
    expect(row).to_have_count(1)
    row.locator("a.button").click()
    expect(page.locator("#muac_mm")).to_be_focused()
    page.keyboard.type("110")
    page.check("input[name=admitted][value=yes]")
    page.click("form.grid button[type=submit]")
    # The arrival stays on its page, which offers the next steps (register, admit).
    expect(page.locator("#arrival-done")).to_be_visible()

    page.goto(screening_url)
    expect(status).to_have_attribute("data-status", "completed")
    expect(page.locator("#arrival-muac")).to_contain_text("110 mm")
    expect(page.locator("#record-arrival")).to_have_count(0)

    page.goto(f"{live_server}/community/statistics?place_code=ML-SEG-NIO-NC-CS")
    assert figure(page, "#screenings") == before["screenings"] + 1
    assert figure(page, "#referrals") == before["referrals"] + 1
    assert figure(page, "#completed") == before["completed"] + 1
    assert figure(page, "#admitted") == before["admitted"] + 1
    assert figure(page, "#agreement-count") == agreeing + 1  # 108 and 110 mm are both red
    assert figure(page, "#agreement-total") == measured + 1
    page.goto(f"{live_server}/community/referrals")
    expect(page.locator("#referrals tbody tr", has_text="Tinhinane Ag Intalla")).to_have_count(0)


def register_child(page: Page, live_server: str) -> str:
    """A 14-month-old girl (a name the demo never draws) registered at the demo clinician's centre; her page's URL."""
    page.goto(f"{live_server}/patients/new")
    page.fill("#given_name", "Nassira")
    page.fill("#family_name", "Tessougué")
    page.check("input[name=sex][value=F]")
    page.fill("#estimated_age_months", "14")
    page.fill("#village", "Pogo")
    page.click("form.grid button[type=submit]")
    expect(page.locator("#registered")).to_be_visible()
    return page.url.split("?")[0]


def tab(page: Page, times: int) -> None:
    for _ in range(times):
        page.keyboard.press("Tab")


def refused_but_kept(page: Page) -> None:
    """The impossible rate is refused next to its field; everything typed is still there."""
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#breaths_per_minute-error")).to_be_visible()
    expect(page.locator("#breaths_per_minute")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#breaths_per_minute")).to_have_value("300")
    expect(page.locator("#temperature_c")).to_have_value("38.6")
    expect(page.locator("#cough")).to_be_checked()
    expect(page.locator("#rdt_result")).to_have_value("rdt_positive")


def test_consultation_with_the_keyboard_only(page: Page, live_server: str) -> None:
    sign_in(page, live_server)
    patient_url = register_child(page, live_server)
    keys = page.keyboard
    page.goto(f"{patient_url}/consultations/new")
    expect(page.locator("#temperature_c")).to_be_focused()
    keys.type("38.6")
    tab(page, 2)  # fever by history, weight
    keys.type("9.1")
    tab(page, 6)  # five danger signs, then cough
    expect(page.locator("#cough")).to_be_focused()
    keys.press("Space")
    tab(page, 3)  # chest indrawing, stridor, breaths per minute
    expect(page.locator("#breaths_per_minute")).to_be_focused()
    keys.type("300")  # impossible: refused next to the field
    tab(page, 2)  # stiff neck, MUAC
    expect(page.locator("#muac_mm")).to_be_focused()  # left empty on purpose
    tab(page, 2)  # oedema, malaria test
    expect(page.locator("#rdt_result")).to_be_focused()
    keys.press("ArrowDown")  # positive
    keys.press("Tab")
    keys.press("ArrowDown")  # ACT
    keys.press("Tab")
    expect(page.locator("#diagnosis_1")).to_be_focused()
    keys.press("ArrowDown")  # the first diagnosis of the list: malaria
    tab(page, 4)  # other diagnoses, referred, then the referral destination
    expect(page.locator("#referred_to")).to_be_focused()
    keys.press("Enter")

    refused_but_kept(page)

    expect(page.locator("#temperature_c")).to_be_focused()  # autofocus again: tab to the error
    tab(page, 11)
    expect(page.locator("#breaths_per_minute")).to_be_focused()
    keys.press("Control+a")
    keys.type("52")
    keys.press("Enter")
    muac_error = page.locator("#muac_mm-error")
    expect(muac_error).to_be_visible()  # every child of 6 to 59 months is screened
    expect(page.locator("#muac_mm")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#temperature_c")).to_be_focused()  # wait for autofocus, then tab
    tab(page, 13)
    expect(page.locator("#muac_mm")).to_be_focused()
    keys.type("121")
    keys.press("Enter")

    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#urgency")).to_have_attribute("data-code", "treat")
    codes = page.locator(".classification").evaluate_all("nodes => nodes.map(n => n.dataset.code)")
    assert codes == ["pneumonia", "malaria", "mam"]
    expect(page.locator("#diagnoses")).to_contain_text("B54")
    expect(page.locator("#muac")).to_contain_text("121 mm")
