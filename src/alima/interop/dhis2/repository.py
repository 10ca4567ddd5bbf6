"""Queries of the DHIS2 exchange (never commit)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alima.interop.dhis2.models import Dhis2Mapping, Dhis2OrgUnit, Dhis2Push


def find_mapping(session: Session, country_id: uuid.UUID) -> Dhis2Mapping | None:
    """The mapping of a country, with its data elements and organisation units."""
    return session.scalars(
        select(Dhis2Mapping)
        .where(Dhis2Mapping.country_id == country_id)
        .options(
            selectinload(Dhis2Mapping.data_elements),
            selectinload(Dhis2Mapping.org_units).selectinload(Dhis2OrgUnit.place),
            selectinload(Dhis2Mapping.country),
        )
        .execution_options(populate_existing=True)
    ).one_or_none()


def list_mappings(session: Session) -> list[Dhis2Mapping]:
    """Every mapping, with its rows."""
    return list(
        session.scalars(
            select(Dhis2Mapping)
            .options(
                selectinload(Dhis2Mapping.data_elements),
                selectinload(Dhis2Mapping.org_units).selectinload(Dhis2OrgUnit.place),
                selectinload(Dhis2Mapping.country),
            )
            .execution_options(populate_existing=True)
        )
    )


def list_pushes(
    session: Session, country_ids: Sequence[uuid.UUID], *, limit: int = 100
) -> list[Dhis2Push]:
    """The latest pushes of these countries, newest first."""
    if not country_ids:
        return []
    return list(
        session.scalars(
            select(Dhis2Push)
            .where(Dhis2Push.country_id.in_(country_ids))
            .options(selectinload(Dhis2Push.country))
            .order_by(Dhis2Push.created_at.desc(), Dhis2Push.id)
            .limit(limit)
        )
    )
