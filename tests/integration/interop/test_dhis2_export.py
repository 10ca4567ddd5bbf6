"""A month of the demo country as DHIS2 receives it equals the monthly report's figures.

The expected values are read from the report service (one report per organisation unit) and
the indicator registry, field by field, not from the export's own table of figures. The ADX
message is read back with an XML parser. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.errors import NotFound, RuleViolation
from alima.indicators.registry import get as indicator
from alima.interop.dhis2 import service
from alima.interop.dhis2.demo import demo_mapping
from alima.interop.dhis2.schemas import MappingFile, OrgUnitMap
from alima.nutrition.rules.report import month_bounds
from alima.nutrition.schemas import MonthlyReport
from alima.nutrition.service import monthly_report
from tests.integration.interop.conftest import last_month

ADX = "{urn:ihe:qrph:adx:2015}"

#: What each figure is in the monthly report, written here independently of ``figures.py``.
FROM_REPORT: dict[str, Callable[[MonthlyReport, str], int]] = {
    "CMAM-AT-START": lambda r, _o: r.at_start,
    "CMAM-NEW-ADMISSIONS": lambda r, o: r.admissions_by_criterion[o] if o else r.new_admissions,
    "CMAM-RELAPSES": lambda r, _o: r.relapses,
    "CMAM-TRANSFERS-IN": lambda r, _o: r.transfers_in,
    "CMAM-ADMISSIONS": lambda r, _o: r.total_admissions,
    "CMAM-EXITS": lambda r, o: r.exits_by_outcome[o] if o else r.total_exits,
    "CMAM-AT-END": lambda r, _o: r.at_end,
    "CMAM-RUTF-SACHETS-GIVEN": lambda r, _o: r.rutf_sachets_given,
}


def test_data_value_set_and_adx_equal_the_monthly_report(
    session: Session, demo_admin: Actor
) -> None:
    month = last_month()
    start, _end = month_bounds(month)
    export = service.build_export(session, month=month, actor=demo_admin)
    assert export.country_code == "ML"
    document = export.document
    assert document["period"] == f"{start:%Y%m}"
    assert len(document["dataValues"]) == len(export.values)

    reports = {
        code: monthly_report(session, month=month, place_code=code, actor=demo_admin)
        for code in {v.place_code for v in export.values}
    }
    expected: dict[tuple[str, str, str], int] = {}
    for v in export.values:
        if v.figure in FROM_REPORT:
            expected[(v.place_code, v.figure, v.option)] = FROM_REPORT[v.figure](
                reports[v.place_code], v.option
            )
    assert {v.figure for v in export.values} >= set(FROM_REPORT)
    sent = {
        (x["orgUnit"], x["dataElement"], x["categoryOptionCombo"]): int(x["value"])
        for x in document["dataValues"]
    }
    for v in export.values:
        key = (v.place_code, v.figure, v.option)
        if key in expected:
            assert v.value == expected[key], key
        assert sent[(v.org_unit, v.data_element, v.category_option_combo)] == v.value
    assert sum(v.value for v in export.values if v.figure == "CMAM-ADMISSIONS") == sum(
        r.total_admissions for r in reports.values()
    )
    assert sum(r.total_admissions for r in reports.values()) > 0  # a month with activity

    xml = service.render(export, "adx", exported=datetime(2026, 11, 1, tzinfo=UTC))
    root = ET.fromstring(xml)  # noqa: S314 - our own message
    assert root.tag == f"{ADX}adx"
    assert root.get("exported") == "2026-11-01T00:00:00Z"
    read: dict[tuple[str, str, str], int] = {}
    for group in root.findall(f"{ADX}group"):
        assert group.get("period") == f"{start:%Y-%m}-01/P1M"
        assert group.get("dataSet") == export.data_set
        for value in group.findall(f"{ADX}dataValue"):
            read[
                (
                    group.get("orgUnit", ""),
                    value.get("dataElement", ""),
                    value.get("categoryOptionCombo", ""),
                )
            ] = int(value.get("value", "-1"))
    assert read == sent


def test_indicators_sent_are_the_registry_counts(session: Session, demo_admin: Actor) -> None:
    month = last_month()
    start, end = month_bounds(month)
    export = service.build_export(session, month=month, actor=demo_admin)
    treated = [v for v in export.values if v.figure == "NUT-CHILDREN-TREATED"]
    assert treated
    with session.begin():
        from alima.core.repository import find_place_by_code

        for v in treated:
            place = find_place_by_code(session, v.place_code)
            assert place is not None
            count = indicator("NUT-CHILDREN-TREATED").count(
                session, paths=(place.path,), start=start, end=end
            )
            assert v.value == count
    # Children treated are the report's admissions (docs/clinical-rules.md §4): same figure.
    admissions = {v.place_code: v.value for v in export.values if v.figure == "CMAM-ADMISSIONS"}
    assert {v.place_code: v.value for v in treated} == admissions


def test_mapping_export_import_round_trip_and_refusals(session: Session, demo_admin: Actor) -> None:
    saved = service.export_mapping(session, "ML", actor=demo_admin)
    assert saved.org_units and saved.data_elements
    again = service.import_mapping(session, saved, actor=demo_admin)
    assert again == saved

    overlapping = saved.model_copy(
        update={
            "org_units": [*saved.org_units, OrgUnitMap(place="ML-SEG-NIO", org_unit="aB3dE5gH7jK")]
        }
    )
    with pytest.raises(RuleViolation) as refused:
        service.import_mapping(session, overlapping, actor=demo_admin)
    assert "ML-SEG-NIO" in refused.value.message

    unknown = MappingFile.model_validate(
        saved.model_dump()
        | {
            "data_elements": [
                {
                    "figure": "CMAM-NOTHING",
                    "option": "",
                    "data_element": "aB3dE5gH7jK",
                    "category_option_combo": "HllvX50cXC0",
                }
            ]
        }
    )
    with pytest.raises(RuleViolation):
        service.import_mapping(session, unknown, actor=demo_admin)
    assert service.export_mapping(session, "ML", actor=demo_admin) == saved

    smaller = demo_mapping(["ML-SEG-NIO-CSREF"])
    service.import_mapping(session, smaller, actor=demo_admin)
    assert service.export_mapping(session, "ML", actor=demo_admin).org_units == smaller.org_units


def test_a_mapping_outside_ones_scope_is_absent(session: Session, demo_admin: Actor) -> None:
    from alima.core.access import Grant
    from alima.core.enums import Role

    district = Actor(
        id=demo_admin.id,
        username="x",
        full_name="x",
        grants=(Grant(Role.DATA_MANAGER, demo_admin.grants[0].paths),),
    )
    with pytest.raises(NotFound):
        service.export_mapping(session, "ML", actor=district)


def test_a_month_not_begun_is_refused(session: Session, demo_admin: Actor) -> None:
    from datetime import timedelta

    from alima.core.time import today

    following = (today().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    with pytest.raises(RuleViolation) as refused:
        service.build_export(session, month=following, actor=demo_admin)
    assert following in refused.value.message
    assert service.build_export(session, month=f"{today():%Y-%m}", actor=demo_admin).values
