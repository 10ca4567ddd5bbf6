"""Queries of SMC. ``find_*`` returns ``None``; nothing here commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alima.core.models import Patient, Place, PlacePopulation
from alima.core.repository import in_paths, patient_not_deleted, select_live_at
from alima.smc.models import (
    SmcAdministration,
    SmcCampaign,
    SmcCampaignArea,
    SmcCycle,
    SmcSupply,
    SmcTeam,
)


def _campaign_loads() -> tuple[object, ...]:
    return (
        selectinload(SmcCampaign.place),
        selectinload(SmcCampaign.areas).selectinload(SmcCampaignArea.place),
        selectinload(SmcCampaign.cycles),
    )


def find_campaign(session: Session, campaign_id: uuid.UUID) -> SmcCampaign | None:
    """A live campaign with its country, areas and cycles."""
    return session.scalars(
        select(SmcCampaign)
        .where(SmcCampaign.id == campaign_id, SmcCampaign.deleted_at.is_(None))
        .options(*_campaign_loads())  # type: ignore[arg-type]  # loader options
    ).one_or_none()


def list_campaigns(session: Session) -> list[SmcCampaign]:
    """Every live campaign, latest season first."""
    return list(
        session.scalars(
            select(SmcCampaign)
            .where(SmcCampaign.deleted_at.is_(None))
            .options(*_campaign_loads())  # type: ignore[arg-type]  # loader options
            .order_by(SmcCampaign.season.desc(), SmcCampaign.name)
        )
    )


def find_cycle(session: Session, cycle_id: uuid.UUID) -> SmcCycle | None:
    """A cycle of a live campaign, its campaign loaded."""
    return session.scalars(
        select(SmcCycle)
        .join(SmcCampaign, SmcCampaign.id == SmcCycle.campaign_id)
        .where(SmcCycle.id == cycle_id, SmcCampaign.deleted_at.is_(None))
        .options(
            selectinload(SmcCycle.campaign).options(*_campaign_loads())  # type: ignore[arg-type]
        )
    ).one_or_none()


def list_teams(session: Session, campaign_id: uuid.UUID) -> list[SmcTeam]:
    """A campaign's live teams, by site and name."""
    return list(
        session.scalars(
            select(SmcTeam)
            .join(Place, Place.id == SmcTeam.place_id)
            .where(SmcTeam.campaign_id == campaign_id, SmcTeam.deleted_at.is_(None))
            .options(selectinload(SmcTeam.place))
            .order_by(Place.path, SmcTeam.name)
        )
    )


def find_team(session: Session, team_id: uuid.UUID) -> SmcTeam | None:
    """A live team, its place loaded."""
    return session.scalars(
        select(SmcTeam)
        .where(SmcTeam.id == team_id, SmcTeam.deleted_at.is_(None))
        .options(selectinload(SmcTeam.place))
    ).one_or_none()


def find_given(
    session: Session, patient_id: uuid.UUID, cycle_id: uuid.UUID
) -> SmcAdministration | None:
    """The child's live dose given in the cycle, if any."""
    return session.scalars(
        select(SmcAdministration).where(
            SmcAdministration.patient_id == patient_id,
            SmcAdministration.cycle_id == cycle_id,
            SmcAdministration.exclusion.is_(None),
            SmcAdministration.deleted_at.is_(None),
        )
    ).first()


def find_administration(session: Session, administration_id: uuid.UUID) -> SmcAdministration | None:
    """An administration (deleted ones included), its place, patient and cycle loaded."""
    return session.scalars(
        select(SmcAdministration)
        .where(SmcAdministration.id == administration_id)
        .options(
            selectinload(SmcAdministration.place),
            selectinload(SmcAdministration.patient),
            selectinload(SmcAdministration.cycle),
        )
    ).one_or_none()


def doses_of_patients(
    session: Session, campaign_id: uuid.UUID, patient_ids: Sequence[uuid.UUID]
) -> list[SmcAdministration]:
    """The live administrations of these children in the campaign, oldest first."""
    if not patient_ids:
        return []
    return list(
        session.scalars(
            select(SmcAdministration)
            .where(
                SmcAdministration.campaign_id == campaign_id,
                SmcAdministration.patient_id.in_(patient_ids),
                SmcAdministration.deleted_at.is_(None),
            )
            .options(
                selectinload(SmcAdministration.place),
                selectinload(SmcAdministration.patient),
            )
            .order_by(SmcAdministration.cycle_number, SmcAdministration.created_at)
        )
    )


def patients_of_villages(
    session: Session, paths: Sequence[str], search_villages: Sequence[str]
) -> list[Patient]:
    """Live patients registered in the subtrees whose (folded) village is one of these."""
    if not search_villages:
        return []
    return list(
        session.scalars(
            select_live_at(Patient, paths, Patient.search_village.in_(search_villages))
            .options(selectinload(Patient.place))
            .order_by(Patient.search_village, Patient.caregiver_name, Patient.birth_date)
        )
    )


def campaign_patients(session: Session, campaign_id: uuid.UUID) -> list[uuid.UUID]:
    """Children with a live administration in the campaign."""
    return list(
        session.scalars(
            select(SmcAdministration.patient_id)
            .where(
                SmcAdministration.campaign_id == campaign_id,
                SmcAdministration.deleted_at.is_(None),
            )
            .distinct()
        )
    )


def counted_administrations(
    session: Session, campaign_id: uuid.UUID, paths: Sequence[str]
) -> list[tuple[int, uuid.UUID, str, str | None, bool | None, int, str]]:
    """Each live administration of the campaign at places in the subtrees, its patient live.

    (cycle number, patient, place path, exclusion, day 3 given, blisters, age band).
    """
    rows = session.execute(
        select(
            SmcAdministration.cycle_number,
            SmcAdministration.patient_id,
            Place.path,
            SmcAdministration.exclusion,
            SmcAdministration.day3_given,
            SmcAdministration.blisters,
            SmcAdministration.age_band,
        )
        .join(Place, Place.id == SmcAdministration.place_id)
        .where(
            SmcAdministration.campaign_id == campaign_id,
            SmcAdministration.deleted_at.is_(None),
            patient_not_deleted(SmcAdministration.patient_id),
            in_paths(Place.path, paths),
        )
    )
    return [(c, p, path, e, d3, b, band) for c, p, path, e, d3, b, band in rows]


def supplies(session: Session, campaign_id: uuid.UUID, paths: Sequence[str]) -> list[SmcSupply]:
    """The live receipts of SPAQ of the campaign at places in the subtrees."""
    return list(
        session.scalars(
            select(SmcSupply)
            .join(Place, Place.id == SmcSupply.place_id)
            .where(
                SmcSupply.campaign_id == campaign_id,
                SmcSupply.deleted_at.is_(None),
                in_paths(Place.path, paths),
            )
            .options(selectinload(SmcSupply.place), selectinload(SmcSupply.cycle))
        )
    )


def population(session: Session, place_id: uuid.UUID, year: int) -> int | None:
    """The place's population of ``year``, or of the latest year before it."""
    row = session.scalars(
        select(PlacePopulation)
        .where(PlacePopulation.place_id == place_id, PlacePopulation.year <= year)
        .order_by(PlacePopulation.year.desc())
        .limit(1)
    ).first()
    return row.population if row is not None else None
