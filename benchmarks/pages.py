"""The main pages behind an emulated 2G link: time to show, bytes on the wire, requests.

Target (issue 16): every main page shows in under 2 s and weighs under 15 KB compressed (gzip
as served) on a 2G link: 250 kbit/s down and up, 300 ms round trip. The link is Chromium's own
network emulation (``Network.emulateNetworkConditions`` through Playwright's CDP session); the
server runs as ``alima serve`` in its own process on the demo database (built once into
``var/bench-pages/``, then reused).

For each role (the demo's nurse, data manager and coordinator), sign in, then open each main
page twice in the same browser context: **cold** (an empty cache, the first page of the day)
and **warm** (the same page again, what every later page costs once the stylesheet is cached).
The nurse's list starts with the sign-in page, opened without a session: the real first page.
Each page is measured with the Performance API (first contentful paint, DOMContentLoaded,
load, from the navigation's start; ``server``: the document's ``responseStart``, which Chromium
takes before it adds the emulated latency, so it reads as the server's own time) and the
DevTools protocol's network events (bytes transferred as encoded on the wire, headers
included, ``encodedDataLength``; requests sent to the network, not those answered from the
browser's cache). The figure per page is the median of ``--repeat`` loads.

    .venv/bin/python benchmarks/pages.py                   # the table
    .venv/bin/python benchmarks/pages.py --json out.json   # and every figure as JSON
    .venv/bin/python benchmarks/pages.py --rebuild         # a fresh demo database first
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import BrowserContext, CDPSession, Page, sync_playwright

REPO = Path(__file__).resolve().parents[1]
WORKDIR = REPO / "var" / "bench-pages"
CHROMIUM = os.environ.get("ALIMA_BROWSER", "/usr/bin/chromium")
PASSWORD = "alima-demo-2026"  # noqa: S105 - the demo accounts' printed password
#: 2G: 250 kbit/s each way, 300 ms round trip (CDP's latency is added to every request).
LINK = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 250_000 / 8,
    "uploadThroughput": 250_000 / 8,
}
TARGET_MS = 2000
TARGET_BYTES = 15 * 1024
PHONE = {"width": 360, "height": 740}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#: The main pages of each role: ``(name, path)``; a path with ``{...}`` is found by
#: :data:`FINDERS` from the pages the role sees.
ROLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "nurse": (
        "clinicien",
        [
            ("sign-in page", "/login"),
            ("home", "/"),
            ("patient list", "/patients"),
            ("search", "/patients?q=Coulibaly"),
            ("child card", "{child}"),
            ("visit form", "{episode}"),
            ("admission form", "{admit}"),
            ("nutrition list", "/nutrition"),
            ("monthly report", "/nutrition/reports/monthly"),
            ("stock", "{stock_site}"),
            ("sync", "/sync"),
        ],
    ),
    "data manager": (
        "gestionnaire",
        [
            ("home", "/"),
            ("monthly report", "/nutrition/reports/monthly"),
            ("stock", "/stock"),
            ("stock report", "/stock/reports/monthly"),
            ("outbreaks", "/outbreaks"),
            ("SMC", "/smc"),
            ("approvals", "/approvals"),
            ("sync", "/sync"),
        ],
    ),
    "coordinator": (
        "coordinateur",
        [
            ("home", "/"),
            ("impact", "/impact"),
            ("country impact", "/impact/ML"),
            ("outbreaks", "/outbreaks"),
            ("SMC", "/smc"),
            ("projects", "/projects"),
        ],
    ),
}
HREF = re.compile(r'href="(/[^"]*)"')


@dataclass
class Load:
    """One page load's figures."""

    ttfb_ms: float
    fcp_ms: float
    dcl_ms: float
    load_ms: float
    bytes: int
    requests: int
    html_bytes: int


@dataclass
class Row:
    """A page's median figures, cold and warm."""

    role: str
    name: str
    url: str
    cold: Load
    warm: Load
    loads: list[dict[str, Any]] = field(default_factory=list)


def build(url: str, *, rebuild: bool) -> None:
    """The demo database (``alima db upgrade`` and ``alima demo load``), unless already there."""
    path = WORKDIR / "demo.db"
    stamp = WORKDIR / "demo.loaded"
    if rebuild:
        for file in (path, stamp):
            file.unlink(missing_ok=True)
    if stamp.exists():
        return
    path.unlink(missing_ok=True)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ALIMA_DATABASE_URL": url, "ALIMA_ENV": "test"}
    cli = [sys.executable, "-c", "from alima.cli.commands import app; app()"]
    print("building the demo database (about a minute)...", flush=True)
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*cli, "demo", "load"], env=env, check=True, stdout=subprocess.DEVNULL)
    stamp.touch()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """``alima serve`` on the demo database, in its own process group."""
    env = {**os.environ, "ALIMA_DATABASE_URL": url, "ALIMA_ENV": "test"}
    command = [sys.executable, "-c", "from alima.cli.commands import app; app()", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise SystemExit("the server did not start")


def links(context: BrowserContext, base: str, path: str) -> list[str]:
    """The same-site links of a page, in page order."""
    return HREF.findall(context.request.get(base + path).text())


def first(context: BrowserContext, base: str, path: str, pattern: str) -> str | None:
    return next((link for link in links(context, base, path) if re.fullmatch(pattern, link)), None)


def find(context: BrowserContext, base: str, key: str) -> str | None:
    """A page behind the demo's records, found from the links the role is shown."""
    if key == "episode":
        return first(context, base, "/nutrition", rf"/nutrition/episodes/{UUID}")
    if key == "child":
        episode = find(context, base, "episode")
        return first(context, base, episode, rf"/patients/{UUID}") if episode else None
    if key == "stock_site":
        return first(context, base, "/stock", r"/stock/sites/[A-Z][A-Z0-9-]+")
    if key == "admit":
        # A patient without an open episode: their card offers the admission.
        for query in ("Coulibaly", "Traoré", "Diarra", "Keïta", "Sangaré"):
            for link in links(context, base, f"/patients?q={query}"):
                if re.fullmatch(rf"/patients/{UUID}", link):
                    admit = first(context, base, link, rf"/patients/{UUID}/nutrition/admit")
                    if admit:
                        return admit
        return None
    raise KeyError(key)


MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0]
    || performance.getEntriesByName('first-paint')[0];
  return {
    ttfb: nav.responseStart,
    fcp: paint ? paint.startTime : -1,
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
  };
}"""


class Wire:
    """The network events of one tab: requests made and bytes received."""

    def __init__(self, cdp: CDPSession) -> None:
        self.requests: dict[str, str] = {}
        self.cached: set[str] = set()
        self.bytes: dict[str, int] = {}
        self.document: str | None = None
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self) -> None:
        self.requests.clear()
        self.cached.clear()
        self.bytes.clear()
        self.document = None

    def _sent(self, event: dict[str, Any]) -> None:
        self.requests[event["requestId"]] = event["request"]["url"]
        if event.get("type") == "Document":
            self.document = event["requestId"]

    def _received(self, event: dict[str, Any]) -> None:
        response = event["response"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            self.cached.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        self.bytes[event["requestId"]] = int(event["encodedDataLength"])

    def figures(self) -> tuple[int, int, int]:
        """(bytes received, requests sent to the network, bytes of the page's document)."""
        network = [r for r in self.requests if r not in self.cached]
        return (
            sum(self.bytes.get(r, 0) for r in network),
            len(network),
            self.bytes.get(self.document or "", 0),
        )


def load(page: Page, wire: Wire, url: str) -> Load:
    wire.reset()
    page.goto(url, wait_until="load")
    # The first paint may come after the load event; then the last loadingFinished events.
    for _ in range(100):
        if page.evaluate("() => performance.getEntriesByType('paint').length > 0"):
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(50)
    timing = page.evaluate(MEASURE)
    total, requests, html = wire.figures()
    return Load(
        round(timing["ttfb"]),
        round(timing["fcp"]),
        round(timing["dcl"]),
        round(timing["load"]),
        total,
        requests,
        html,
    )


def median(loads: list[Load]) -> Load:
    return Load(
        *(
            round(statistics.median(getattr(one, name) for one in loads))
            for name in (
                "ttfb_ms",
                "fcp_ms",
                "dcl_ms",
                "load_ms",
                "bytes",
                "requests",
                "html_bytes",
            )
        )
    )


def measure_role(browser: Any, base: str, role: str, repeat: int) -> list[Row]:
    username, pages = ROLES[role]
    signed = browser.new_context(locale="fr-FR", viewport=PHONE)
    tab = signed.new_page()
    tab.goto(f"{base}/login")
    tab.fill("#username", username)
    tab.fill("#password", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_selector("header.top .who")
    state = signed.storage_state()
    targets: list[tuple[str, str]] = []
    for name, path in pages:
        found = find(signed, base, path.strip("{}")) if path.startswith("{") else path
        if found is None:
            print(f"  {role}: no {name} found in the demo, skipped", flush=True)
            continue
        targets.append((name, found))
    signed.close()

    rows = []
    for name, path in targets:
        colds, warms = [], []
        for _ in range(repeat):
            # A fresh context: an empty cache, the session cookie only (none to sign in).
            cookies = None if path == "/login" else state
            context = browser.new_context(locale="fr-FR", viewport=PHONE, storage_state=cookies)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            wire = Wire(cdp)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", LINK)
            colds.append(load(page, wire, base + path))
            if not page.url.startswith(base + path.split("?")[0]):
                raise SystemExit(f"{role} {path}: ended on {page.url}")
            warms.append(load(page, wire, base + path))
            context.close()
        row = Row(role, name, path, median(colds), median(warms))
        row.loads = [
            {"cold": asdict(c), "warm": asdict(w)} for c, w in zip(colds, warms, strict=True)
        ]
        rows.append(row)
        print(
            f"  {role:12} {name:16} cold {row.cold.fcp_ms:5} ms {row.cold.bytes:6} B "
            f"{row.cold.requests} req | warm {row.warm.fcp_ms:5} ms {row.warm.bytes:6} B "
            f"{row.warm.requests} req",
            flush=True,
        )
    return rows


def table(rows: list[Row]) -> str:
    head = (
        "| role | page | server (ms) | cold: first paint / load (ms) | cold KB (requests) "
        "| warm: first paint / load (ms) | warm KB (requests) | page KB |\n"
        "|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r.role} | {r.name} | {r.cold.ttfb_ms} | {r.cold.fcp_ms} / {r.cold.load_ms} "
        f"| {r.cold.bytes / 1024:.1f} ({r.cold.requests}) "
        f"| {r.warm.fcp_ms} / {r.warm.load_ms} | {r.warm.bytes / 1024:.1f} ({r.warm.requests}) "
        f"| {r.cold.html_bytes / 1024:.1f} |"
        for r in rows
    ]
    return head + "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="loads per page (median)")
    parser.add_argument("--role", choices=sorted(ROLES), action="append", help="default: all")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--rebuild", action="store_true", help="build the demo database again")
    args = parser.parse_args()

    url = f"sqlite:///{WORKDIR / 'demo.db'}"
    build(url, rebuild=args.rebuild)
    port = free_port()
    server = serve(url, port)
    base = f"http://127.0.0.1:{port}"
    rows: list[Row] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
            )
            for role in args.role or list(ROLES):
                rows += measure_role(browser, base, role, args.repeat)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    print()
    print(
        "2G: 250 kbit/s down and up, 300 ms round trip; median of "
        f"{args.repeat} loads; KB: bytes on the wire (compressed, headers included); page KB: "
        "the HTML document alone."
    )
    print(table(rows))
    slow = [r for r in rows if max(r.cold.load_ms, r.warm.load_ms) > TARGET_MS]
    heavy = [r for r in rows if r.cold.html_bytes > TARGET_BYTES]
    print(
        f"\nslowest load: cold {max(r.cold.load_ms for r in rows)} ms, "
        f"warm {max(r.warm.load_ms for r in rows)} ms; heaviest page "
        f"{max(r.cold.html_bytes for r in rows) / 1024:.1f} KB. "
        f"Over 2 s: {[f'{r.role}/{r.name}' for r in slow] or 'none'}; "
        f"over 15 KB: {[f'{r.role}/{r.name}' for r in heavy] or 'none'}."
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
