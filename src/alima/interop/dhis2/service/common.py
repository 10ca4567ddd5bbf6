"""What the DHIS2 services share: the country asked for, who may see it, and DTOs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import PlaceKind
from alima.core.errors import NotFound
from alima.core.models import Place
from alima.interop.dhis2.errors import Dhis2Error
from alima.interop.dhis2.models import Dhis2Mapping, Dhis2Push
from alima.interop.dhis2.schemas import (
    ConflictRead,
    DataElementMap,
    MappingFile,
    OrgUnitMap,
    PushRead,
)


def country(session: Session, code: str, actor: Actor | None, permission: Permission) -> Place:
    """The country called ``code`` if ``permission`` holds there (always on the command line).

    An unknown country and one outside the actor's scope look the same (404).
    """
    place = core_repository.find_place_by_code(session, code)
    if (
        place is None
        or place.kind != PlaceKind.COUNTRY.value
        or (actor is not None and not actor.can_at(permission, place.path))
    ):
        raise NotFound(Dhis2Error.DHIS_008, code=code)
    return place


def sees_pushes(actor: Actor | None, place: Place) -> bool:
    """Whether the pushes of a country reach the actor: who submits data in that country.

    The command line sees all; a data manager of one district sees what was sent for the
    country that district belongs to (the figures sent are aggregates).
    """
    if actor is None:
        return True
    return any(
        p.startswith(place.path) or place.path.startswith(p)
        for p in actor.paths_for(Permission.DATA_SUBMIT)
    )


def mapping_file(mapping: Dhis2Mapping) -> MappingFile:
    """A stored mapping as its JSON file (stable order)."""
    return MappingFile(
        country=mapping.country.code,
        data_set=mapping.data_set,
        attribute_option_combo=mapping.aoc,
        period_type="MONTHLY",
        data_elements=[
            DataElementMap(
                figure=e.figure,
                option=e.option,
                data_element=e.data_element,
                category_option_combo=e.category_option_combo,
            )
            for e in sorted(mapping.data_elements, key=lambda e: (e.figure, e.option))
        ],
        org_units=sorted(
            (OrgUnitMap(place=o.place.code, org_unit=o.org_unit) for o in mapping.org_units),
            key=lambda o: o.place,
        ),
    )


def push_read(push: Dhis2Push) -> PushRead:
    """A stored push as shown."""
    return PushRead(
        id=push.id,
        created_at=push.created_at,
        country_code=push.country.code,
        month=push.month,
        dry_run=push.dry_run,
        server=push.server,
        payload_hash=push.payload_hash,
        values_sent=push.values_sent,
        status=push.status,
        http_status=push.http_status,
        imported=push.imported,
        updated=push.updated,
        ignored=push.ignored,
        deleted=push.deleted,
        conflicts=[ConflictRead.model_validate(c) for c in push.conflicts],
        description=push.description,
    )
