"""ORM models of sync: laptops and their enrolment, a laptop's link, what awaits a person.

On the hub: enrolled laptops (nodes), one-time codes, quarantined records, conflicts, and the
patients shared with another site. On a laptop: its link to the hub (``SyncPeer``).
"""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base, IdMixin, UTCDateTime
from alima.core.models import Place, PlaceRef
from alima.core.time import utcnow

SEQ = BigInteger().with_variant(Integer, "sqlite")


class SyncNode(IdMixin, Base):
    """On the hub: a health-centre laptop enrolled for one site."""

    __tablename__ = "sync_node"
    __sync__: ClassVar[Sync] = Sync.local("the hub's own register of nodes")

    name: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[PlaceRef]
    credential_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The highest of the node's change numbers the hub has applied (its acknowledgement).
    pushed_seq: Mapped[int] = mapped_column(SEQ, default=0)
    #: The hub change number the node last said it had applied.
    pulled_seq: Mapped[int] = mapped_column(SEQ, default=0)
    schema_head: Mapped[str | None] = mapped_column(String(40), nullable=True)
    clock_skew_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)

    site: Mapped[Place] = relationship()


class SyncEnrolment(IdMixin, Base):
    """On the hub: a one-time code an administrator made to enrol a laptop for a site."""

    __tablename__ = "sync_enrolment"
    __sync__: ClassVar[Sync] = Sync.local("a one-time code of the hub")

    site_id: Mapped[PlaceRef]
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    node_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("sync_node.id"), nullable=True
    )


class SyncPeer(IdMixin, Base):
    """On a node: the hub it syncs with, its credential and how far each direction got."""

    __tablename__ = "sync_peer"
    __sync__: ClassVar[Sync] = Sync.local("this laptop's own link to its hub")

    hub_url: Mapped[str] = mapped_column(String(500))
    node_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    site_code: Mapped[str] = mapped_column(String(60))
    credential: Mapped[str] = mapped_column(String(100))
    #: The opaque position in the hub's changes after the last page applied.
    pull_cursor: Mapped[str] = mapped_column(String(200), default="")
    #: The highest local change number the hub acknowledged.
    pushed_seq: Mapped[int] = mapped_column(SEQ, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)


class SyncQuarantine(IdMixin, Base):
    """On the hub: a pushed record that could not be applied, kept with its reason."""

    __tablename__ = "sync_quarantine"
    __sync__: ClassVar[Sync] = Sync.local("kept on the hub for its data manager")

    node_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("sync_node.id"), index=True)
    node_seq: Mapped[int] = mapped_column(SEQ)
    entity: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    row: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (UniqueConstraint("node_id", "node_seq", name="uq_sync_quarantine_node_seq"),)


class SyncConflict(IdMixin, Base):
    """On the hub: the same record changed on two sides since their common base."""

    __tablename__ = "sync_conflict"
    __sync__: ClassVar[Sync] = Sync.local("reviewed on the hub by a data manager")

    entity: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    #: ``field``: the same field changed on both sides; ``delete``: changed against deleted;
    #: ``merged``: different fields changed on both sides, merged automatically.
    kind: Mapped[str] = mapped_column(String(10))
    fields: Mapped[list[str]] = mapped_column(JSON)
    base: Mapped[dict[str, Any]] = mapped_column(JSON)
    ours: Mapped[dict[str, Any]] = mapped_column(JSON)
    theirs: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Which side the record holds until a person decides (the owning site's).
    winner: Mapped[str] = mapped_column(String(6))
    node_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("sync_node.id"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SyncShare(IdMixin, Base):
    """On the hub: a patient another site may see (referred or transferred there)."""

    __tablename__ = "sync_share"
    __sync__: ClassVar[Sync] = Sync.local("decided by the hub from referrals and transfers")

    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_patient.id"))
    place_id: Mapped[PlaceRef]
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("patient_id", "place_id", name="uq_sync_share_patient_place"),
    )


class SyncDuplicate(IdMixin, Base):
    """On the hub: two patients of two sites that look like the same child (a candidate pair).

    Found when patients arrive by sync, or when a data manager asks; a pair is proposed once
    (``low_id`` < ``high_id``, unique), whatever was decided. ``status``: ``open``, ``merged``
    (``kept_id`` holds every record, the other is a tombstone), ``distinct`` (not the same
    child, with the reviewer's reason) or ``superseded`` (one of the two was merged into a third
    patient meanwhile; the check runs again for that one).
    """

    __tablename__ = "sync_duplicate"
    __sync__: ClassVar[Sync] = Sync.local("reviewed on the hub by a data manager")

    low_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_patient.id"))
    high_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_patient.id"))
    #: ``sync`` (a patient arrived from a laptop) or ``demand`` (a data manager's check).
    found_by: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kept_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_patient.id"), nullable=True
    )
    #: Open CMAM episodes the kept patient holds after the merge (more than one is flagged).
    open_episodes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (UniqueConstraint("low_id", "high_id", name="uq_sync_duplicate_pair"),)
