"""A country's DHIS2 mapping: read, export and import (as JSON), by an administrator.

An import replaces the country's whole mapping in one transaction; the audit event keeps the
mapping before and after, so no correspondence is ever lost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.errors import NotFound, RuleViolation
from alima.core.models import Place
from alima.interop.dhis2 import repository
from alima.interop.dhis2.errors import Dhis2Error
from alima.interop.dhis2.figures import figure_options
from alima.interop.dhis2.models import Dhis2DataElement, Dhis2Mapping, Dhis2OrgUnit
from alima.interop.dhis2.rules import overlapping
from alima.interop.dhis2.schemas import MappingFile
from alima.interop.dhis2.service.common import country, mapping_file


def export_mapping(session: Session, country_code: str, *, actor: Actor | None) -> MappingFile:
    """The mapping of a country as its JSON file (administrators; the command line)."""
    with session.begin():
        place = country(session, country_code, actor, Permission.ADMINISTER)
        mapping = repository.find_mapping(session, place.id)
        if mapping is None:
            raise NotFound(Dhis2Error.DHIS_001, code=place.code)
        return mapping_file(mapping)


def _refuse_twice(values: Iterable[str]) -> None:
    for value, count in Counter(values).items():
        if count > 1:
            raise RuleViolation(Dhis2Error.DHIS_006, value=value)


def _check_figures(data: MappingFile) -> None:
    known = figure_options()
    for row in data.data_elements:
        options = known.get(row.figure)
        if options is None or (row.option and row.option not in options):
            raise RuleViolation(Dhis2Error.DHIS_003, figure=row.figure, option=row.option)
    _refuse_twice(f"{r.figure} {r.option}".strip() for r in data.data_elements)
    _refuse_twice(f"{r.data_element}.{r.category_option_combo}" for r in data.data_elements)
    _refuse_twice(o.place for o in data.org_units)
    _refuse_twice(o.org_unit for o in data.org_units)


def _places(session: Session, data: MappingFile, land: Place) -> dict[str, Place]:
    places: dict[str, Place] = {}
    for row in data.org_units:
        place = core_repository.find_place_by_code(session, row.place)
        if place is None or not place.path.startswith(land.path):
            raise RuleViolation(Dhis2Error.DHIS_004, code=row.place, country=land.code)
        places[row.place] = place
    pairs = overlapping({code: p.path for code, p in places.items()})
    if pairs:
        outer, inner = pairs[0]
        raise RuleViolation(Dhis2Error.DHIS_005, outer=outer, inner=inner)
    return places


def import_mapping(session: Session, data: MappingFile, *, actor: Actor | None) -> MappingFile:
    """Replace a country's mapping with ``data`` (administrators; the command line).

    Every figure must be one alima sends (``figures.py``), every place inside the country and
    none inside another mapped place; nothing may be mapped twice.
    """
    _check_figures(data)
    with session.begin():
        land = country(session, data.country, actor, Permission.ADMINISTER)
        places = _places(session, data, land)
        mapping = repository.find_mapping(session, land.id)
        before = mapping_file(mapping).model_dump() if mapping else None
        if mapping is None:
            mapping = Dhis2Mapping(country_id=land.id, created_by_id=actor.id if actor else None)
            session.add(mapping)
        else:
            for row in [*mapping.data_elements, *mapping.org_units]:
                session.delete(row)
        mapping.data_set = data.data_set
        mapping.aoc = data.attribute_option_combo
        mapping.period_type = data.period_type
        session.flush()
        author = actor.id if actor else None
        session.add_all(
            Dhis2DataElement(
                mapping_id=mapping.id,
                figure=r.figure,
                option=r.option,
                data_element=r.data_element,
                category_option_combo=r.category_option_combo,
                created_by_id=author,
            )
            for r in data.data_elements
        )
        session.add_all(
            Dhis2OrgUnit(
                mapping_id=mapping.id,
                place_id=places[o.place].id,
                org_unit=o.org_unit,
                created_by_id=author,
            )
            for o in data.org_units
        )
        session.flush()
        session.expire(mapping, ["data_elements", "org_units"])
        saved = mapping_file(mapping)
        record(
            session,
            actor,
            AuditAction.UPDATE if before else AuditAction.CREATE,
            entity_type="dhis2_mapping",
            entity_id=mapping.id,
            place_id=land.id,
            before=before,
            after=saved.model_dump(),
        )
        return saved
