"""In real Chromium: hostile names and texts typed into the forms are shown as typed and never
executed; every page carries the Content-Security-Policy header.

Hypothesis picks the texts (HTML, script, SQL fragments, long, right-to-left, emoji; see
``tests/security/hostile.py``). A script that ran would open a dialog (the ``page`` fixture
fails on any) or set ``window.__pwned``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from playwright.sync_api import Dialog, Page, Response, expect

from alima.core.time import today
from alima.demo.core import DEMO_PASSWORD
from tests.security.hostile import names

pytestmark = pytest.mark.browser

BROWSER_EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CANARY = '<img src=x onerror="window.__pwned=1;alert(1)">'


def sign_in(page: Page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Bienvenue")


def watch(page: Page) -> list[str]:
    """Record the messages of dialogs opened from now on (the fixture dismisses them)."""
    opened: list[str] = []

    def record(dialog: Dialog) -> None:
        opened.append(dialog.message)

    page.on("dialog", record)
    return opened


def assert_safe(page: Page, response: Response | None, opened: list[str]) -> None:
    assert response is not None
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert opened == []
    assert page.evaluate("() => window.__pwned === undefined")


def test_hostile_patient_names_are_shown_not_run(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "clinicien")
    opened = watch(page)

    @BROWSER_EXAMPLES
    @given(given_name=names(), family_name=names())
    @example(given_name=CANARY, family_name="<script>alert('xss')</script>")
    @example(given_name="'; DROP TABLE core_patient; --", family_name="עליזה 👩🏿‍⚕️ \u202egnp.exe")
    def register(given_name: str, family_name: str) -> None:
        page.goto(f"{live_server}/patients/new")
        page.fill("#given_name", given_name)
        page.fill("#family_name", family_name)
        page.fill("#estimated_age_months", "18")
        page.fill("#village", family_name[:200])
        page.check("input[name=sex][value=F]")
        with page.expect_navigation() as navigation:
            page.click("form.grid button[type=submit]")
        if page.locator("#duplicate-warning").count():
            page.check("#confirm_not_duplicate")
            with page.expect_navigation() as navigation:
                page.click("form.grid button[type=submit]")
        expect(page.locator("#registered")).to_be_visible()
        heading = page.locator("h1").text_content() or ""
        assert heading.startswith(f"{given_name} {family_name}"), heading
        assert_safe(page, navigation.value, opened)

    register()


def test_hostile_training_texts_are_shown_not_run(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "gestionnaire")
    opened = watch(page)
    day = (today() - timedelta(days=1)).isoformat()

    @BROWSER_EXAMPLES
    @given(title=names(200), participant=names(200))
    @example(title=CANARY, participant='"><svg/onload=alert(1)>')
    def record(title: str, participant: str) -> None:
        page.goto(f"{live_server}/trainings/new")
        page.fill("#title", title)
        page.select_option("#topic", "IPC")
        page.fill("#started_on", day)
        page.fill("#ended_on", day)
        page.fill("#trainer", participant)
        with page.expect_navigation() as navigation:
            page.click("form.grid button[type=submit]")
        assert page.locator("#training-title").text_content() == title
        assert_safe(page, navigation.value, opened)
        page.fill("#full_name", participant)
        page.fill("#cadre", title)
        with page.expect_navigation() as navigation:
            page.click("form.grid button[type=submit]")
        assert page.locator("#participant-list td.participant-name").first.text_content() == (
            participant
        )
        assert page.locator("#training-trainer").text_content() == participant
        assert_safe(page, navigation.value, opened)

    record()
