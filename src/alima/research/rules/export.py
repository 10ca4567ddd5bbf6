"""What a study's export for analysis holds, and its files (pure: plain values in, bytes out).

An export is pseudonymised: each child appears under a research id derived with the
deployment's secret (HMAC over the study and the child, ``research_id``), never a name, an
identifier, a phone, a village, a birth date or any text typed in the field. Dates leave as
study days: day 0 is the admission at which the child was screened and then randomised (its
measurements are the inclusion data), so no calendar date goes out.

A withdrawal decides what stays (``usable_until``): ``collected`` keeps what was recorded up to
the withdrawal day and nothing after; ``none`` removes the child from the export (the CONSORT
counts still count them).

The files: ``subjects.csv`` (one row per child), ``visits.csv`` (one row per routine-care
visit of the child's episode), ``dictionary.csv`` (every variable: name, French and English
labels, type, unit, codes), and the same data as one CDISC ODM 1.3.2 document (``odm``).
"""

from __future__ import annotations

import csv
import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from alima.core.i18n import N_, translations
from alima.core.security import pseudonym

#: ODM 1.3 namespace (the 1.3.2 schema keeps the 1.3 namespace).
ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: Length of a research id (hexadecimal characters of the HMAC).
RESEARCH_ID_LENGTH = 12

Codes = tuple[tuple[str, str], ...]

SEX: Codes = (("F", N_("Girl")), ("M", N_("Boy")))
YES_NO: Codes = (("Y", N_("yes")), ("N", N_("no")))
OEDEMA: Codes = (
    ("none", N_("No oedema")),
    ("plus1", N_("Oedema +")),
    ("plus2", N_("Oedema ++")),
    ("plus3", N_("Oedema +++")),
)
WITHDRAWAL_USE: Codes = (
    ("collected", N_("Data collected until the withdrawal may be used")),
    ("none", N_("No data may be used")),
)
OUTCOMES: Codes = (
    ("cured", N_("Cured")),
    ("died", N_("Died")),
    ("defaulted", N_("Defaulted")),
    ("non_responder", N_("Non-responder")),
    ("medical_transfer", N_("Medical transfer")),
    ("transfer_out", N_("Transferred out")),
)
PRODUCTS: Codes = (("rutf", N_("RUTF")), ("rusf", N_("RUSF")))
BANDS: Codes = (
    ("severe", N_("Severe")),
    ("moderate", N_("Moderate")),
    ("moderate_low", N_("Moderate, low MUAC")),
    ("moderate_high", N_("Moderate, high MUAC")),
    ("normal", N_("Normal")),
)


@dataclass(frozen=True)
class Variable:
    """One column of the export and one item of the ODM document."""

    name: str
    label: str  # English source, translated with the catalogs
    type: str  # ODM data type: text, integer, float
    unit: str = ""
    codes: Codes = ()
    codelist: str = ""  # the code list's name when ``codes`` are given


#: One row per child (the inclusion form of the ODM document).
SUBJECT_VARIABLES: tuple[Variable, ...] = (
    Variable("research_id", N_("Research id (derived, not reversible without the key)"), "text"),
    Variable("site", N_("Recruiting site (code)"), "text"),
    Variable("stratum", N_("Randomisation stratum"), "text"),
    Variable("arm", N_("Arm (coded in a blinded study until it closes)"), "text", codelist="ARM"),
    Variable("age_months", N_("Age at inclusion"), "float", "months"),
    Variable("sex", N_("Sex"), "text", codes=SEX, codelist="SEX"),
    Variable("weight_kg", N_("Weight at admission"), "float", "kg"),
    Variable("height_cm", N_("Length or height at admission"), "float", "cm"),
    Variable("muac_mm", N_("MUAC at admission"), "integer", "mm"),
    Variable("whz", N_("Weight-for-height z-score at admission"), "float"),
    Variable("oedema", N_("Oedema at admission"), "text", codes=OEDEMA, codelist="OEDEMA"),
    Variable("withdrawn", N_("Consent withdrawn"), "text", codes=YES_NO, codelist="YES_NO"),
    Variable("withdrawal_day", N_("Study day of the withdrawal"), "integer", "days"),
    Variable(
        "withdrawal_use",
        N_("What the study may use after a withdrawal"),
        "text",
        codes=WITHDRAWAL_USE,
        codelist="WITHDRAWAL_USE",
    ),
    Variable("outcome", N_("Episode outcome"), "text", codes=OUTCOMES, codelist="OUTCOME"),
    Variable("outcome_day", N_("Study day of the outcome"), "integer", "days"),
)
#: One row per routine-care visit of the child's episode (a repeating group in ODM).
VISIT_VARIABLES: tuple[Variable, ...] = (
    Variable("research_id", N_("Research id (derived, not reversible without the key)"), "text"),
    Variable("visit", N_("Visit number"), "integer"),
    Variable("day", N_("Study day (0: the admission that included the child)"), "integer", "days"),
    Variable("admission", N_("Admission visit"), "text", codes=YES_NO, codelist="YES_NO"),
    Variable("weight_kg", N_("Weight"), "float", "kg"),
    Variable("height_cm", N_("Length or height"), "float", "cm"),
    Variable("muac_mm", N_("MUAC"), "integer", "mm"),
    Variable("oedema", N_("Oedema"), "text", codes=OEDEMA, codelist="OEDEMA"),
    Variable("whz", N_("Weight-for-height z-score"), "float"),
    Variable("waz", N_("Weight-for-age z-score"), "float"),
    Variable("haz", N_("Length/height-for-age z-score"), "float"),
    Variable("band", N_("Dose band"), "text", codes=BANDS, codelist="BAND"),
    Variable("product", N_("Product given"), "text", codes=PRODUCTS, codelist="PRODUCT"),
    Variable("sachets_per_day", N_("Daily ration"), "float", "sachets/day"),
    Variable("ration_days", N_("Days covered by the ration"), "integer", "days"),
    Variable("sachets_given", N_("Sachets given"), "integer", "sachets"),
)

Value = str | int | float | None


@dataclass(frozen=True)
class Arm:
    """An arm as the export names it: its code and label, or a code hiding it."""

    code: str
    label: str


@dataclass(frozen=True)
class VisitData:
    """One routine-care visit as recorded (real date; turned into a study day here)."""

    on: date
    admission: bool
    values: dict[str, Value]


@dataclass(frozen=True)
class ChildData:
    """An included child as recorded: inclusion, visits, withdrawal and outcome."""

    research_id: str
    included_on: date  # day 0: the admission that screened the child
    inclusion: dict[str, Value]
    visits: Sequence[VisitData] = ()
    withdrawn_on: date | None = None
    withdrawal_use: str | None = None
    outcome: str | None = None
    outcome_on: date | None = None


@dataclass(frozen=True)
class Subject:
    """A child as exported: subject-level values and visit rows, study days only."""

    research_id: str
    values: dict[str, Value]
    visits: list[dict[str, Value]] = field(default_factory=list)


def research_id(secret: str, study_id: object, patient_id: object) -> str:
    """A child's research id in one study: the same in every export, another in another study."""
    return pseudonym(secret, f"research|{study_id}|{patient_id}", RESEARCH_ID_LENGTH)


def coded_arms(secret: str, study_code: str, arm_codes: Iterable[str]) -> dict[str, Arm]:
    """Arm codes hidden behind ``X1``, ``X2``...: their order follows a keyed hash, not the set-up."""
    ordered = sorted(arm_codes, key=lambda c: pseudonym(secret, f"arm|{study_code}|{c}", 64))
    return {c: Arm(f"X{i}", f"X{i}") for i, c in enumerate(ordered, start=1)}


def usable_until(withdrawn_on: date | None, use: str | None) -> date | bool | None:
    """Up to which day a child's data may enter the export.

    ``None``: no limit (not withdrawn); a date: the withdrawal day, included; ``False``: none.
    """
    if withdrawn_on is None:
        return None
    return withdrawn_on if use == "collected" else False


def subject_of(child: ChildData, arm: Arm) -> Subject | None:
    """What of an included child leaves in the export (``None``: nothing, consent withdrawn)."""
    limit = usable_until(child.withdrawn_on, child.withdrawal_use)
    if limit is False:
        return None

    def kept(on: date | None) -> bool:
        return on is not None and (limit is None or (isinstance(limit, date) and on <= limit))

    def day(on: date | None) -> int | None:
        return None if on is None else (on - child.included_on).days

    outcome = child.outcome if kept(child.outcome_on) else None
    values: dict[str, Value] = {
        "research_id": child.research_id,
        **child.inclusion,
        "arm": arm.code,
        "withdrawn": "Y" if child.withdrawn_on is not None else "N",
        "withdrawal_day": day(child.withdrawn_on),
        "withdrawal_use": child.withdrawal_use,
        "outcome": outcome,
        "outcome_day": day(child.outcome_on) if outcome else None,
    }
    visits = [
        {
            "research_id": child.research_id,
            "visit": number,
            "day": day(v.on),
            "admission": "Y" if v.admission else "N",
            **v.values,
        }
        for number, v in enumerate((v for v in child.visits if kept(v.on)), start=1)
    ]
    return Subject(child.research_id, values, visits)


# --- CSV ---------------------------------------------------------------------------------------


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def csv_bytes(rows: Iterable[Sequence[Value]]) -> bytes:
    """Rows as a CSV file for statistical tools: UTF-8, commas, decimal points."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([_text(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def subjects_csv(subjects: Sequence[Subject]) -> bytes:
    """``subjects.csv``: a header, then one row per child."""
    names = [v.name for v in SUBJECT_VARIABLES]
    return csv_bytes([names, *([s.values.get(n) for n in names] for s in subjects)])


def visits_csv(subjects: Sequence[Subject]) -> bytes:
    """``visits.csv``: a header, then one row per visit."""
    names = [v.name for v in VISIT_VARIABLES]
    rows = [[visit.get(n) for n in names] for s in subjects for visit in s.visits]
    return csv_bytes([names, *rows])


def _label(message: str, locale: str) -> str:
    return message if locale == "en" else translations(locale).gettext(message)


def dictionary_csv(arms: Sequence[Arm]) -> bytes:
    """``dictionary.csv``: every variable of both files with its labels, type, unit and codes."""
    rows: list[list[Value]] = [
        ["file", "name", "label_fr", "label_en", "type", "unit", "codes_fr", "codes_en"]
    ]
    for file, variables in (("subjects.csv", SUBJECT_VARIABLES), ("visits.csv", VISIT_VARIABLES)):
        for v in variables:
            codes = _codes_of(v, arms)
            rows.append(
                [
                    file,
                    v.name,
                    _label(v.label, "fr"),
                    v.label,
                    v.type,
                    v.unit,
                    " | ".join(f"{c}={_label(t, 'fr')}" for c, t in codes),
                    " | ".join(f"{c}={t}" for c, t in codes),
                ]
            )
    return csv_bytes(rows)


def _codes_of(variable: Variable, arms: Sequence[Arm]) -> Codes:
    if variable.codelist == "ARM":
        return tuple((a.code, a.label) for a in arms)
    return variable.codes


# --- CDISC ODM 1.3.2 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyInfo:
    """What the ODM document says of the study itself."""

    code: str
    title: str
    registry_number: str | None
    arms: Sequence[Arm]


def _q(tag: str) -> str:
    return f"{{{ODM_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, _q(tag), attrs)


def _translated(parent: ET.Element, tag: str, message: str) -> None:
    holder = _sub(parent, tag)
    for locale in ("fr", "en"):
        text = _sub(holder, "TranslatedText")
        text.set(XML_LANG, locale)
        text.text = _label(message, locale)


UNITS = {"months": "MU.MONTHS", "kg": "MU.KG", "cm": "MU.CM", "mm": "MU.MM", "days": "MU.DAYS"}
UNITS |= {"sachets/day": "MU.SACHETS_DAY", "sachets": "MU.SACHETS"}
GROUPS = (
    ("SE.INCLUSION", "F.INCLUSION", "IG.INCLUSION", "Inclusion", SUBJECT_VARIABLES, False),
    ("SE.CARE", "F.VISITS", "IG.VISIT", "Routine-care visits", VISIT_VARIABLES, True),
)


def _item_oid(group: str, name: str) -> str:
    return f"IT.{group.removeprefix('IG.')}.{name.upper()}"


def _metadata(study: ET.Element, info: StudyInfo) -> None:
    variables = _sub(study, "GlobalVariables")
    _sub(variables, "StudyName").text = info.code
    _sub(variables, "StudyDescription").text = info.title
    _sub(variables, "ProtocolName").text = info.registry_number or info.code
    basic = _sub(study, "BasicDefinitions")
    for unit, oid in UNITS.items():
        measurement = _sub(basic, "MeasurementUnit", OID=oid, Name=unit)
        symbol = _sub(_sub(measurement, "Symbol"), "TranslatedText")
        symbol.text = unit
    mdv = _sub(study, "MetaDataVersion", OID="MDV.1", Name=f"{info.code} export")
    _structure(mdv)
    _item_defs(mdv, info)


def _structure(mdv: ET.Element) -> None:
    """The protocol, study events, forms and item groups (inclusion once, visits repeating)."""
    protocol = _sub(mdv, "Protocol")
    for order, (event, *_rest) in enumerate(GROUPS, start=1):
        mandatory = "Yes" if event == "SE.INCLUSION" else "No"
        _sub(
            protocol,
            "StudyEventRef",
            StudyEventOID=event,
            OrderNumber=str(order),
            Mandatory=mandatory,
        )
    for event, form, _group, name, _v, _r in GROUPS:
        kind = "Scheduled" if event == "SE.INCLUSION" else "Unscheduled"
        definition = _sub(mdv, "StudyEventDef", OID=event, Name=name, Repeating="No", Type=kind)
        _sub(definition, "FormRef", FormOID=form, Mandatory="Yes")
    for _event, form, group, name, _v, _r in GROUPS:
        definition = _sub(mdv, "FormDef", OID=form, Name=name, Repeating="No")
        _sub(definition, "ItemGroupRef", ItemGroupOID=group, Mandatory="Yes")
    for _event, _form, group, name, variables_of, repeating in GROUPS:
        definition = _sub(
            mdv, "ItemGroupDef", OID=group, Name=name, Repeating="Yes" if repeating else "No"
        )
        for order, v in enumerate(variables_of, start=1):
            _sub(
                definition,
                "ItemRef",
                ItemOID=_item_oid(group, v.name),
                OrderNumber=str(order),
                Mandatory="Yes" if v.name == "research_id" else "No",
            )


def _item_defs(mdv: ET.Element, info: StudyInfo) -> None:
    """Each variable (labels in French and English, unit, code list) and the code lists."""
    codelists: dict[str, Codes] = {}
    for _event, _form, group, _name, variables_of, _r in GROUPS:
        for v in variables_of:
            item = _sub(mdv, "ItemDef", OID=_item_oid(group, v.name), Name=v.name, DataType=v.type)
            if v.type == "text":
                item.set("Length", "64")
            _translated(item, "Description", v.label)
            if v.unit:
                _sub(item, "MeasurementUnitRef", MeasurementUnitOID=UNITS[v.unit])
            if v.codelist:
                _sub(item, "CodeListRef", CodeListOID=f"CL.{v.codelist}")
                codelists[v.codelist] = _codes_of(v, info.arms)
    for name, codes in codelists.items():
        codelist = _sub(mdv, "CodeList", OID=f"CL.{name}", Name=name, DataType="text")
        for code, label in codes:
            _translated(_sub(codelist, "CodeListItem", CodedValue=code), "Decode", label)


def _items(
    parent: ET.Element, group: str, variables: Sequence[Variable], row: dict[str, Value]
) -> None:
    for v in variables:
        value = row.get(v.name)
        if value is not None and value != "":
            _sub(parent, "ItemData", ItemOID=_item_oid(group, v.name), Value=_text(value))


def odm_bytes(info: StudyInfo, subjects: Sequence[Subject], *, created_at: datetime) -> bytes:
    """The export as one CDISC ODM 1.3.2 snapshot: metadata, then each child's data."""
    ET.register_namespace("", ODM_NS)
    stamp = created_at.isoformat(timespec="seconds")
    root = ET.Element(
        _q("ODM"),
        {
            "FileType": "Snapshot",
            "FileOID": f"alima.{info.code}.{created_at:%Y%m%dT%H%M%S}",
            "CreationDateTime": stamp,
            "ODMVersion": "1.3.2",
            "Originator": "alima",
            "SourceSystem": "alima",
        },
    )
    study_oid = f"ST.{info.code}"
    _metadata(_sub(root, "Study", OID=study_oid), info)
    clinical = _sub(root, "ClinicalData", StudyOID=study_oid, MetaDataVersionOID="MDV.1")
    for subject in subjects:
        data = _sub(clinical, "SubjectData", SubjectKey=subject.research_id)
        event = _sub(data, "StudyEventData", StudyEventOID="SE.INCLUSION")
        form = _sub(event, "FormData", FormOID="F.INCLUSION")
        group = _sub(form, "ItemGroupData", ItemGroupOID="IG.INCLUSION")
        _items(group, "IG.INCLUSION", SUBJECT_VARIABLES, subject.values)
        if subject.visits:
            event = _sub(data, "StudyEventData", StudyEventOID="SE.CARE")
            form = _sub(event, "FormData", FormOID="F.VISITS")
            for visit in subject.visits:
                group = _sub(
                    form,
                    "ItemGroupData",
                    ItemGroupOID="IG.VISIT",
                    ItemGroupRepeatKey=str(visit["visit"]),
                )
                _items(group, "IG.VISIT", VISIT_VARIABLES, visit)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
