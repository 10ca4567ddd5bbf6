"""FHIR tests: a small CMAM caseload in two facilities, and a live server for a real client.

The live server serves the test's own application (and so its rolled-back session): what a
test writes is what the FHIR client reads, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.models import Episode
from alima.nutrition.schemas import AdmissionCreate, VisitCreate, VisitResult
from tests.factories.core import World
from tests.factories.nutrition import admit_sam_child, make_child


def validate(resource: dict[str, Any]) -> Any:
    """The resource as the FHIR R4 models read it (raises on anything invalid)."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@dataclass(frozen=True)
class Caseload:
    """A child in treatment at facility A (admitted, then seen a week later), one at B."""

    a: VisitResult
    a_visit: VisitResult
    b: VisitResult
    a_patient: str
    b_patient: str


@pytest.fixture
def caseload(session: Session, world: World) -> Caseload:
    start = today() - timedelta(days=14)
    a = admit_sam_child(session, world, admitted_on=start)
    a_visit = service.record_visit(
        session,
        a.episode_id,
        VisitCreate(visit_on=start + timedelta(days=7), weight_kg=6.2, muac_mm=116),
        actor=world.actors["clinician_a"],
    )
    child_b = make_child(session, world.facility_b, age_days=500)
    b = service.admit_child(
        session,
        AdmissionCreate(
            patient_id=child_b.id,
            admitted_on=start,
            weight_kg=7.0,
            height_cm=72.0,
            muac_mm=110,
            appetite_test_passed=True,
        ),
        actor=world.actors["clinician_b"],
    )
    with session.begin():
        patients = {
            e.id: str(e.patient_id)
            for e in session.scalars(
                select(Episode).where(Episode.id.in_([a.episode_id, b.episode_id]))
            )
        }
    return Caseload(a, a_visit, b, patients[a.episode_id], patients[b.episode_id])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fhir_base(app: FastAPI) -> Iterator[str]:
    """The base URL of the FHIR API of ``app``, served by uvicorn in a thread."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/fhir"
    server.should_exit = True
    thread.join(timeout=10)
