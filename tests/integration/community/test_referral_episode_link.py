"""A referral's arrival links only a nutrition episode of the same child, in the user's scope."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from alima.community import service
from alima.community.errors import CommunityError
from alima.community.schemas import ArrivalCreate, ScreeningCreate
from alima.core.errors import RuleViolation
from alima.core.models import Patient, Place
from alima.core.time import today
from tests.factories.core import World, make_patient
from tests.factories.nutrition import make_episode


def test_arrival_links_only_an_episode_of_this_child_in_scope(
    session: Session, world: World
) -> None:
    clinician = world.actors["clinician_a"]
    with session.begin():
        facility_a = session.get(Place, world.facility_a.id)
        facility_b = session.get(Place, world.facility_b.id)
        child_a = session.get(Patient, world.patient_a.id)
        child_b = session.get(Patient, world.patient_b.id)
        assert facility_a and facility_b and child_a and child_b
        sibling = make_patient(session, facility_a, given="Fanta", family="Coulibaly")
        on = today() - timedelta(days=1)
        own = make_episode(session, child_a, facility_a, admitted_on=on).id
        other_child = make_episode(session, sibling, facility_a, admitted_on=on).id
        other_site = make_episode(session, child_b, facility_b, admitted_on=on).id
        identifier = child_a.identifier
    screened = service.record_screening(
        session,
        ScreeningCreate.model_validate(
            {
                "place_code": world.facility_a.code,
                "screener_type": "mother",
                "child_given_name": "Aïssata",
                "child_age_months": 13,
                "village": "Molodo",
                "muac_mm": 108,
            }
        ),
        actor=clinician,
    )
    assert screened.referral is not None
    referral_id = screened.referral.id

    def arrive(episode_id: uuid.UUID, patient_identifier: str | None = identifier) -> None:
        service.record_arrival(
            session,
            referral_id,
            ArrivalCreate(
                muac_mm=110,
                admitted=True,
                patient_identifier=patient_identifier,
                nutrition_episode_id=episode_id,
            ),
            actor=clinician,
        )

    for wrong, who in [
        (uuid.uuid4(), identifier),  # no such episode
        (other_site, identifier),  # another site's child
        (other_child, identifier),  # another child of the same site
        (own, None),  # the child is not linked: "same child" cannot be told
    ]:
        with pytest.raises(RuleViolation) as refused:
            arrive(wrong, who)
        assert refused.value.code is CommunityError.COM_008
        assert refused.value.context["field"] == "nutrition_episode_id"
    arrive(own)
    done = service.get_referral(session, referral_id, actor=clinician)
    assert done.nutrition_episode_id == own
