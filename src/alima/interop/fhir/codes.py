"""Code systems and codes alima's FHIR resources use (pure: no database, no HTTP).

Standard codes where one exists (LOINC for the body measurements, ICD-10 for severe and
moderate acute malnutrition, SNOMED CT beside LOINC for the MUAC); alima's own code system
for what has no verified standard code (oedema grade, weight-for-length z-score, the products).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A FHIR resource as JSON (what ``mapping`` makes and the routes send).
Resource = dict[str, Any]

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"
NDJSON_MEDIA_TYPE = "application/fhir+ndjson"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONTACT_RELATIONSHIP = "http://terminology.hl7.org/CodeSystem/v2-0131"

#: alima's own code system (codes with no verified standard equivalent) and identifier systems.
ALIMA = "https://fhir.alima.ngo"
ALIMA_CODES = f"{ALIMA}/CodeSystem/cmam"
PATIENT_IDENTIFIER = f"{ALIMA}/NamingSystem/patient"
PLACE_IDENTIFIER = f"{ALIMA}/NamingSystem/place"
ORGANISATION_IDENTIFIER = f"{ALIMA}/NamingSystem/organisation"


def coding(system: str, code: str, display: str) -> dict[str, str]:
    """A FHIR ``Coding``."""
    return {"system": system, "code": code, "display": display}


def quantity(value: float, unit: str, code: str) -> dict[str, Any]:
    """A UCUM ``Quantity``."""
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


@dataclass(frozen=True)
class Measure:
    """One observation a visit records: its key (the id suffix), codings, the visit's column."""

    key: str
    column: str
    codings: tuple[dict[str, str], ...]
    text: str
    vital_sign: bool = False


WEIGHT = Measure(
    "weight", "weight_kg", (coding(LOINC, "29463-7", "Body weight"),), "Weight", vital_sign=True
)
HEIGHT = Measure(
    "height", "height_cm", (coding(LOINC, "8302-2", "Body height"),), "Height", vital_sign=True
)
LENGTH = Measure(
    "height",
    "height_cm",
    (coding(LOINC, "8306-3", "Body height --lying"),),
    "Length",
    vital_sign=True,
)
MUAC = Measure(
    "muac",
    "muac_mm",
    (
        coding(LOINC, "56072-2", "Circumference Mid upper arm - right"),
        coding(SNOMED, "284473002", "Mid upper arm circumference"),
    ),
    "MUAC",
)
OEDEMA = Measure(
    "oedema", "oedema", (coding(ALIMA_CODES, "oedema", "Bilateral pitting oedema"),), "Oedema"
)
WFL_Z = Measure(
    "wfl-z",
    "zwfl",
    (coding(ALIMA_CODES, "wfl-z", "Weight-for-length/height z-score (WHO 2006)"),),
    "Weight-for-length z-score",
)

#: Every observation of a visit, in the order they are listed (height and length share a key).
MEASURES: tuple[Measure, ...] = (WEIGHT, HEIGHT, LENGTH, MUAC, OEDEMA, WFL_Z)
OBSERVATION_KEYS: tuple[str, ...] = ("weight", "height", "muac", "oedema", "wfl-z")

#: Oedema grades as alima stores them, and their codes and displays in alima's code system.
OEDEMA_GRADES: dict[str, tuple[str, str]] = {
    "none": ("none", "No oedema"),
    "plus1": ("+", "Grade + (feet)"),
    "plus2": ("++", "Grade ++ (feet and legs)"),
    "plus3": ("+++", "Grade +++ (generalised)"),
}

#: Acute malnutrition by severity: ICD-10 and alima's code.
SEVERITY_CODES: dict[str, tuple[dict[str, str], ...]] = {
    "sam": (
        coding(ICD10, "E43", "Unspecified severe protein-energy malnutrition"),
        coding(ALIMA_CODES, "sam", "Severe acute malnutrition"),
    ),
    "mam": (
        coding(ICD10, "E44.0", "Moderate protein-energy malnutrition"),
        coding(ALIMA_CODES, "mam", "Moderate acute malnutrition"),
    ),
}

#: Therapeutic and supplementary foods, in alima's code system.
PRODUCT_CODES: dict[str, dict[str, str]] = {
    "rutf": coding(ALIMA_CODES, "RUTF", "Ready-to-use therapeutic food (92 g sachet)"),
    "rusf": coding(ALIMA_CODES, "RUSF", "Ready-to-use supplementary food (92 g sachet)"),
}

CMAM_EPISODE_TYPE = coding(ALIMA_CODES, "cmam", "Outpatient treatment of acute malnutrition")
