"""Property: coverage and drop-out of every cycle equal an independent recount.

Hypothesis draws children at facilities A and B (health areas A and B) and, for each cycle,
what happened to each: nothing, a dose, an exclusion, an exclusion then a dose, a dose
recorded by mistake and deleted, a re-dose after vomiting; and SPAQ received. Everything is
written through the services; the recount below works from the drawn plan alone, in plain
Python, by the definitions of docs/clinical-rules.md §14 (treated = children given day 1 in
the cycle; drop-out = children of cycle 1 not treated in cycle n; coverage = treated /
target), never through the code under test. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from alima.core.schemas import RecordDelete
from alima.smc import service
from alima.smc.enums import Product
from alima.smc.schemas import SupplyCreate
from tests.factories.core import World
from tests.factories.smc import STARTS, child_of_months, give, make_campaign
from tests.security.routes import rolled_back

CENSUS = (40, 25)
EVENTS = ("none", "given", "excluded", "excluded_then_given", "deleted", "redosed")


@dataclass(frozen=True)
class Child:
    """A drawn child: its facility (A or B), its age on cycle 1 and each cycle's event."""

    at_b: bool
    months: int
    events: tuple[str, ...]


children = st.lists(
    st.builds(
        Child,
        at_b=st.booleans(),
        months=st.integers(3, 50),
        events=st.tuples(*[st.sampled_from(EVENTS)] * 4),
    ),
    min_size=0,
    max_size=7,
)


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=children, received=st.integers(1, 30))
def test_coverage_and_dropout_equal_a_recount(
    session: Session, world: World, plan: list[Child], received: int
) -> None:
    with rolled_back(session):
        campaign = make_campaign(session, world, census=CENSUS)
        service.record_supply(
            session,
            campaign.id,
            SupplyCreate(
                cycle_number=1, product=Product.SPAQ_12_59, blisters=received, received_on=STARTS[0]
            ),
            actor=world.actors["clinician_a"],
        )
        for i, drawn in enumerate(plan):
            place = world.facility_b if drawn.at_b else world.facility_a
            who = "clinician_b" if drawn.at_b else "clinician_a"
            child = child_of_months(session, place, drawn.months, STARTS[0], given=f"E{i}")
            for number, event in enumerate(drawn.events, start=1):
                if event in ("excluded", "excluded_then_given"):
                    give(session, world, campaign, child, number, who=who, sick=True)
                if event in ("given", "excluded_then_given"):
                    give(session, world, campaign, child, number, who=who)
                if event == "redosed":
                    give(
                        session, world, campaign, child, number, who=who, vomited=True, redosed=True
                    )
                if event == "deleted":
                    wrong = give(session, world, campaign, child, number, who=who)
                    service.delete_dose(
                        session,
                        wrong.id,
                        RecordDelete(reason="erreur"),
                        actor=world.actors["data_manager"],
                    )
        report = service.campaign_report(session, campaign.id, actor=world.actors["data_manager"])

    # The recount, from the plan only.
    treated_events = {"given", "excluded_then_given", "redosed"}
    target = sum(CENSUS)
    first = {i for i, c in enumerate(plan) if c.events[0] in treated_events}
    for n in range(1, 5):
        treated = {i for i, c in enumerate(plan) if c.events[n - 1] in treated_events}
        excluded = {i for i, c in enumerate(plan) if c.events[n - 1] == "excluded"}
        figures = report.cycles[n - 1]
        assert figures.number == n
        assert figures.treated == len(treated)
        assert figures.excluded == len(excluded)
        assert figures.coverage_percent == _percent(len(treated), target)
        assert figures.dropout == len(first - treated)
        assert figures.dropout_percent == _percent(len(first - treated), len(first))
        in_b = {i for i in treated if plan[i].at_b}
        by_area = {a.place_code: a.treated[n - 1] for a in report.areas}
        assert by_area == {world.area_a.code: len(treated - in_b), world.area_b.code: len(in_b)}
    # Every drawn child is 3-50 months on cycle 1 and under 60 after: the older band from 12.
    used = {Product.SPAQ_3_11: 0, Product.SPAQ_12_59: 0}
    for c in plan:
        for n, event in enumerate(c.events):
            if event in treated_events:
                age = (math.ceil(c.months * 30.4375) + (STARTS[n] - STARTS[0]).days) / 30.4375
                product = Product.SPAQ_3_11 if age < 12 else Product.SPAQ_12_59
                used[product] += 2 if event == "redosed" else 1
    lines = {p.product: p for p in report.products}
    assert lines[Product.SPAQ_12_59].used == used[Product.SPAQ_12_59]
    assert lines[Product.SPAQ_3_11].used == used[Product.SPAQ_3_11]
    assert lines[Product.SPAQ_12_59].left == received - used[Product.SPAQ_12_59]
    assert report.target == target
