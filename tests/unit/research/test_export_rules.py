"""The export's pure rules: research ids, withdrawal, coded arms, CSV and ODM 1.3.2 files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from alima.research.rules import export as rules
from tests.unit.research.odm_schema import odm_errors

DAY0 = date(2026, 3, 2)
ARMS = [rules.Arm("optima", "OptiMA"), rules.Arm("standard", "Standard")]
INFO = rules.StudyInfo("OPTIMA-ML", "OptiMA au Mali", "NCT01", ARMS)
NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def child(
    *, withdrawn_on: date | None = None, use: str | None = None, visits: int = 4
) -> rules.ChildData:
    return rules.ChildData(
        research_id="ABCDEF012345",
        included_on=DAY0,
        inclusion={"site": "CS-1", "stratum": "CS-1|lt115", "age_months": 13.2, "sex": "F"},
        visits=[
            rules.VisitData(DAY0 + timedelta(days=7 * i), i == 0, {"weight_kg": 6.0 + i / 10})
            for i in range(visits)
        ],
        withdrawn_on=withdrawn_on,
        withdrawal_use=use,
        outcome="cured",
        outcome_on=DAY0 + timedelta(days=7 * (visits - 1)),
    )


def test_the_research_id_is_keyed_per_study_and_never_the_input() -> None:
    first = rules.research_id("secret", "study-1", "patient-1")
    assert first == rules.research_id("secret", "study-1", "patient-1")
    assert len(first) == rules.RESEARCH_ID_LENGTH
    assert first != rules.research_id("secret", "study-2", "patient-1")
    assert first != rules.research_id("other-secret", "study-1", "patient-1")
    assert "patient" not in first.lower()


def test_a_child_not_withdrawn_is_exported_whole_with_study_days() -> None:
    subject = rules.subject_of(child(), ARMS[0])
    assert subject is not None
    assert [v["day"] for v in subject.visits] == [0, 7, 14, 21]
    assert subject.values["outcome"] == "cured" and subject.values["outcome_day"] == 21
    assert subject.values["withdrawn"] == "N" and subject.values["arm"] == "optima"


def test_withdrawal_collected_keeps_up_to_its_day_and_none_keeps_nothing() -> None:
    stopped = rules.subject_of(
        child(withdrawn_on=DAY0 + timedelta(days=7), use="collected"), ARMS[1]
    )
    assert stopped is not None
    assert [v["day"] for v in stopped.visits] == [0, 7]  # the withdrawal day is included
    assert stopped.values["outcome"] is None and stopped.values["outcome_day"] is None
    assert stopped.values["withdrawal_day"] == 7
    assert rules.subject_of(child(withdrawn_on=DAY0, use="none"), ARMS[1]) is None
    assert rules.usable_until(None, None) is None
    assert rules.usable_until(DAY0, "collected") == DAY0
    assert rules.usable_until(DAY0, "none") is False


def test_coded_arms_depend_on_the_key_not_on_the_set_up() -> None:
    codes = ["optima", "standard"]
    mappings = [rules.coded_arms(f"key-{i}", "S", codes) for i in range(20)]
    assert all({a.code for a in m.values()} == {"X1", "X2"} for m in mappings)
    assert all(m["optima"].code != m["standard"].code for m in mappings)
    # Some keys code optima X1, others X2: the set-up's order tells nothing.
    assert {m["optima"].code for m in mappings} == {"X1", "X2"}


def test_the_csv_files_and_their_dictionary() -> None:
    subjects = [s for s in [rules.subject_of(child(), ARMS[0])] if s]
    rows = list(csv.DictReader(io.StringIO(rules.subjects_csv(subjects).decode())))
    assert rows[0]["research_id"] == "ABCDEF012345" and rows[0]["age_months"] == "13.2"
    visits = list(csv.DictReader(io.StringIO(rules.visits_csv(subjects).decode())))
    assert [v["weight_kg"] for v in visits] == ["6", "6.1", "6.2", "6.3"]
    dictionary = list(csv.DictReader(io.StringIO(rules.dictionary_csv(ARMS).decode())))
    names = [(d["file"], d["name"]) for d in dictionary]
    expected = [("subjects.csv", v.name) for v in rules.SUBJECT_VARIABLES]
    assert names == expected + [("visits.csv", v.name) for v in rules.VISIT_VARIABLES]
    arm = next(d for d in dictionary if d["name"] == "arm")
    assert arm["codes_en"] == "optima=OptiMA | standard=Standard"
    sex = next(d for d in dictionary if d["name"] == "sex")
    assert sex["codes_fr"] != sex["codes_en"]  # French labels from the catalogs
    assert next(d for d in dictionary if d["name"] == "muac_mm")["unit"] == "mm"


def test_the_odm_document_is_valid_and_a_broken_one_is_not() -> None:
    subjects = [rules.subject_of(child(), ARMS[0]), rules.subject_of(child(visits=1), ARMS[1])]
    document = rules.odm_bytes(INFO, [s for s in subjects if s], created_at=NOW)
    assert odm_errors(document) == []
    assert b'ItemGroupRepeatKey="4"' in document and b'SubjectKey="ABCDEF012345"' in document
    # The validator refuses what the schema forbids: a missing required attribute, an element
    # out of order, an unknown data type.
    for broken in (
        document.replace(b' FileOID="', b' Other="', 1),
        document.replace(b'DataType="float"', b'DataType="decimal"', 1),
        document.replace(b"<GlobalVariables>", b"<GlobalVariables><Nonsense/>", 1),
        document.replace(b'Repeating="Yes"', b'Repeating="Often"', 1),
    ):
        assert broken != document
        assert odm_errors(broken) != []


values = st.one_of(st.none(), st.floats(-10, 200, allow_nan=False), st.integers(0, 300))


@settings(max_examples=40, deadline=None)
@given(
    visits=st.lists(st.tuples(st.integers(0, 120), values, values), max_size=12),
    withdrawn=st.one_of(st.none(), st.integers(0, 120)),
    use=st.sampled_from(["collected", "none"]),
)
def test_any_export_is_valid_odm_and_keeps_nothing_after_a_withdrawal(
    visits: list[tuple[int, float | int | None, float | int | None]],
    withdrawn: int | None,
    use: str,
) -> None:
    data = rules.ChildData(
        research_id="0123456789AB",
        included_on=DAY0,
        inclusion={"site": "CS", "sex": "M"},
        visits=[
            rules.VisitData(DAY0 + timedelta(days=d), d == 0, {"weight_kg": w, "whz": z})
            for d, w, z in sorted(visits, key=lambda v: v[0])
        ],
        withdrawn_on=None if withdrawn is None else DAY0 + timedelta(days=withdrawn),
        withdrawal_use=None if withdrawn is None else use,
    )
    subject = rules.subject_of(data, ARMS[0])
    if withdrawn is not None and use == "none":
        assert subject is None
        return
    assert subject is not None
    days = [v["day"] for v in subject.visits]
    assert days == sorted(d for d, _w, _z in visits if withdrawn is None or d <= withdrawn)
    assert odm_errors(rules.odm_bytes(INFO, [subject], created_at=NOW)) == []
