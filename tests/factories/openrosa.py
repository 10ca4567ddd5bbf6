"""Submissions from ODK devices, as the OpenRosa server keeps them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.time import today
from alima.interop.openrosa import service
from alima.interop.openrosa.catalogue import SCREENING, find_form


def screening_xml(
    instance_id: str,
    *,
    age: int = 18,
    muac: int = 108,
    patient: str = "",
    place: str = "",
    on: date | None = None,
) -> bytes:
    """A community screening as ODK Collect submits it."""
    form = find_form(SCREENING)
    assert form is not None
    return f"""<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"
      id="{SCREENING}" version="{form.version}">
  <screened_on>{(on or today()).isoformat()}</screened_on><place_code>{place}</place_code>
  <screener_type>chw</screener_type><screener_name>Awa</screener_name>
  <child_given_name>Fanta</child_given_name><child_family_name>Diarra</child_family_name>
  <child_sex>F</child_sex><child_age_months>{age}</child_age_months><caregiver_name/>
  <village>Pogo</village><patient_identifier>{patient}</patient_identifier>
  <muac_mm>{muac}</muac_mm><oedema>none</oedema>
  <meta><instanceID>{instance_id}</instanceID><instanceName>Fanta</instanceName></meta>
</data>""".encode()


def refused_submission(session: Session, actor: Actor, place_code: str) -> str:
    """A screening the rules refuse (a child of 3 months), kept for review; its id."""
    xml = screening_xml(f"uuid:{uuid.uuid4()}", age=3, place=place_code)
    receipt = service.receive(session, xml, [], actor=actor)
    assert receipt.submission_id is not None
    return str(receipt.submission_id)
