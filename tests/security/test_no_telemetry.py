"""FastAPI's own OpenTelemetry export stays off, whatever the environment configures.

Its logs would carry validation failures and exception messages, which can hold a child's
name or identifier (``alima.main.NO_TELEMETRY``).
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from fastapi import FastAPI
from fastapi.testclient import TestClient
from opentelemetry import trace

from alima.core.config import Settings
from alima.main import create_app


class Recording(trace.TracerProvider):
    asked = []

    def get_tracer(self, *args, **kwargs):
        Recording.asked.append(args)
        return trace.NoOpTracer()


trace.set_tracer_provider(Recording())

bare = FastAPI()


@bare.get("/ping")
def ping() -> dict:
    return {}


with TestClient(bare) as client:
    client.get("/ping")
print("bare", len(Recording.asked))
Recording.asked.clear()

settings = Settings(database_url="sqlite://", sync_interval_minutes=0, summary_refresh_minutes=0)
with TestClient(create_app(settings)) as client:
    client.get("/login")
    client.post("/api/v1/patients", json={"given_name": "Awa", "sex": "x"})
print("alima", len(Recording.asked))
"""


def test_alima_sends_nothing_to_a_configured_tracer() -> None:
    env = {**os.environ, "FASTAPI_OTEL_AUTO_CONFIGURE": "true"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    counts = dict(line.split() for line in done.stdout.splitlines())
    assert int(counts["bare"]) > 0  # the recording provider does see a plain FastAPI app
    assert int(counts["alima"]) == 0
