"""In real Chromium on a phone (360 x 740), by keyboard only: a mother's red MUAC becomes a
referral, the child arrives, is registered from the screening, admitted with the MUAC measured
at arrival, and seen at a first visit, without anyone typing the child's identifier."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from alima.core.time import today
from alima.demo.core import DEMO_PASSWORD
from tests.browser.phone import PHONE, fits

pytestmark = pytest.mark.browser

#: Tab presses allowed to reach one element (the phone menu and a long form included).
MAX_TABS = 120


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only, never a click)."""
    page.wait_for_load_state()
    page.locator(selector).first.wait_for(state="attached")
    for _ in range(MAX_TABS):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached {selector}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def press_on(page: Page, selector: str, key: str = "Enter") -> None:
    tab_to(page, selector)
    if key == "Enter":
        with page.expect_navigation():
            page.keyboard.press(key)
    else:
        page.keyboard.press(key)


def type_date(page: Page, selector: str, day: date) -> None:
    """Type ``day`` into a date field, in the order of the browser's own date format.

    Chromium orders the day, month and year of a date field by its interface language, which
    the page's language does not change: type month first, else clear and type day first.
    """
    tab_to(page, selector)
    for order in ("%m%d%Y", "%d%m%Y"):
        page.keyboard.type(f"{day:{order}}")
        if page.locator(selector).input_value() == day.isoformat():
            return
        for _ in range(2):  # clear the three parts, back to the first
            page.keyboard.press("Backspace")
            page.keyboard.press("Shift+Tab")
        page.keyboard.press("Backspace")
    pytest.fail(f"could not type a date into {selector}")


def sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    type_into(page, "#username", "clinicien")
    type_into(page, "#password", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/")


def screen(page: Page, live_server: str, on: date) -> None:
    """The mother's red MUAC, recorded as a community screening: a referral is issued."""
    tab_to(page, "header.top summary")  # the folded menu of a phone, opened by keyboard
    page.keyboard.press("Enter")
    press_on(page, 'a[href="/community"]')
    expect(page).to_have_url(f"{live_server}/community")
    press_on(page, "#new-screening")
    type_into(page, "#muac_mm", "109")
    type_into(page, "#child_given_name", "Fanta")
    type_into(page, "#child_family_name", "Kantéchaîne")
    type_into(page, "#child_age_months", "18")
    press_on(page, "input[name=child_sex]", "Space")  # the first choice: female
    type_into(page, "#village", "Bankass")
    type_into(page, "#caregiver_name", "Oumou Kanté")
    type_date(page, "#screened_on", on)
    press_on(page, "#village")
    expect(page.locator("#saved")).to_be_visible()
    expect(page.locator("#referral-status")).to_have_attribute("data-status", "pending")
    fits(page)


def arrive(page: Page, on: date) -> None:
    """The child arrives at the health centre: the arm is measured again."""
    press_on(page, "#record-arrival")
    expect(page.locator("h1")).to_contain_text("Fanta Kantéchaîne")
    type_into(page, "#muac_mm", "111")
    press_on(page, "input[name=admitted]", "Space")  # the first choice: yes
    type_date(page, "#arrived_on", on)
    press_on(page, "#muac_mm")
    expect(page.locator("#arrived")).to_be_visible()
    expect(page.locator("#arrival-done")).to_contain_text("111 mm")
    fits(page)


def register(page: Page) -> None:
    """Registered from the screening: names, sex, age, village and caregiver are filled in."""
    press_on(page, "#register-child")
    expect(page.locator("#from-referral")).to_contain_text("Fanta Kantéchaîne")
    expect(page.locator("#given_name")).to_have_value("Fanta")
    expect(page.locator("#family_name")).to_have_value("Kantéchaîne")
    expect(page.locator("#village")).to_have_value("Bankass")
    expect(page.locator("#caregiver_name")).to_have_value("Oumou Kanté")
    expect(page.locator("input[name=sex][value=F]")).to_be_checked()
    press_on(page, "#given_name")
    expect(page.locator("#registered")).to_be_visible()
    fits(page)


def admit(page: Page, on: date) -> None:
    """Admitted with the MUAC measured at arrival, on the day of arrival."""
    press_on(page, "#admit-child")
    expect(page.locator("#muac_mm")).to_have_value("111")
    expect(page.locator("#admitted_on")).to_have_value(on.isoformat())
    type_into(page, "#weight_kg", "8,1")
    type_into(page, "#height_cm", "76")
    tab_to(page, "#appetite_test_passed")
    page.keyboard.press("ArrowDown")  # "passed"
    expect(page.locator("#appetite_test_passed")).to_have_value("true")
    press_on(page, "#weight_kg")
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Fanta Kantéchaîne")
    fits(page)


def first_visit(page: Page) -> None:
    """The first visit, recorded on the child's card, which then shows it."""
    form = "#visit-form"
    type_into(page, f"{form} #weight_kg", "8,3")
    type_into(page, f"{form} #muac_mm", "113")
    press_on(page, f"{form} #muac_mm")
    expect(page.locator("#form-errors")).to_have_count(0)
    visits = page.locator("#visits tbody tr")
    expect(visits).to_have_count(2)
    expect(visits.nth(1)).to_contain_text("113")
    expect(page.locator("h1")).to_contain_text("Fanta Kantéchaîne")
    fits(page)


def test_screening_to_first_visit_by_keyboard_on_a_phone(phone: Page, live_server: str) -> None:
    week_ago = today() - timedelta(days=7)
    sign_in(phone, live_server)
    screen(phone, live_server, week_ago)
    arrive(phone, week_ago)
    register(phone)
    admit(phone, week_ago)
    first_visit(phone)
    assert "/nutrition/episodes/" in phone.url
