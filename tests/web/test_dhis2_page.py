"""The DHIS2 page shows what was sent and what DHIS2 answered, in French; the API the same."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.config import Settings
from alima.core.time import today
from alima.interop.dhis2 import service
from alima.interop.dhis2.schemas import MappingFile
from tests.factories.core import World, bearer, sign_in
from tests.factories.dhis2_server import (
    PASSWORD,
    USERNAME,
    Dhis2Stub,
    running_dhis2,
    small_mapping,
)


def test_pushes_and_their_conflicts_on_the_page_and_in_the_api(
    client: TestClient, session: Session, world: World
) -> None:
    admin = bearer(session, world.users["administrator"].username)
    body = small_mapping(world.country.code, world.facility_a.code)
    body["data_elements"].append(
        {
            "figure": "CMAM-EXITS",
            "option": "cured",
            "data_element": "deUNKNOWN01",
            "category_option_combo": "cocCURED001",
        }
    )
    saved = client.post("/api/v1/dhis2/mappings", json=body, headers=admin)
    assert saved.status_code == 200, saved.text
    assert MappingFile.model_validate(saved.json()) == MappingFile.model_validate(body)
    got = client.get(f"/api/v1/dhis2/mappings/{world.country.code}", headers=admin)
    assert got.json() == saved.json()

    month = f"{today():%Y-%m}"
    stub = Dhis2Stub(
        data_elements={"deADMIT0001"},
        org_units={"ouSITE00001"},
        combos={"HllvX50cXC0", "cocCURED001"},
    )
    with running_dhis2(stub) as dhis2:
        settings = Settings(
            env="test",
            dhis2_url=dhis2.url,
            dhis2_username=USERNAME,
            dhis2_password=PASSWORD,  # type: ignore[arg-type]  # pydantic makes it a SecretStr
        )
        pushed = service.push(
            session, month=month, settings=settings, country_code=world.country.code
        )
    assert (pushed.imported, pushed.ignored, len(pushed.conflicts)) == (1, 1, 1)

    sign_in(client, world.users["data_manager"].username)
    page = client.get("/dhis2")
    assert page.status_code == 200
    assert "Valeurs refusées par DHIS2" in page.text
    assert "deUNKNOWN01" in page.text and "E7610" in page.text
    assert world.facility_a.code in page.text
    assert "Sorties (par issue)" in page.text  # the figure's label, in French
    assert pushed.payload_hash[:12] in page.text
    assert "Correspondance de" not in page.text  # the mapping is the administrators'

    listed = client.get(
        "/api/v1/dhis2/pushes", headers=bearer(session, world.users["data_manager"].username)
    )
    assert [p["id"] for p in listed.json()] == [str(pushed.id)]
    assert listed.json()[0]["conflicts"][0]["place_code"] == world.facility_a.code

    sign_in(client, world.users["administrator"].username)
    page = client.get("/dhis2")
    assert "Correspondance de" in page.text and "ouSITE00001" in page.text

    refused = client.post(
        "/api/v1/dhis2/mappings",
        json=small_mapping(world.country.code, "NO-SUCH-PLACE"),
        headers=admin,
    )
    assert refused.status_code == 422
    assert "NO-SUCH-PLACE" in refused.json()["message"]
