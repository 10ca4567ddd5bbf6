"""alima's rows as FHIR R4 resources (JSON-ready dicts); nothing here reads the database.

One row gives one resource, except a visit, which is an ``Encounter``, the ``Observation`` of
each measurement it recorded and, when food was handed over, a ``MedicationDispense``. The
ids are the rows' UUIDs (an observation adds its measurement: ``<visit id>-muac``), so a
resource keeps its id wherever and whenever it is read.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Protocol

from alima.core.models import Organisation, Patient, Place
from alima.interop.fhir import codes
from alima.interop.fhir.codes import Measure, Resource
from alima.nutrition.models import Episode, Visit
from alima.nutrition.rules.follow_up import EpisodeState

GENDERS = {"M": "male", "F": "female"}


def ref(resource_type: str, resource_id: object) -> dict[str, str]:
    """A reference to another resource of this server."""
    return {"reference": f"{resource_type}/{resource_id}"}


class _Row(Protocol):
    """A row served as a resource: its id, and when it last changed."""

    @property
    def id(self) -> uuid.UUID:
        """The row's id, the resource's."""

    @property
    def updated_at(self) -> datetime:
        """When the row last changed."""


def _opening(resource_type: str, row: _Row, resource_id: str | None = None) -> Resource:
    """What every resource opens with: its type, its id (the row's) and when it last changed."""
    return {
        "resourceType": resource_type,
        "id": resource_id or str(row.id),
        "meta": {"lastUpdated": row.updated_at.isoformat()},
    }


def _day(on: date) -> str:
    return on.isoformat()


def patient(row: Patient) -> Resource:
    """A registered person."""
    resource: Resource = {
        **_opening("Patient", row),
        "identifier": [
            {"use": "official", "system": codes.PATIENT_IDENTIFIER, "value": row.identifier}
        ],
        "active": True,
        "name": [{"use": "official", "family": row.family_name, "given": [row.given_name]}],
        "gender": GENDERS.get(row.sex, "unknown"),
        "birthDate": _day(row.birth_date),
    }
    if row.phone:
        resource["telecom"] = [{"system": "phone", "value": row.phone}]
    if row.village:
        resource["address"] = [{"use": "home", "text": row.village, "city": row.village}]
    if row.caregiver_name:
        resource["contact"] = [
            {
                "relationship": [
                    {"coding": [codes.coding(codes.CONTACT_RELATIONSHIP, "N", "Next-of-Kin")]}
                ],
                "name": {"text": row.caregiver_name},
            }
        ]
    return resource


def episode_of_care(row: Episode, state: EpisodeState) -> Resource:
    """A CMAM episode, open or finished as of the day it is read (``state``)."""
    period: dict[str, str] = {"start": _day(row.admitted_on)}
    if state.closed_on is not None:
        period["end"] = _day(state.closed_on)
    return {
        **_opening("EpisodeOfCare", row),
        "status": "active" if state.is_open else "finished",
        "type": [
            {
                "coding": [codes.CMAM_EPISODE_TYPE],
                "text": f"CMAM {row.protocol_code} {row.protocol_version}",
            }
        ],
        "diagnosis": [{"condition": ref("Condition", row.id), "rank": 1}],
        "patient": ref("Patient", row.patient_id),
        "period": period,
    }


def condition(row: Episode, state: EpisodeState) -> Resource:
    """The acute malnutrition an episode treats (severe or moderate, as admitted)."""
    coded = codes.SEVERITY_CODES.get(row.severity, ())
    resource: Resource = {
        **_opening("Condition", row),
        "clinicalStatus": {
            "coding": [
                codes.coding(codes.CONDITION_CLINICAL, "active", "Active")
                if state.is_open
                else codes.coding(codes.CONDITION_CLINICAL, "resolved", "Resolved")
            ]
        },
        "verificationStatus": {
            "coding": [codes.coding(codes.CONDITION_VERIFICATION, "confirmed", "Confirmed")]
        },
        "category": [
            {
                "coding": [
                    codes.coding(
                        codes.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"
                    )
                ]
            }
        ],
        "code": {"coding": list(coded), "text": coded[-1]["display"] if coded else row.severity},
        "subject": ref("Patient", row.patient_id),
        "onsetDateTime": _day(row.admitted_on),
        "recordedDate": row.created_at.isoformat(),
    }
    if state.closed_on is not None:
        resource["abatementDateTime"] = _day(state.closed_on)
    return resource


def encounter(row: Visit, patient_id: object) -> Resource:
    """A visit (the admission is the first)."""
    kind = "admission" if row.is_admission else "follow-up"
    return {
        **_opening("Encounter", row),
        "status": "finished",
        "class": codes.coding(codes.ACT_CODE, "AMB", "ambulatory"),
        "type": [
            {"coding": [codes.coding(codes.ALIMA_CODES, kind, "CMAM " + kind.replace("-", " "))]}
        ],
        "subject": ref("Patient", patient_id),
        "episodeOfCare": [ref("EpisodeOfCare", row.episode_id)],
        "period": {"start": _day(row.visit_on), "end": _day(row.visit_on)},
        "location": [{"location": ref("Location", row.place_id)}],
    }


def measures_of(row: Visit) -> tuple[Measure, ...]:
    """The measurements a visit recorded (height or length as the nurse measured it)."""
    found: list[Measure] = []
    if row.weight_kg is not None:
        found.append(codes.WEIGHT)
    if row.height_cm is not None:
        found.append(codes.LENGTH if row.measure == "l" else codes.HEIGHT)
    if row.muac_mm is not None:
        found.append(codes.MUAC)
    found.append(codes.OEDEMA)
    if row.zwfl is not None:
        found.append(codes.WFL_Z)
    return tuple(found)


def _value(row: Visit, measure: Measure) -> dict[str, Any]:
    if measure is codes.OEDEMA:
        code, display = codes.OEDEMA_GRADES.get(row.oedema, (row.oedema, row.oedema))
        return {
            "valueCodeableConcept": {
                "coding": [codes.coding(codes.ALIMA_CODES, f"oedema-{code}", display)],
                "text": display,
            }
        }
    value = getattr(row, measure.column)
    units = {
        "weight": ("kg", "kg"),
        "height": ("cm", "cm"),
        "muac": ("mm", "mm"),
        "wfl-z": ("z-score", "1"),
    }
    unit, ucum = units[measure.key]
    return {"valueQuantity": codes.quantity(round(float(value), 3), unit, ucum)}


def observation(row: Visit, measure: Measure, patient_id: object) -> Resource:
    """One measurement of a visit."""
    resource: Resource = {
        **_opening("Observation", row, f"{row.id}-{measure.key}"),
        "status": "final",
        "code": {"coding": list(measure.codings), "text": measure.text},
        "subject": ref("Patient", patient_id),
        "encounter": ref("Encounter", row.id),
        "effectiveDateTime": _day(row.visit_on),
        **_value(row, measure),
    }
    if measure.vital_sign:
        resource["category"] = [
            {"coding": [codes.coding(codes.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]}
        ]
    return resource


def observations(row: Visit, patient_id: object) -> list[Resource]:
    """Every measurement of a visit."""
    return [observation(row, m, patient_id) for m in measures_of(row)]


def medication_dispense(row: Visit, patient_id: object) -> Resource:
    """The therapeutic or supplementary food handed over at a visit."""
    product = codes.PRODUCT_CODES.get(row.product or "")
    medication: dict[str, Any] = {"text": product["display"] if product else "RUTF/RUSF"}
    if product:
        medication["coding"] = [product]
    resource: Resource = {
        **_opening("MedicationDispense", row),
        "status": "completed",
        "medicationCodeableConcept": medication,
        "subject": ref("Patient", patient_id),
        "context": ref("Encounter", row.id),
        "location": ref("Location", row.place_id),
        "quantity": {
            "value": row.sachets_given,
            "unit": "sachet",
            "system": codes.UCUM,
            "code": "{sachet}",
        },
        "whenHandedOver": _day(row.visit_on),
    }
    if row.ration_days:
        resource["daysSupply"] = codes.quantity(row.ration_days, "d", "d")
    return resource


def location(row: Place) -> Resource:
    """A place of the health pyramid (country to facility)."""
    resource: Resource = {
        **_opening("Location", row),
        "identifier": [{"system": codes.PLACE_IDENTIFIER, "value": row.code}],
        "status": "active" if row.active else "inactive",
        "name": row.name,
        "mode": "instance",
        "type": [{"coding": [codes.coding(codes.ALIMA_CODES, f"place-{row.kind}", row.kind)]}],
    }
    if row.latitude is not None and row.longitude is not None:
        resource["position"] = {"latitude": row.latitude, "longitude": row.longitude}
    if row.parent_id is not None:
        resource["partOf"] = ref("Location", row.parent_id)
    return resource


def organization(row: Organisation) -> Resource:
    """An NGO, ministry, research institute or donor of the alliance."""
    resource: Resource = {
        **_opening("Organization", row),
        "identifier": [{"system": codes.ORGANISATION_IDENTIFIER, "value": row.code}],
        "active": True,
        "type": [
            {"coding": [codes.coding(codes.ALIMA_CODES, f"organisation-{row.kind}", row.kind)]}
        ],
        "name": row.name,
    }
    if row.country_code:
        resource["address"] = [{"country": row.country_code}]
    return resource
