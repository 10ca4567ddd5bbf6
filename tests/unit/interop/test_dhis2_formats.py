"""DHIS2's documents and answers: the shapes its documentation gives, the periods, the uids.

The examples below copy the structure of DHIS2's own documentation (Web API, "Data values":
a ``dataValueSets`` JSON set, an ADX message, an import summary) so that what alima writes is
checked against what DHIS2 reads, key by key.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

import pytest

from alima.interop.dhis2.formats import (
    ADX_NAMESPACE,
    DataValue,
    adx_message,
    canonical_json,
    data_value_set,
    payload_hash,
)
from alima.interop.dhis2.rules import adx_period, data_value_set_period, is_uid, overlapping
from alima.interop.dhis2.summary import UNREADABLE, parse_import_summary

#: DHIS2's documented data value set (JSON), structure copied from its documentation.
DOCUMENTED_SET = json.loads("""
{
  "dataSet": "dataSetUID", "completeDate": "2024-07-05", "period": "202406",
  "orgUnit": "orgUnitUID", "attributeOptionCombo": "aocUID",
  "dataValues": [
    { "dataElement": "deUID", "categoryOptionCombo": "cocUID", "value": "12", "comment": "c" },
    { "dataElement": "deUID2", "period": "202406", "orgUnit": "ouUID2", "value": "3" }
  ]
}
""")
#: DHIS2's documented ADX message, structure copied from its documentation.
DOCUMENTED_ADX = """
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2024-07-05T10:00:00Z">
  <group orgUnit="ML_KAYES_CSREF" period="2024-06-01/P1M" dataSet="CMAM_MONTHLY" completeDate="2024-07-05">
    <dataValue dataElement="CMAM_ADMISSIONS" SEX="F" AGE_GRP="6_23M" value="34"/>
  </group>
</adx>
"""

VALUES = [
    DataValue("deADMIT0001", "HllvX50cXC0", "ouSITE00001", 34),
    DataValue("deEXITS0001", "cocCURED001", "ouSITE00001", 12),
    DataValue("deADMIT0001", "HllvX50cXC0", "ouSITE00002", 0),
]


def _set_keys(document: dict[str, object]) -> set[str]:
    return set(document)


def test_data_value_set_has_the_documented_keys_and_period() -> None:
    document = data_value_set(
        VALUES, data_set="dsCMAM00001", start=date(2024, 6, 1), attribute_option_combo="HllvX50cXC0"
    )
    assert _set_keys(document) <= _set_keys(DOCUMENTED_SET)
    assert {"dataSet", "period", "attributeOptionCombo", "dataValues"} <= set(document)
    documented_value_keys = set().union(*(set(v) for v in DOCUMENTED_SET["dataValues"]))
    for value in document["dataValues"]:
        assert set(value) <= documented_value_keys
        assert {"dataElement", "categoryOptionCombo", "orgUnit", "period", "value"} <= set(value)
        assert isinstance(value["value"], str)  # DHIS2 writes values as strings
        assert value["period"] == "202406"
    assert document["period"] == DOCUMENTED_SET["period"] == "202406"
    assert [v["orgUnit"] for v in document["dataValues"]] == [
        "ouSITE00001",
        "ouSITE00001",
        "ouSITE00002",
    ]


def test_adx_has_the_documented_structure_and_parses() -> None:
    documented = ET.fromstring(DOCUMENTED_ADX)  # noqa: S314 - a constant
    xml = adx_message(
        VALUES,
        data_set="dsCMAM00001",
        start=date(2024, 6, 1),
        attribute_option_combo="HllvX50cXC0",
        exported=datetime(2024, 7, 5, 10, tzinfo=UTC),
    )
    assert xml.startswith(b"<?xml")
    ours = ET.fromstring(xml)  # noqa: S314 - our own message
    assert ours.tag == documented.tag == f"{{{ADX_NAMESPACE}}}adx"
    assert ours.get("exported") == documented.get("exported") == "2024-07-05T10:00:00Z"
    groups = ours.findall(f"{{{ADX_NAMESPACE}}}group")
    assert [g.get("orgUnit") for g in groups] == ["ouSITE00001", "ouSITE00002"]
    required = {"orgUnit", "period", "dataSet"}  # the group element requires these
    documented_group = documented.find(f"{{{ADX_NAMESPACE}}}group")
    assert documented_group is not None
    assert required <= set(documented_group.attrib)
    for group in groups:
        assert required <= set(group.attrib)
        assert group.get("period") == documented_group.get("period") == "2024-06-01/P1M"
        for value in group:
            assert value.tag == f"{{{ADX_NAMESPACE}}}dataValue"
            assert {"dataElement", "value"} <= set(value.attrib)
    first = groups[0].findall(f"{{{ADX_NAMESPACE}}}dataValue")
    assert [
        (v.get("dataElement"), v.get("categoryOptionCombo"), v.get("value")) for v in first
    ] == [
        ("deADMIT0001", "HllvX50cXC0", "34"),
        ("deEXITS0001", "cocCURED001", "12"),
    ]


@pytest.mark.parametrize(
    ("start", "dvs", "adx"),
    [
        (date(2024, 6, 1), "202406", "2024-06-01/P1M"),
        (date(2026, 1, 1), "202601", "2026-01-01/P1M"),
        (date(2025, 12, 1), "202512", "2025-12-01/P1M"),
    ],
)
def test_periods(start: date, dvs: str, adx: str) -> None:
    assert data_value_set_period(start) == dvs
    assert adx_period(start) == adx


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("HllvX50cXC0", True),
        ("a1234567890", True),
        ("1llvX50cXC0", False),  # starts with a digit
        ("HllvX50cXC", False),  # 10 characters
        ("HllvX50cXC01", False),  # 12 characters
        ("Hllv-50cXC0", False),
        ("", False),
    ],
)
def test_uids(text: str, valid: bool) -> None:
    assert is_uid(text) is valid


def test_overlapping_places() -> None:
    paths = {"D": "/c/d/", "F": "/c/d/f/", "G": "/c/g/", "H": "/c/g/h/x/", "K": "/c/k/"}
    assert overlapping(paths) == [("D", "F"), ("G", "H")]
    assert overlapping({"F": "/c/d/f/", "K": "/c/k/"}) == []
    # A prefix of the code is not a prefix of the path.
    assert overlapping({"A": "/c/a/", "AB": "/c/ab/"}) == []


def test_hash_is_of_the_document_as_sent() -> None:
    one = data_value_set(
        VALUES, data_set="dsCMAM00001", start=date(2024, 6, 1), attribute_option_combo="HllvX50cXC0"
    )
    two = json.loads(canonical_json(one))
    assert payload_hash(one) == payload_hash(two)
    two["dataValues"][0]["value"] = "35"
    assert payload_hash(one) != payload_hash(two)


#: An import summary as DHIS2 2.38+ answers it (a web message around the summary).
WRAPPED = {
    "httpStatus": "Conflict",
    "httpStatusCode": 409,
    "status": "WARNING",
    "message": "One more conflicts encountered, please check import summary.",
    "response": {
        "responseType": "ImportSummary",
        "status": "WARNING",
        "importCount": {"imported": 2, "updated": 1, "ignored": 1, "deleted": 0},
        "conflicts": [
            {
                "object": "deUNKNOWN01",
                "objects": {"dataElement": "deUNKNOWN01"},
                "value": "Data element not found or not accessible: `deUNKNOWN01`",
                "errorCode": "E7610",
                "property": "dataElement",
                "indexes": [3],
            }
        ],
        "dataSetComplete": "false",
    },
}
#: The bare import summary of earlier versions (object and value only).
BARE = {
    "responseType": "ImportSummary",
    "status": "SUCCESS",
    "description": "Import process completed successfully",
    "importCount": {"imported": 0, "updated": 3, "ignored": 1, "deleted": 0},
    "conflicts": [{"object": "ouUNKNOWN01", "value": "Org unit not found or not accessible"}],
    "dataSetComplete": "false",
}


def test_import_summaries_wrapped_and_bare() -> None:
    wrapped = parse_import_summary(WRAPPED)
    assert (
        wrapped.status,
        wrapped.imported,
        wrapped.updated,
        wrapped.ignored,
        wrapped.deleted,
    ) == (
        "WARNING",
        2,
        1,
        1,
        0,
    )
    (conflict,) = wrapped.conflicts
    assert (conflict.object, conflict.error_code, conflict.property, conflict.indexes) == (
        "deUNKNOWN01",
        "E7610",
        "dataElement",
        (3,),
    )
    bare = parse_import_summary(BARE)
    assert (bare.status, bare.updated, bare.ignored) == ("SUCCESS", 3, 1)
    assert bare.conflicts[0].object == "ouUNKNOWN01"
    assert bare.conflicts[0].indexes == ()


@pytest.mark.parametrize(
    "body",
    [None, "<html>proxy</html>", [], {"httpStatus": "Unauthorized", "httpStatusCode": 401}],
)
def test_anything_else_is_unreadable(body: object) -> None:
    assert parse_import_summary(body).status == UNREADABLE
