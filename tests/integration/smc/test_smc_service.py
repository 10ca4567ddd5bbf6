"""SMC through the services, on both databases: the campaign and its targets, the dose by age
on the cycle date, the second dose refused (service and index), exclusions, the red MUAC
referred through the community chain, days 2 and 3, scope and audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alima.community.models import Referral, Screening
from alima.core.enums import AuditAction
from alima.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from alima.core.models import AuditEvent
from alima.core.schemas import RecordDelete
from alima.smc import service
from alima.smc.enums import AgeBand, Exclusion, Product
from alima.smc.errors import SmcError
from alima.smc.models import SmcAdministration
from alima.smc.schemas import AdherenceReport, SupplyCreate, TeamCreate
from tests.factories.core import World
from tests.factories.smc import STARTS, add_population, child_of_months, give, make_campaign


def test_campaign_targets_from_place_populations(session: Session, world: World) -> None:
    add_population(session, world.area_a, 10_000)
    add_population(session, world.area_b, 5_001)
    campaign = make_campaign(session, world)
    assert [c.number for c in campaign.cycles] == [1, 2, 3, 4]
    assert campaign.cycles[0].ends_on == date(2026, 7, 31)
    assert campaign.cycles[3].ends_on == date(2026, 10, 28)
    targets = {a.place_code: a.target for a in campaign.areas}
    # 18 % of the population (the default share), rounded up.
    assert targets == {world.area_a.code: 1800, world.area_b.code: 901}
    report = service.campaign_report(session, campaign.id, actor=world.actors["data_manager"])
    assert report.target == 2701


def test_campaign_census_targets_and_setup_rules(session: Session, world: World) -> None:
    campaign = make_campaign(session, world, census=(400, 350))
    assert {a.target for a in campaign.areas} == {400, 350}
    with pytest.raises(Forbidden):
        make_campaign_as(session, world, "clinician_a")
    with pytest.raises(RuleViolation) as refused:
        make_campaign(session, world, starts=[STARTS[1], STARTS[0], STARTS[2], STARTS[3]])
    assert refused.value.code == SmcError.SMC_005


def make_campaign_as(session: Session, world: World, who: str) -> None:
    from alima.smc.schemas import AreaTarget, CampaignCreate

    data = CampaignCreate(
        name="x", season=2026, cycle_starts=STARTS, areas=[AreaTarget(place_code=world.area_a.code)]
    )
    service.create_campaign(session, data, actor=world.actors[who], settings=service.SmcSettings())


@pytest.mark.parametrize(
    ("months", "band"),
    [
        pytest.param(2.9, None, id="2.9"),
        pytest.param(3.0, AgeBand.INFANT, id="3.0"),
        pytest.param(11.9, AgeBand.INFANT, id="11.9"),
        pytest.param(12.0, AgeBand.CHILD, id="12.0"),
        pytest.param(59.9, AgeBand.CHILD, id="59.9"),
        pytest.param(60.0, None, id="60.0"),
    ],
)
def test_dose_by_age_on_the_cycle_date(
    session: Session, world: World, months: float, band: AgeBand | None
) -> None:
    campaign = make_campaign(session, world)
    cycle = campaign.cycles[1]
    child = child_of_months(session, world.facility_a, months, cycle.starts_on)
    if band is None:
        with pytest.raises(RuleViolation) as refused:
            give(session, world, campaign, child, 2)
        assert refused.value.code == (SmcError.SMC_001 if months < 3 else SmcError.SMC_002)
        return
    # Recorded days after the cycle's first day: the band of the first day stays.
    dose = give(session, world, campaign, child, 2, given_on=cycle.starts_on.replace(day=20))
    assert dose.age_band == band
    assert dose.given
    assert dose.product == (Product.SPAQ_3_11 if band is AgeBand.INFANT else Product.SPAQ_12_59)
    assert dose.aq_mg == (76.5 if band is AgeBand.INFANT else 153.0)
    assert dose.sp == ("250/12.5" if band is AgeBand.INFANT else "500/25")
    assert dose.blisters == 1


def test_second_dose_in_a_cycle_refused_by_service_and_database(
    session: Session, world: World
) -> None:
    campaign = make_campaign(session, world)
    child = child_of_months(session, world.facility_a, 20, STARTS[0])
    give(session, world, campaign, child, 1)
    with pytest.raises(Conflict) as refused:
        give(session, world, campaign, child, 1)
    assert refused.value.code == SmcError.SMC_003
    # Another cycle is fine.
    assert give(session, world, campaign, child, 2).cycle_number == 2
    # The database refuses it too, whichever writer forgets the check.
    with session.begin():
        first = session.scalars(
            select(SmcAdministration).where(
                SmcAdministration.patient_id == child.id, SmcAdministration.cycle_number == 1
            )
        ).one()
        copy = SmcAdministration(
            **{
                c: getattr(first, c)
                for c in (
                    "campaign_id",
                    "cycle_id",
                    "cycle_number",
                    "patient_id",
                    "place_id",
                    "village",
                    "given_on",
                    "age_days",
                    "age_band",
                    "blisters",
                )
            }
        )
        session.add(copy)
        with pytest.raises(IntegrityError), session.begin_nested():
            session.flush()


@pytest.mark.parametrize(
    ("findings", "reason"),
    [
        pytest.param({"sick": True}, Exclusion.SICK, id="sick"),
        pytest.param({"allergy": True}, Exclusion.ALLERGY, id="allergy"),
        pytest.param({"cotrimoxazole": True}, Exclusion.COTRIMOXAZOLE, id="cotrimoxazole"),
        pytest.param({"already_received": True}, Exclusion.ALREADY_RECEIVED, id="already"),
    ],
)
def test_exclusions_recorded(
    session: Session, world: World, findings: dict[str, Any], reason: Exclusion
) -> None:
    campaign = make_campaign(session, world)
    child = child_of_months(session, world.facility_a, 30, STARTS[0])
    dose = give(session, world, campaign, child, 1, **findings)
    assert (dose.given, dose.exclusion, dose.blisters, dose.product) == (False, reason, 0, None)
    # The child may still be given later in the cycle (a fever treated, say).
    assert give(session, world, campaign, child, 1).given


def test_red_muac_excluded_and_referred_to_nutrition(session: Session, world: World) -> None:
    campaign = make_campaign(session, world)
    child = child_of_months(session, world.facility_a, 18, STARTS[0])
    dose = give(session, world, campaign, child, 1, muac_mm=108, given_by="Oumar")
    assert dose.exclusion == Exclusion.SEVERE_MALNUTRITION
    assert dose.referral_urgency == "urgent"
    with session.begin():
        referral = session.scalars(select(Referral).where(Referral.patient_id == child.id)).one()
        screening = session.get(Screening, referral.screening_id)
        assert screening is not None
        assert (referral.status, referral.place_id) == ("pending", world.facility_a.id)
        assert (screening.muac_band, screening.screener_type) == ("red", "chw")
    # Yellow: given, and referred routinely to the MAM programme.
    other = child_of_months(session, world.facility_a, 18, STARTS[0], given="Binta")
    yellow = give(session, world, campaign, other, 1, muac_mm=120)
    assert (yellow.given, yellow.referral_urgency) == (True, "routine")
    # MUAC is not taken before 6 months.
    baby = child_of_months(session, world.facility_a, 4, STARTS[0], given="Nana")
    with pytest.raises(RuleViolation) as refused:
        give(session, world, campaign, baby, 1, muac_mm=120)
    assert refused.value.code == SmcError.SMC_011


def test_vomiting_redose_setting(session: Session, world: World) -> None:
    campaign = make_campaign(session, world)
    child = child_of_months(session, world.facility_a, 30, STARTS[0])
    dose = give(session, world, campaign, child, 1, vomited=True, redosed=True)
    assert dose.blisters == 2
    other = child_of_months(session, world.facility_a, 30, STARTS[0], given="Kadi")
    from alima.smc import rules
    from alima.smc.schemas import DoseCreate

    no_redose = service.SmcSettings(vomiting=rules.VomitingRule(redose=False))
    with pytest.raises(RuleViolation) as refused:
        service.record_dose(
            session,
            DoseCreate(
                cycle_id=campaign.cycles[0].id,
                patient_id=other.id,
                given_on=STARTS[0],
                vomited=True,
                redosed=True,
            ),
            actor=world.actors["clinician_a"],
            settings=no_redose,
        )
    assert refused.value.code == SmcError.SMC_009


def test_days_two_and_three_reported_later(session: Session, world: World) -> None:
    campaign = make_campaign(session, world)
    child = child_of_months(session, world.facility_a, 30, STARTS[0])
    dose = give(session, world, campaign, child, 1)
    reported = service.report_adherence(
        session,
        dose.id,
        AdherenceReport(day2_given=True, day3_given=False, reported_on=STARTS[1]),
        actor=world.actors["clinician_a"],
    )
    assert (reported.day2_given, reported.day3_given) == (True, False)
    with pytest.raises(NotFound):
        service.report_adherence(
            session,
            dose.id,
            AdherenceReport(day2_given=True, day3_given=True),
            actor=world.actors["clinician_b"],
        )
    report = service.campaign_report(session, campaign.id, actor=world.actors["data_manager"])
    assert (report.cycles[0].day3_reported, report.cycles[0].day3_given) == (1, 0)


def test_scope_and_audit(session: Session, world: World) -> None:
    campaign = make_campaign(session, world)
    child = child_of_months(session, world.facility_a, 30, STARTS[0])
    # Clinician B may not record a child of facility A, nor at facility A.
    with pytest.raises(NotFound):
        give(session, world, campaign, child, 1, who="clinician_b")
    dose = give(session, world, campaign, child, 1)
    with session.begin():
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == dose.id, AuditEvent.action == AuditAction.CREATE.value
            )
        ).all()
        assert len(events) == 1
        assert events[0].patient_id == child.id
    deleted = service.delete_dose(
        session,
        dose.id,
        RecordDelete(reason="saisie en double"),
        actor=world.actors["data_manager"],
    )
    assert deleted.deleted
    # Deleted: the child may be given the cycle again.
    assert give(session, world, campaign, child, 1).given


def test_products_and_team_lists(session: Session, world: World) -> None:
    campaign = make_campaign(session, world)
    clinician = world.actors["clinician_a"]
    team = service.add_team(
        session,
        campaign.id,
        TeamCreate(name="Équipe 1", members="Oumar, Salif", villages=["Molodo", "Kolongo"]),
        actor=clinician,
    )
    assert team.place_code == world.facility_a.code
    service.record_supply(
        session,
        campaign.id,
        SupplyCreate(
            cycle_number=1, product=Product.SPAQ_12_59, blisters=50, received_on=STARTS[0]
        ),
        actor=clinician,
    )
    a = child_of_months(session, world.facility_a, 30, STARTS[0])
    b = child_of_months(session, world.facility_a, 40, STARTS[0], given="Sira", village="Kolongo")
    give(session, world, campaign, a, 1, vomited=True, redosed=True)
    give(session, world, campaign, b, 1)
    report = service.campaign_report(session, campaign.id, actor=world.actors["data_manager"])
    line = next(p for p in report.products if p.product is Product.SPAQ_12_59)
    assert (line.received, line.used, line.left) == (50, 3, 47)
    listing = service.distribution_list(
        session, campaign.cycles[1].id, team_id=team.id, actor=clinician
    )
    names = {v.village: [c.name for c in v.children] for v in listing.villages}
    assert "Awa Traoré" in names["Molodo"]
    assert names["Kolongo"] == ["Sira Traoré"]
    molodo = next(v for v in listing.villages if v.village == "Molodo")
    awa = next(c for c in molodo.children if c.patient_id == a.id)
    assert (awa.cycles_given, awa.dose, awa.previous is not None) == ([1], None, True)
    house = service.household(
        session,
        campaign.cycles[0].id,
        village="molodo",
        caregiver="FATOUMATA diarra",
        actor=clinician,
    )
    assert [c.patient_id for c in house.children] == [a.id]
    assert house.children[0].dose is not None
