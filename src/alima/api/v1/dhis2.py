"""DHIS2 as JSON: a country's mapping (administrators) and the record of pushes."""

from fastapi import APIRouter

from alima.api.deps import ApiActor, SessionDep
from alima.api.v1.common import OptionalPlaceCode, PlaceCodePath, error_responses
from alima.interop.dhis2 import service
from alima.interop.dhis2.schemas import MappingFile, PushRead

router = APIRouter(
    prefix="/dhis2",
    tags=["dhis2"],
    responses=error_responses(not_found="No such country or mapping", invalid="Invalid input"),
)


@router.get("/mappings/{country_code}")
def get_mapping(country_code: PlaceCodePath, session: SessionDep, actor: ApiActor) -> MappingFile:
    """A country's DHIS2 mapping, as `alima dhis2 mapping export` writes it (administrators)."""
    return service.export_mapping(session, country_code, actor=actor)


@router.post("/mappings")
def save_mapping(body: MappingFile, session: SessionDep, actor: ApiActor) -> MappingFile:
    """Replace a country's DHIS2 mapping (administrators); the previous one stays in the audit."""
    return service.import_mapping(session, body, actor=actor)


@router.get("/pushes")
def pushes(
    session: SessionDep,
    actor: ApiActor,
    country: OptionalPlaceCode = None,
) -> list[PushRead]:
    """The latest pushes to DHIS2 and what it answered (data managers, administrators)."""
    return service.list_pushes(session, actor=actor, country_code=country)
