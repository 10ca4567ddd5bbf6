"""A researcher sees a study's children under research ids only, never a patient's record.

Every GET route of the application that names a patient, an episode or a child in a study
(pages and API) is called by the study's researcher for a child *included in the study*: each
is refused, and no response carries the child's name or identifier. The researcher's own view
(the list of included children, the exports) shows the child under its research id.
"""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.service import auth
from alima.nutrition.models import Episode
from alima.research.models import Study
from alima.research.rules import export as rules
from tests.factories.core import World, sign_in
from tests.factories.research import make_study
from tests.integration.research.test_exports import distinctive, enrol
from tests.security.routes import app_routes

PARAM = re.compile(r"\{(\w+)\}")
#: Path parameters that name a patient or a record of one.
PATIENT_PARAMS = {"patient_id", "episode_id"}


def test_a_researcher_opens_no_record_of_an_included_child(
    app: FastAPI, client: TestClient, session: Session, world: World
) -> None:
    code = make_study(session, world)
    child = enrol(session, world, code, 90)
    with session.begin():
        episode = session.scalars(select(Episode.id).where(Episode.patient_id == child)).one()
        study_id = session.scalars(select(Study.id).where(Study.code == code)).one()
    values = {"patient_id": str(child), "episode_id": str(episode), "study_code": code}
    researcher = world.users["researcher"]
    sign_in(client, researcher.username)
    token = auth.create_api_token(session, username=researcher.username, name="r", days=1).token
    secrets = [v for k, v in distinctive(90).items() if k in {"given", "family", "identifier"}]
    routes = sorted(
        path
        for method, path in app_routes(app)
        if method == "GET" and PATIENT_PARAMS & set(PARAM.findall(path))
    )
    assert len(routes) >= 15, routes  # the enumeration found the patient-level routes
    called = []
    for path in routes:
        names = set(PARAM.findall(path))
        if not names <= values.keys():
            continue  # a route naming another record (a consultation, a visit...): none here
        url = PARAM.sub(lambda m: values[m.group(1)], path)
        headers = {"Authorization": f"Bearer {token}"} if not path.startswith("/patients") else {}
        response = client.get(url, headers=headers, follow_redirects=False)
        called.append(path)
        assert response.status_code in {403, 404}, (path, response.status_code)
        for secret in secrets:
            assert secret not in response.text, (path, secret)
    assert "/patients/{patient_id}" in called
    assert "/api/v1/patients/{patient_id}" in called
    assert "/research/studies/{study_code}/patients/{patient_id}" in called
    # The researcher's view: the child under its research id, never its name.
    listed = client.get(f"/research/studies/{code}/participants")
    assert listed.status_code == 200
    research_id = rules.research_id(
        app.state.settings.secret_key.get_secret_value(), study_id, child
    )
    assert research_id in listed.text
    for secret in [*secrets, str(child)]:
        assert secret not in listed.text
    found = client.get("/patients", params={"q": distinctive(90)["family"]})
    assert distinctive(90)["identifier"] not in found.text
    # Another study's children are not the researcher's: an unknown study is a 404.
    assert (
        client.get(f"/research/studies/NOPE-{uuid.uuid4().hex[:4]}/participants").status_code == 404
    )
