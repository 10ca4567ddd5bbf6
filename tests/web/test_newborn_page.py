"""The midwife registers a newborn from the mother's care record in one step (issue 9)."""

from datetime import timedelta

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.care.schemas import DeliveryCreate
from alima.care.service import maternal
from alima.core.time import today
from tests.factories.core import World, csrf, make_patient, sign_in


def test_register_the_newborn_from_the_care_record(
    client: TestClient, session: Session, world: World
) -> None:
    with session.begin():
        mother = make_patient(
            session, world.facility_a, given="Mariam", birth=today() - timedelta(days=365 * 23)
        )
        mother_id = mother.id
    maternal.record_delivery(
        session,
        DeliveryCreate.model_validate(
            {
                "patient_id": str(mother_id),
                "setting": "facility",
                "attendant": "midwife",
                "mode": "spontaneous_vaginal",
                "mother_outcome": "mother_well",
                "newborns": [{"outcome": "live_birth", "sex": "M", "birth_weight_g": 2200}],
            }
        ),
        actor=world.actors["clinician_a"],
    )
    sign_in(client, world.users["clinician_a"].username)
    page = HTMLParser(client.get(f"/patients/{mother_id}/care").text)
    assert page.css_first(".low-birth-weight") is not None
    assert "faible poids de naissance" in page.text()
    form = page.css_first("form.newborn-form")
    assert form is not None
    fields = {
        i.attributes.get("name"): i.attributes.get("value") or ""
        for i in form.css("input")
        if i.attributes.get("type") == "hidden"
    }
    fields["given_name"] = "Issa"
    fields["csrf_token"] = csrf(client)
    done = client.post(f"/patients/{mother_id}/newborns", data=fields, follow_redirects=False)
    assert done.status_code == 303
    baby = HTMLParser(client.get(done.headers["location"]).text).text()
    assert "Issa" in baby
    again = HTMLParser(client.get(f"/patients/{mother_id}/care").text)
    assert again.css_first("form.newborn-form") is None
    assert "Dossier du bébé" in again.text()
