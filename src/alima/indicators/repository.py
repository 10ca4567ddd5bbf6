"""Queries of the indicators domain: context figures and a country's partners."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.enums import PlaceKind
from alima.core.models import Organisation, Place, Project, ProjectPartner
from alima.indicators.models import ContextFigure

#: Partner roles named on the public page (funders are thanked elsewhere).
PUBLIC_PARTNER_ROLES = ("lead", "co_lead", "implementing")


def list_context_figures(session: Session, place_id: uuid.UUID) -> list[ContextFigure]:
    """Every context figure of a place, newest year first."""
    return list(
        session.scalars(
            select(ContextFigure)
            .where(ContextFigure.place_id == place_id)
            .order_by(ContextFigure.kind, ContextFigure.year.desc())
        )
    )


def find_context_figure(
    session: Session, place_id: uuid.UUID, kind: str, year: int
) -> ContextFigure | None:
    """The figure of a kind for a year, if entered."""
    return session.scalars(
        select(ContextFigure).where(
            ContextFigure.place_id == place_id,
            ContextFigure.kind == kind,
            ContextFigure.year == year,
        )
    ).one_or_none()


def partner_names(session: Session, country_id: uuid.UUID) -> list[str]:
    """Organisations leading or implementing projects in a country (codes, stable order)."""
    rows = session.scalars(
        select(Organisation.code)
        .join(ProjectPartner, ProjectPartner.organisation_id == Organisation.id)
        .join(Project, Project.id == ProjectPartner.project_id)
        .where(Project.country_id == country_id, ProjectPartner.role.in_(PUBLIC_PARTNER_ROLES))
        .distinct()
        .order_by(Organisation.code)
    )
    return list(rows)


def list_countries(session: Session) -> list[Place]:
    """Every active country, by name."""
    return list(
        session.scalars(
            select(Place)
            .where(Place.kind == PlaceKind.COUNTRY.value, Place.active.is_(True))
            .order_by(Place.name)
        )
    )
