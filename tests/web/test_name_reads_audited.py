"""Every page that shows a patient's name audits the read of that patient (issue: lists too).

The walk of ``test_pages`` opens every page with its records; for each patient whose full name
a page shows, the request must have written an audit read naming that patient.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.enums import AuditAction
from alima.core.models import AuditEvent, Patient
from tests.factories.core import World, sign_in
from tests.web.test_pages import PAGES, fill, page_walk_values


def _reads(session: Session) -> dict[object, int]:
    with session.begin():
        rows = session.execute(
            select(AuditEvent.patient_id, func.count())
            .where(AuditEvent.action == AuditAction.READ.value)
            .group_by(AuditEvent.patient_id)
        ).all()
    return {row[0]: row[1] for row in rows}


def test_every_page_showing_a_name_audits_its_read(
    client: TestClient, session: Session, world: World
) -> None:
    values = page_walk_values(client, session, world)
    with session.begin():
        people = [
            (p.id, f"{p.given_name} {p.family_name}")
            for p in session.scalars(select(Patient).where(Patient.deleted_at.is_(None)))
        ]
    checked = 0
    for path, page in sorted(PAGES.items()):
        if page.media_type != "text/html":
            continue
        sign_in(client, world.users[page.viewer].username)
        own = values | {k: values[v] for k, v in page.values}  # a page's own records
        url = fill(path, own) + (f"?{fill(page.query, own)}" if page.query else "")
        before = _reads(session)
        response = client.get(url)
        assert response.status_code == 200, url
        after = _reads(session)
        for patient_id, name in people:
            if name in response.text:
                checked += 1
                assert after.get(patient_id, 0) > before.get(patient_id, 0), (url, name)
    assert checked >= 5  # the walk shows names on several pages (patient, card, lists)
