"""Every figure of the impact page equals a recount from the raw rows, and no patient shows.

The rows include what must not count (deleted records, the years around, another country,
planned operations, sessions outside displacement sites) and the boundary days of the year;
some are written by the services as the pages write them, including a consultation and a
child deleted through the services.
The recount reads the tables with plain SQL and counts in Python, independently of the
indicator queries. Runs on SQLite and on PostgreSQL.
"""

import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import text
from sqlalchemy.orm import Session

from alima.care.schemas import ConsultationCreate, RecordDelete
from alima.care.service import consultations
from alima.care.service.records import CareRecordKind, delete_record
from alima.core.enums import OrganisationKind, Sex
from alima.core.models import Place
from alima.core.schemas import PatientCreate, PatientDelete
from alima.core.service.patients import delete_patient, register_patient
from alima.core.time import today
from alima.indicators.models import ContextFigure
from alima.indicators.registry import load_indicators
from alima.indicators.service import default_year
from alima.nutrition import service as nutrition_service
from alima.nutrition.schemas import AdmissionCreate
from tests.factories.alliance import make_organisation
from tests.factories.alliance import make_training as make_alliance_training
from tests.factories.core import World, make_patient, make_place
from tests.factories.nutrition import make_episode
from tests.factories.treat import (
    make_consultation,
    make_delivery,
    make_mobile_session,
    make_population,
    make_screening,
    make_surgery,
    make_training,
)

MINE = {
    "TREAT-MOTHERS-TRAINED",
    "TREAT-CONSULTATIONS",
    "TREAT-DELIVERIES",
    "TREAT-EMERGENCY-SURGERIES",
    "TREAT-DISPLACED-REACHED",
    "TREAT-DISPLACEMENT-SITES",
    "TREAT-MOBILE-CLINICS",
    "NUT-CHILDREN-TREATED",
    "TOGETHER-HEALTH-WORKERS-TRAINED",
}


def number(value: str) -> int:
    digits = re.sub(r"\D", "", value)
    assert digits, value
    return int(digits)


class Data:
    """What the test wrote: the country and the strings that must never be public."""

    def __init__(self, country: Place, secrets: set[str]) -> None:
        self.country = country
        self.secrets = secrets


def build(session: Session, world: World, year: int) -> Data:  # noqa: PLR0915 - one fixture, read top-down
    with session.begin():
        area, facility = world.area_a, world.facility_a
        hospital = make_place(session, f"{world.district.code}-HOP", "facility", world.district)
        site_1 = make_place(session, f"{area.code}-PDI1", "displacement_site", area)
        site_2 = make_place(session, f"{area.code}-PDI2", "displacement_site", area)
        clinic_1 = make_place(
            session, f"{world.district.code}-CM1", "mobile_clinic", world.district
        )
        clinic_2 = make_place(
            session, f"{world.district.code}-CM2", "mobile_clinic", world.district
        )
        elsewhere = make_place(session, f"X{uuid.uuid4().hex[:4].upper()}", "country", None)
        far = make_place(session, f"{elsewhere.code}-CS", "facility", elsewhere)
        mother = make_patient(session, facility, given="Mariam", family="Sidibé", village="Kala")
        child = make_patient(session, facility, given="Seydou", family="Dembélé", village="Sagala")
        stranger = make_patient(session, far, given="Bintou", family="Kanté", village="Loin")
        first, last = date(year, 1, 1), date(year, 12, 31)
        before, after = date(year - 1, 12, 31), date(year + 1, 1, 1)
        # trainings: 3 in the year (one on each boundary), 1 deleted, 1 outside, 1 elsewhere
        for on, mothers in ((first, 30), (date(year, 6, 15), 41), (last, 29)):
            make_training(session, area, held_on=on, mothers=mothers)
        make_training(session, facility, held_on=date(year, 3, 3), mothers=17)
        make_training(session, area, held_on=date(year, 4, 4), mothers=99, deleted=True)
        make_training(session, area, held_on=before, mothers=88)
        make_training(session, far, held_on=date(year, 5, 5), mothers=77)
        # consultations: by month, plus excluded ones
        for month in range(1, 13):
            for day in range(1, (month % 4) + 2):
                make_consultation(session, child, facility, on=date(year, month, day))
        make_consultation(session, child, facility, on=last)
        make_consultation(session, child, facility, on=date(year, 2, 2), deleted=True)
        make_consultation(session, child, facility, on=after)
        make_consultation(session, stranger, far, on=date(year, 2, 2))
        # deliveries (twins count once), surgeries (planned ones do not count)
        make_delivery(session, mother, facility, on=first, babies=2)
        make_delivery(session, mother, facility, on=date(year, 8, 8))
        make_delivery(session, mother, facility, on=date(year, 8, 9), deleted=True)
        make_delivery(session, stranger, far, on=date(year, 8, 8))
        make_surgery(session, mother, hospital, on=date(year, 2, 14))
        make_surgery(session, child, hospital, on=date(year, 11, 30))
        make_surgery(session, child, hospital, on=date(year, 11, 30), emergency=False)
        make_surgery(session, child, hospital, on=before)
        make_surgery(session, stranger, far, on=date(year, 1, 5))
        # mobile clinics: only sessions at displacement sites count
        make_mobile_session(session, site_1, on=first, people=120, clinic=clinic_1)
        make_mobile_session(session, site_1, on=date(year, 7, 1), people=95, clinic=clinic_2)
        make_mobile_session(session, site_2, on=date(year, 7, 20), people=230, clinic=clinic_1)
        make_mobile_session(session, site_2, on=date(year, 7, 21), people=40, deleted=True)
        make_mobile_session(session, facility, on=date(year, 7, 22), people=500, clinic=clinic_1)
        make_mobile_session(session, site_2, on=after, people=61, clinic=clinic_2)
        make_population(session, site_1, on=date(year, 7, 1), individuals=1834)
        # nutrition admissions: by admission date; deleted, other years, elsewhere excluded
        for month, day in ((1, 1), (1, 20), (4, 9), (9, 30), (12, 31)):
            make_episode(session, child, facility, admitted_on=date(year, month, day))
        make_episode(
            session, mother, facility, admitted_on=date(year, 6, 6), closed_on=date(year, 7, 4)
        )
        make_episode(session, child, facility, admitted_on=date(year, 5, 5), deleted=True)
        make_episode(session, child, facility, admitted_on=before)
        make_episode(session, stranger, far, admitted_on=date(year, 5, 5))
        # health-worker trainings: a person counts once (same folded name and organisation)
        ngo = make_organisation(
            session, f"N{uuid.uuid4().hex[:5].upper()}", OrganisationKind.NATIONAL_NGO
        )
        make_alliance_training(
            session,
            facility,
            ngo,
            ended_on=date(year, 2, 10),
            participants=[("Awa Traoré", ngo), ("Issa Diallo", ngo), ("Fanta Koné", None)],
        )
        make_alliance_training(
            session,
            area,
            ngo,
            ended_on=date(year, 2, 20),
            participants=[("AWA TRAORE", ngo), ("Oumar Sy", ngo)],
        )
        make_alliance_training(
            session,
            facility,
            ngo,
            ended_on=date(year, 10, 1),
            participants=[("Awa Traoré", ngo), ("Awa Traoré", None)],
        )
        make_alliance_training(
            session, facility, ngo, ended_on=before, participants=[("Vieux Sow", ngo)]
        )
        make_alliance_training(
            session, far, ngo, ended_on=date(year, 3, 3), participants=[("Loin Loin", ngo)]
        )
        # screenings name children: none of it may reach the public page
        screened = make_screening(
            session, facility, screened_on=date(year, 3, 1), muac_mm=108, given_name="Zeinabou"
        )
        for kind, value, source in (
            ("population", 20_250_000, "Banque mondiale 2020"),
            ("food_insecure", 3_500_000, "OCHA 2020"),
            ("sam_children", 185_000, "UNICEF 2020"),
        ):
            session.add(
                ContextFigure(
                    place_id=world.country.id, kind=kind, year=year, value=value, source=source
                )
            )
        session.add(
            ContextFigure(
                place_id=world.country.id,
                kind="population",
                year=year + 1,
                value=1,
                source="later year, not shown",
            )
        )
        session.flush()
        secrets = (
            {p.given_name for p in (mother, child, stranger)}
            | {p.family_name for p in (mother, child, stranger)}
            | {p.identifier for p in (mother, child, stranger)}
            | {"Kala", "Sagala", "Zeinabou", str(mother.id), str(child.id), str(screened.id)}
        )
        country = world.country
    secrets |= through_the_services(session, world, year)
    session.expunge_all()
    return Data(country, secrets)


def through_the_services(session: Session, world: World, year: int) -> set[str]:
    """Rows written as the pages write them: registrations, consultations and admissions by the
    clinician, then a consultation deleted and a child deleted by the data manager (their
    records then count nowhere). Returns the names that must not be public."""
    clinician, manager = world.actors["clinician_a"], world.actors["data_manager"]

    def register(given: str) -> uuid.UUID:
        return register_patient(
            session,
            PatientCreate(
                given_name=given,
                family_name="Parleservice",
                sex=Sex.FEMALE,
                birth_date=date(year - 3, 2, 1),
                village="Diabaly",
                place_code=world.facility_a.code,
                confirm_not_duplicate=True,
            ),
            actor=clinician,
        ).id

    def admit(patient_id: uuid.UUID, on: date) -> None:
        nutrition_service.admit_child(
            session,
            AdmissionCreate(
                patient_id=patient_id,
                admitted_on=on,
                muac_mm=112,
                weight_kg=10.0,
                height_cm=88.0,
                appetite_test_passed=True,
            ),
            actor=clinician,
        )

    kept, gone = register("Kadidia"), register("Nana")
    for on in (date(year, 3, 10), date(year, 3, 11)):
        consultations.record_consultation(
            session,
            ConsultationCreate(patient_id=kept, consulted_on=on, muac_mm=130),
            actor=clinician,
        )
    withdrawn = consultations.record_consultation(
        session,
        ConsultationCreate(patient_id=kept, consulted_on=date(year, 3, 12), muac_mm=130),
        actor=clinician,
    )
    delete_record(
        session,
        CareRecordKind.CONSULTATION,
        withdrawn.id,
        RecordDelete(reason="saisie en double"),
        actor=manager,
    )
    admit(kept, date(year, 10, 10))
    admit(gone, date(year, 11, 11))
    delete_patient(session, gone, PatientDelete(reason="enregistré par erreur"), actor=manager)
    return {"Kadidia", "Nana", "Parleservice", "Diabaly", str(kept), str(gone)}


# --- the independent recount -----------------------------------------------------------------


def rows(session: Session, sql: str) -> list[tuple[object, ...]]:
    with session.begin():
        return [tuple(r) for r in session.execute(text(sql))]


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def recount(session: Session, country_path: str, year: int) -> dict[str, tuple[int, list[int]]]:
    """(total, months) of each of my indicators, from the raw rows."""

    def keep(path: object, deleted: object, day: object) -> bool:
        return str(path).startswith(country_path) and deleted is None and as_date(day).year == year

    def tally(
        records: list[tuple[object, ...]], weight: Callable[[tuple[object, ...]], int]
    ) -> tuple[int, list[int]]:
        months: Counter[int] = Counter()
        for r in records:
            months[as_date(r[2]).month] += weight(r)
        return sum(months.values()), [months[m] for m in range(1, 13)]

    def distinct(records: list[tuple[object, ...]], column: int) -> tuple[int, list[int]]:
        by_month: dict[int, set[object]] = {m: set() for m in range(1, 13)}
        for r in records:
            if r[column] is not None:
                by_month[as_date(r[2]).month].add(r[column])
        every = {r[column] for r in records if r[column] is not None}
        return len(every), [len(by_month[m]) for m in range(1, 13)]

    def select(sql: str) -> list[tuple[object, ...]]:
        return [r for r in rows(session, sql) if keep(r[0], r[1], r[2])]

    trainings = select(
        "SELECT p.path, t.deleted_at, t.held_on, t.mothers_trained FROM community_training t "
        "JOIN core_place p ON p.id = t.place_id"
    )
    consultations = select(
        "SELECT p.path, c.deleted_at, c.consulted_on FROM care_consultation c "
        "JOIN core_place p ON p.id = c.place_id"
    )
    deliveries = select(
        "SELECT p.path, d.deleted_at, d.delivered_on FROM care_delivery d "
        "JOIN core_place p ON p.id = d.place_id"
    )
    surgeries = [
        r
        for r in select(
            "SELECT p.path, s.deleted_at, s.operated_on, s.emergency FROM care_surgery s "
            "JOIN core_place p ON p.id = s.place_id"
        )
        if bool(r[3])
    ]
    sessions = [
        r
        for r in select(
            "SELECT p.path, m.deleted_at, m.held_on, m.people_reached, p.kind, m.place_id, "
            "m.mobile_clinic_id FROM care_mobile_session m JOIN core_place p ON p.id = m.place_id"
        )
        if r[4] == "displacement_site"
    ]
    # A deleted child's episodes count nowhere, as if the episode itself were deleted.
    episodes = select(
        "SELECT p.path, COALESCE(e.deleted_at, c.deleted_at), e.admitted_on "
        "FROM nutrition_episode e JOIN core_place p ON p.id = e.place_id "
        "JOIN core_patient c ON c.id = e.patient_id"
    )
    participants: list[tuple[object, ...]] = [
        (r[0], None, r[2], (str(r[3]), r[4]))
        for r in select(
            "SELECT p.path, NULL, t.ended_on, tp.search_name, tp.organisation_id "
            "FROM alliance_training_participant tp "
            "JOIN alliance_training t ON t.id = tp.training_id JOIN core_place p ON p.id = t.place_id"
        )
    ]
    return {
        "NUT-CHILDREN-TREATED": tally(episodes, lambda _r: 1),
        "TOGETHER-HEALTH-WORKERS-TRAINED": distinct(participants, 3),
        "TREAT-MOTHERS-TRAINED": tally(trainings, lambda r: int(str(r[3]))),
        "TREAT-CONSULTATIONS": tally(consultations, lambda _r: 1),
        "TREAT-DELIVERIES": tally(deliveries, lambda _r: 1),
        "TREAT-EMERGENCY-SURGERIES": tally(surgeries, lambda _r: 1),
        "TREAT-DISPLACED-REACHED": tally(sessions, lambda r: int(str(r[3]))),
        "TREAT-DISPLACEMENT-SITES": distinct(sessions, 5),
        "TREAT-MOBILE-CLINICS": distinct(sessions, 6),
    }


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_every_figure_equals_a_recount_and_no_patient_shows(
    client: TestClient, session: Session, world: World, locale: str
) -> None:
    year = default_year()
    data = build(session, world, year)
    expected = recount(session, data.country.path, year)
    assert expected["TREAT-CONSULTATIONS"][0] > 12  # the fixture is not trivial
    assert expected["TREAT-MOTHERS-TRAINED"][0] == 30 + 41 + 29 + 17
    client.cookies.set("alima_locale", locale)
    response = client.get(f"/impact/{data.country.code}")
    assert response.status_code == 200
    page = HTMLParser(response.text)
    shown = {
        str(node.attributes.get("id")).removeprefix("activity-"): node
        for node in page.css("#activity li")
    }
    assert set(shown) == {i.code for i in load_indicators() if i.public}
    for code, (total, months) in expected.items():
        figure = shown[code].css_first(".figure")
        assert figure is not None
        assert number(figure.text()) == total, code
        cells = page.css(f"#monthly-{code} td")
        assert [number(c.text()) for c in cells[:12]] == months, code
        assert number(cells[12].text()) == total, code
    bars = {
        str(node.attributes.get("id")).removeprefix("chart-"): [
            number(t.text().split(":")[-1]) for t in node.css("rect title")
        ]
        for node in page.css("#chart g.chart-row")
    }
    not_charted = {
        "TREAT-DISPLACEMENT-SITES",
        "TREAT-MOBILE-CLINICS",
        "TOGETHER-HEALTH-WORKERS-TRAINED",
    }
    for code in MINE - not_charted:
        assert bars[code] == expected[code][1], code
    figures = [
        r[:4]
        for r in rows(
            session,
            "SELECT f.kind, f.value, f.source, f.year, p.code FROM indicators_context_figure f "
            "JOIN core_place p ON p.id = f.place_id",
        )
        if r[4] == data.country.code
    ]
    assert len(figures) == 4
    latest: dict[object, tuple[object, object, int]] = {}
    for kind, value, source, raw_year in figures:
        figure_year = int(str(raw_year))
        if figure_year <= year and (kind not in latest or figure_year > latest[kind][2]):
            latest[kind] = (value, source, figure_year)
    for kind, (value, source, figure_year) in latest.items():
        item = page.css_first(f"#context-{kind}")
        assert item is not None
        assert number(item.css_first(".figure").text()) == value  # type: ignore[union-attr]
        assert str(source) in item.text() and str(figure_year) in item.text()
    body = response.text
    leaked = sorted(s for s in data.secrets if s in body)
    assert leaked == []
    api = client.get(f"/api/v1/impact/{data.country.code}", params={"year": year})
    assert api.status_code == 200
    by_code = {a["code"]: a for a in api.json()["activity"]}
    for code, (total, months) in expected.items():
        assert (by_code[code]["value"], by_code[code]["monthly"]) == (total, months)
    assert sorted(s for s in data.secrets if s in api.text) == []


def test_another_year_and_the_year_bounds(
    client: TestClient, session: Session, world: World
) -> None:
    year = default_year()
    data = build(session, world, year)
    earlier = recount(session, data.country.path, year - 1)
    response = client.get(f"/api/v1/impact/{data.country.code}", params={"year": year - 1})
    by_code = {a["code"]: a["value"] for a in response.json()["activity"]}
    assert {code: by_code[code] for code in MINE} == {c: v[0] for c, v in earlier.items()}
    assert by_code["TREAT-MOTHERS-TRAINED"] == 88
    assert client.get(f"/impact/{data.country.code}?year={today().year + 1}").status_code == 422
    assert client.get(f"/impact/{data.country.code}?year=1800").status_code == 422
