"""The protocol in force: country overrides, the one case definition, MUAC tape colours."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import PlaceKind
from alima.core.errors import (
    CoreError,
    NotFound,
)
from alima.core.models import Place
from alima.core.service.common import add_created
from alima.growth.muac import MuacCutoffs
from alima.nutrition import repository
from alima.nutrition.models import ProtocolOverride
from alima.nutrition.protocol import (
    CaseDefinition,
    ProtocolDefinition,
    apply_overrides,
    available_protocols,
    load_protocol,
)


def _country_id(place: Place) -> uuid.UUID:
    return uuid.UUID(hex=place.path.strip("/").split("/")[0])


def protocol_for_admission(
    session: Session, code: str, place: Place, on: date
) -> tuple[ProtocolDefinition, dict[str, object] | None]:
    """The protocol ``code`` with the overrides in force at ``place`` on ``on`` (and those overrides)."""
    base = load_protocol(code)
    override = repository.active_override(
        session, country_id=_country_id(place), code=base.code, version=base.version, on=on
    )
    if override is None:
        return base, None
    return apply_overrides(base, override.overrides), dict(override.overrides)


def country_case_definition(session: Session, place: Place, on: date) -> CaseDefinition:
    """The SAM/MAM cut-offs in force at ``place`` on ``on``: one source for every domain.

    The case definition is shared by all protocols (docs/clinical-rules.md §1): it is the
    country's protocol as overridden (its most recent override in force, whichever protocol it
    adapts), or the packaged one. Community screening and IMCI triage read their MUAC colour
    bands from it (:func:`muac_cutoffs`), so a country override reaches them too. Call it
    inside the caller's transaction.
    """
    override = repository.latest_override(session, country_id=_country_id(place), on=on)
    if override is None:
        return available_protocols()[0].case_definition
    base = load_protocol(override.protocol_code, override.protocol_version)
    return apply_overrides(base, override.overrides).case_definition


def muac_cutoffs(session: Session, place: Place, on: date) -> MuacCutoffs:
    """MUAC tape colours from :func:`country_case_definition`.

    Red below the SAM cut-off, green from the MAM cut-off (docs/clinical-rules.md §1, §6).
    """
    cases = country_case_definition(session, place, on)
    return MuacCutoffs(red_below_mm=cases.sam_muac_below_mm, green_from_mm=cases.mam_muac_below_mm)


def set_protocol_override(
    session: Session,
    *,
    country_code: str,
    protocol_code: str,
    overrides: dict[str, object],
    effective_from: date,
    reason: str,
    actor: Actor | None,
) -> str:
    """Adapt a packaged protocol for a country from a date (validated; audited).

    Admissions from ``effective_from`` record the adapted protocol, its fingerprint and the
    overrides; episodes already open keep the protocol they were admitted under. ``actor``
    ``None`` is the server's console (``alima nutrition override``), else an administrator.

    Returns:
        The fingerprint of the adapted protocol.
    """
    base = load_protocol(protocol_code)
    adapted = apply_overrides(base, overrides)
    with session.begin():
        country = core_repository.find_place_by_code(session, country_code)
        if country is None or country.kind != PlaceKind.COUNTRY.value:
            raise NotFound(CoreError.CORE_011, code=country_code)
        if actor is not None and not actor.can_at(Permission.ADMINISTER, country.path):
            raise NotFound(CoreError.CORE_011, code=country_code)
        row = ProtocolOverride(
            country_id=country.id,
            protocol_code=base.code,
            protocol_version=base.version,
            overrides=dict(overrides),
            effective_from=effective_from,
            reason=reason,
            created_by_id=actor.id if actor else None,
        )
        after = {
            "protocol": f"{base.code} {base.version}",
            "overrides": dict(overrides),
            "effective_from": effective_from.isoformat(),
            "fingerprint": adapted.fingerprint(),
        }
        add_created(
            session,
            actor,
            row,
            "nutrition_protocol_override",
            after=after,
            place_id=country.id,
            detail=reason,
        )
    return adapted.fingerprint()
