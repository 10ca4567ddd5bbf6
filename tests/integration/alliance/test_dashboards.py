"""Dashboards equal a recount made here from the raw rows, on both databases.

The funding share to national NGOs and the trainings, on the project page and the country
dashboard, in HTML and in the API.
"""

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.alliance.models import FundingAllocation, FundingGrant, Training, TrainingParticipant
from alima.core.enums import OrganisationKind, PartnerRole
from alima.core.models import Organisation, Place, Project
from alima.core.service import auth
from alima.core.time import today
from alima.web.templating import fmt_number
from tests.factories.alliance import (
    Alliance,
    build_alliance,
    make_grant,
    make_organisation,
    make_project,
    make_training,
)
from tests.factories.core import World, sign_in


@pytest.fixture
def alliance(session: Session, world: World) -> Alliance:
    """The co-managed world, with more grants, a second project and more trainings."""
    alliance = build_alliance(session, world)
    with session.begin():
        lead = session.get(Organisation, alliance.lead.id)
        colead = session.get(Organisation, alliance.colead.id)
        partner = session.get(Organisation, alliance.partner.id)
        funder = session.get(Organisation, alliance.funder.id)
        project = session.get(Project, alliance.project.id)
        area_b = session.get(Place, world.area_b.id)
        facility_a = session.get(Place, world.facility_a.id)
        facility_b = session.get(Place, world.facility_b.id)
        country = session.get(Place, world.country.id)
        assert lead and colead and partner and funder and project and area_b and country
        assert facility_a and facility_b
        ministry = make_organisation(session, "MIN-T", OrganisationKind.MINISTRY)
        # A grant in CFA francs: 6 559 570 XOF = 10 000 EUR; half to the national partner.
        make_grant(
            session,
            project,
            funder,
            amount=6_559_570,
            reporting_amount=10_000,
            currency="XOF",
            allocations=[(partner, 3_279_785), (lead, 1_000_000)],
        )
        other = make_project(
            session, country, [area_b], [(lead, PartnerRole.LEAD), (colead, PartnerRole.CO_LEAD)]
        )
        make_grant(session, other, funder, amount=30_000, allocations=[(colead, 7_000)])
        make_grant(session, other, funder, amount=3_000, currency="USD", reporting_amount=2_760)
        on = today()
        for ended, place, names in [
            (on - timedelta(days=5), facility_a, ["Awa Diallo", "Binta Touré"]),
            (on - timedelta(days=40), facility_a, ["AWA DIALLO", "Céline Dara"]),
            (on - timedelta(days=70), facility_b, ["Issa Coulibaly", "Awa Diallo"]),
            (on - timedelta(days=400), facility_b, ["Ancien Stagiaire"]),
        ]:
            make_training(
                session,
                place,
                colead,
                participants=[(n, colead) for n in names] + [("Agent du ministère", ministry)],
                ended_on=ended,
                topic="MUAC",
                project=project if place is facility_a else None,
            )
    session.expunge_all()
    return alliance


def recount_share(
    session: Session, project_ids: Sequence[uuid.UUID]
) -> tuple[int, Fraction, float]:
    with session.begin():
        grants = list(
            session.scalars(select(FundingGrant).where(FundingGrant.project_id.in_(project_ids)))
        )
        total = sum(g.reporting_amount for g in grants)
        national = Fraction(0)
        for g in grants:
            rows = session.execute(
                select(FundingAllocation.amount, Organisation.kind)
                .join(Organisation, Organisation.id == FundingAllocation.organisation_id)
                .where(FundingAllocation.grant_id == g.id)
            )
            for amount, kind in rows:
                if kind == "national_ngo":
                    national += Fraction(amount) * g.reporting_amount / g.amount
    return total, national, round(float(national / total * 100), 1)


def recount_trained(
    session: Session, path: str, start: date, end: date, project_id: object | None = None
) -> tuple[int, dict[str, int]]:
    with session.begin():
        rows = session.execute(
            select(TrainingParticipant, Training.ended_on, Training.project_id, Place.path)
            .join(Training, Training.id == TrainingParticipant.training_id)
            .join(Place, Place.id == Training.place_id)
        ).all()
    people: set[tuple[str, object]] = set()
    by_month: dict[str, set[tuple[str, object]]] = {}
    for participant, ended, project, place_path in rows:
        if not place_path.startswith(path) or project_id not in (None, project):
            continue
        person = (participant.search_name, participant.organisation_id)
        by_month.setdefault(f"{ended:%Y-%m}", set()).add(person)
        if start <= ended <= end:
            people.add(person)
    return len(people), {m: len(p) for m, p in by_month.items()}


def _data(tree: HTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, selector
    return node.attributes.get("data-value") or ""


def test_project_page_equals_the_recount(
    client: TestClient, session: Session, world: World, alliance: Alliance
) -> None:
    total, national, share = recount_share(session, [alliance.project.id])
    assert (total, national) == (110_000, Fraction(45_000))  # 40 000 + 5 000 of 110 000 EUR
    project_start = today() - timedelta(days=700)
    trained, by_month = recount_trained(
        session, world.district.path, project_start, today(), alliance.project.id
    )
    assert trained == 5  # Awa (three times), Moussa, Binta, Céline, the ministry's agent
    token = auth.create_api_token(
        session, username=world.users["coordinator"].username, name="t", days=1
    ).token
    api = client.get(
        f"/api/v1/alliance/projects/{alliance.project.code}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert api["funding"] == {
        "currency": "EUR",
        "total": total,
        "national": round(national),
        "share_percent": share,
    }
    assert api["trainings"]["health_workers"] == trained
    for month, count in api["trainings"]["by_month"].items():
        assert count == by_month.get(month, 0), month

    sign_in(client, world.users["coordinator"].username)
    page = client.get(f"/projects/{alliance.project.code}")
    assert page.status_code == 200
    tree = HTMLParser(page.text)
    assert _data(tree, "#project-national-share") == str(share)
    assert _data(tree, "#project-funding-total") == str(total)
    assert _data(tree, "#project-health-workers") == str(trained)
    share_text = tree.css_first("#project-national-share")
    assert share_text is not None
    assert fmt_number(share) in share_text.text()  # "40,9 %", formatted for the reader


def test_country_dashboard_equals_the_recount(
    client: TestClient, session: Session, world: World, alliance: Alliance
) -> None:
    with session.begin():
        projects = list(
            session.scalars(select(Project.id).where(Project.country_id == world.country.id))
        )
    total, national, share = recount_share(session, projects)
    assert (total, national) == (110_000 + 32_760, Fraction(52_000))
    on = today()
    trained_this_year, by_month = recount_trained(
        session, world.country.path, date(on.year, 1, 1), on
    )
    trained_ever, _ = recount_trained(session, world.country.path, date(2000, 1, 1), on)
    assert trained_ever > trained_this_year  # a training 400 days ago is in an earlier year
    token = auth.create_api_token(
        session, username=world.users["coordinator"].username, name="t", days=1
    ).token
    api = client.get(
        f"/api/v1/alliance/countries/{world.country.code}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert api["funding"]["share_percent"] == share
    assert api["funding"]["total"] == total
    assert api["funding"]["national"] == round(national)
    assert api["trainings"]["health_workers"] == trained_this_year
    assert api["trainings_all_time"] == trained_ever
    assert len(api["projects"]) == 2  # both projects of the country, not the other country's
    assert alliance.project.code in {p["code"] for p in api["projects"]}

    sign_in(client, world.users["coordinator"].username)
    tree = HTMLParser(client.get(f"/countries/{world.country.code}").text)
    assert _data(tree, "#country-national-share") == str(share)
    assert _data(tree, "#country-health-workers") == str(trained_this_year)
    assert _data(tree, "#country-health-workers-all-time") == str(trained_ever)
    for cell in tree.css("#country-by-month td[data-month]"):
        month = cell.attributes["data-month"] or ""
        assert cell.attributes["data-value"] == str(by_month.get(month, 0)), month
    # A clinician sees no dashboard.
    sign_in(client, world.users["clinician_a"].username)
    assert client.get(f"/countries/{world.country.code}").status_code == 404
