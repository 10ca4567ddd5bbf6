"""Helpers every demo loader shares: seeded identifiers, names, users with their role."""

from __future__ import annotations

import random
import uuid

from sqlalchemy.orm import Session

from alima.core.enums import Role
from alima.core.models import Organisation, Place, Project, RoleAssignment, User
from alima.core.text import fold


def new_id(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``, so that a seed gives the same ids on every load."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def add_user(
    session: Session,
    rng: random.Random,
    name: tuple[str, str],
    organisation: Organisation,
    role: Role,
    password_hash: str,
    *,
    place: Place | None = None,
    project: Project | None = None,
) -> User:
    """Add the user ``name`` (user name, full name) with one role at ``place`` or ``project``."""
    username, full_name = name
    user = User(
        id=new_id(rng),
        username=username,
        full_name=full_name,
        password_hash=password_hash,
        organisation_id=organisation.id,
    )
    session.add(user)
    session.flush()
    session.add(
        RoleAssignment(
            id=new_id(rng),
            user_id=user.id,
            role=role.value,
            place_id=place.id if place else None,
            project_id=project.id if project else None,
        )
    )
    return user


def identity(given: str, family: str, village: str) -> dict[str, str]:
    """A demo patient's names and village, with the folded keys the patient search reads."""
    return {
        "given_name": given,
        "family_name": family,
        "village": village,
        "search_name": fold(f"{given} {family}"),
        "search_village": fold(village),
    }
