"""A live server on a fresh SQLite database with the demo data, and real Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, sync_playwright

from alima.core.config import Settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.core.time import today, utcnow
from alima.demo import load_all
from alima.main import create_app
from tests.conftest import IN_CI

CHROMIUM = os.environ.get("ALIMA_BROWSER", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def on_test_day(context: BrowserContext) -> BrowserContext:
    """The page's ``Date`` on the server's day: under ``ALIMA_TEST_TODAY`` only Python travels.

    A form whose script fills today's date (ODK Web Forms) would otherwise send the real date.
    """
    if os.environ.get("ALIMA_TEST_TODAY"):
        context.clock.set_fixed_time(utcnow())
    return context


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(url: str) -> Iterator[str]:
    """alima on ``url``'s database, served on a free local port; its base URL."""
    port = _free_port()
    app = create_app(Settings(env="test", database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("browser") / "alima.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    load_all(session, today=today(), patient_count=60, nutrition_children=600)
    session.close()
    engine.dispose()
    with serving(url) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        if IN_CI:
            pytest.fail(f"Chromium is required in CI and was not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fr-FR")
    tab = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
