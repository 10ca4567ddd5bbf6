"""Who may do what, where: roles, permissions and scopes (pure rules, no database).

A role assignment grants the role's permissions within a scope: a place subtree, or the places a
project serves. Place subtrees are materialised paths (``/id/id/``), so "is this patient's
place inside one of my scopes" is a prefix test, the same in Python and in SQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from alima.core.enums import Role


class Permission(StrEnum):
    """Elementary rights; roles are sets of them."""

    PLACE_READ = "place_read"
    PATIENT_READ = "patient_read"
    PATIENT_WRITE = "patient_write"
    PATIENT_DELETE = "patient_delete"
    AUDIT_READ = "audit_read"
    AGGREGATE_READ = "aggregate_read"
    ADMINISTER = "administer"
    # Co-management (alima.alliance): monthly approval, emergency access, exports, records.
    DATA_SUBMIT = "data_submit"
    DATA_APPROVE = "data_approve"
    PERIOD_UNLOCK = "period_unlock"
    BREAK_GLASS = "break_glass"
    AGGREGATE_EXPORT = "aggregate_export"
    PATIENT_EXPORT = "patient_export"
    TRAINING_WRITE = "training_write"
    FUNDING_WRITE = "funding_write"
    AGREEMENT_WRITE = "agreement_write"
    # Impact page (alima.indicators): context figures entered with their source.
    CONTEXT_FIGURE_WRITE = "context_figure_write"
    # Outbreaks (alima.outbreaks): verify, investigate, declare or discard an alert.
    OUTBREAK_RESPOND = "outbreak_respond"
    # Research (alima.research): a study's pseudonymised, patient-level data for analysis.
    STUDY_EXPORT = "study_export"
    # Research (alima.research): a monitor's source data verification of included children.
    STUDY_MONITOR = "study_monitor"


#: Least privilege: partners and researchers get aggregates, never patient-level pages.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLINICIAN: frozenset(
        {
            Permission.PLACE_READ,
            Permission.PATIENT_READ,
            Permission.PATIENT_WRITE,
            Permission.BREAK_GLASS,
        }
    ),
    Role.DATA_MANAGER: frozenset(
        {
            Permission.PLACE_READ,
            Permission.PATIENT_READ,
            Permission.PATIENT_WRITE,
            Permission.PATIENT_DELETE,
            Permission.AUDIT_READ,
            Permission.AGGREGATE_READ,
            Permission.DATA_SUBMIT,
            Permission.AGGREGATE_EXPORT,
            Permission.TRAINING_WRITE,
            Permission.OUTBREAK_RESPOND,  # the district's surveillance focal point
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Permission.PLACE_READ,
            Permission.PATIENT_READ,
            Permission.AUDIT_READ,
            Permission.AGGREGATE_READ,
            Permission.DATA_APPROVE,
            Permission.PERIOD_UNLOCK,
            Permission.AGGREGATE_EXPORT,
            Permission.PATIENT_EXPORT,
            Permission.TRAINING_WRITE,
            Permission.FUNDING_WRITE,
            Permission.CONTEXT_FIGURE_WRITE,  # coordinators publish the impact page's context
            Permission.OUTBREAK_RESPOND,
            Permission.STUDY_EXPORT,
        }
    ),
    Role.RESEARCHER: frozenset(
        {
            Permission.PLACE_READ,
            Permission.AGGREGATE_READ,
            Permission.AGGREGATE_EXPORT,
            Permission.STUDY_EXPORT,  # pseudonymised, the study's included children only
        }
    ),
    Role.PARTNER_VIEWER: frozenset(
        {Permission.PLACE_READ, Permission.AGGREGATE_READ, Permission.AGGREGATE_EXPORT}
    ),
    Role.ADMINISTRATOR: frozenset(Permission),
    # Read-only: the included children of the studies at its places (never another patient)
    # and, like a researcher, the places' counts.
    Role.MONITOR: frozenset(
        {Permission.PLACE_READ, Permission.AGGREGATE_READ, Permission.STUDY_MONITOR}
    ),
}


@dataclass(frozen=True)
class Grant:
    """One role over a set of place subtrees (paths).

    ``withheld`` lists permissions of the role that a partner agreement does not give this
    grant (for example patient-level reading for an "aggregates only" partner): agreements
    narrow a role, never widen it.
    """

    role: Role
    paths: tuple[str, ...]
    project_id: uuid.UUID | None = None
    withheld: frozenset[Permission] = frozenset()

    @property
    def permissions(self) -> frozenset[Permission]:
        """The role's permissions minus those withheld."""
        return ROLE_PERMISSIONS[self.role] - self.withheld


@dataclass(frozen=True)
class Actor:
    """The signed-in person (or token holder), with everything needed to decide access."""

    id: uuid.UUID
    username: str
    full_name: str
    locale: str = "fr"
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    channel: str = "web"
    ip: str | None = None
    #: Patients opened outside the normal scope by break-the-glass, while the access lasts.
    emergency_patient_ids: frozenset[uuid.UUID] = frozenset()

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held, in any scope."""
        return frozenset(g.role for g in self.grants)

    def can(self, permission: Permission) -> bool:
        """Whether some assignment grants ``permission`` somewhere."""
        return any(permission in g.permissions for g in self.grants)

    def paths_for(self, permission: Permission) -> tuple[str, ...]:
        """Subtree paths within which ``permission`` holds (deduplicated, nested ones removed)."""
        paths = {p for g in self.grants if permission in g.permissions for p in g.paths}
        return minimal_prefixes(paths)

    def can_at(self, permission: Permission, place_path: str) -> bool:
        """Whether ``permission`` holds at the place whose path is ``place_path``."""
        return any(place_path.startswith(p) for p in self.paths_for(permission))


def minimal_prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one (``/a/`` covers ``/a/b/``)."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return tuple(sorted(result))


def child_path(parent_path: str | None, place_id: uuid.UUID) -> str:
    """Materialised path of a place under ``parent_path``."""
    return f"{parent_path or '/'}{place_id.hex}/"


def sees_free_text(actor: Actor, path: str) -> bool:
    """Whether free text written at the place at ``path`` may reach ``actor``.

    Notes, team, trainer and village names, sources: what people type in the field is
    patient-level detail (it names people and tells their stories). Only readers of patients
    there get it; an aggregates-only partner gets the counts and never the text.
    """
    return actor.can_at(Permission.PATIENT_READ, path)
