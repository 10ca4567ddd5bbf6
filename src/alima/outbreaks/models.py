"""ORM models of outbreak surveillance: weekly reports, line lists, thresholds, alerts.

Reports and cases are care data of the facility that wrote them (``Sync.site``) and belong to
the month of their week or onset (``PeriodLocked``). Threshold sets are written on the hub for a
country; alerts are raised where the reports meet (the hub) for a health area or a district and
travel to the sites of that place's lineage. Alerts carry their epi week as numbers, not as a
date: the response to an alert goes on after its month is approved.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base, IdMixin, PeriodLock, PeriodLocked
from alima.core.models import AboutNoPatient, LockedRecordMixin, Place, PlaceRef, RecordMixin, User


class WeeklyReport(AboutNoPatient, LockedRecordMixin, Base):
    """A facility's IDSR report of one epi week; a week with nothing to report has no lines.

    ``week_start`` is the first day of the week under the country's calendar (it dates the
    report for the monthly lock and for range queries). ``version`` counts the corrections.
    """

    __tablename__ = "outbreaks_weekly_report"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(dates={"week_start": None})

    place_id: Mapped[PlaceRef]
    epi_year: Mapped[int] = mapped_column(SmallInteger)
    epi_week: Mapped[int] = mapped_column(SmallInteger)
    week_start: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship()
    lines: Mapped[list["WeeklyCount"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="WeeklyCount.disease"
    )

    __table_args__ = (
        UniqueConstraint("place_id", "epi_year", "epi_week", name="one_per_week"),
        CheckConstraint("epi_week BETWEEN 1 AND 53", name="epi_week"),
        Index("ix_outbreaks_weekly_report_week", "week_start", "place_id"),
    )


class WeeklyCount(IdMixin, PeriodLocked, Base):
    """Cases and deaths of one disease and age group in a weekly report."""

    __tablename__ = "outbreaks_weekly_count"
    __sync__ = Sync.site("report.place_id")
    __period_lock__ = PeriodLock(parent="report")

    report_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("outbreaks_weekly_report.id"), index=True
    )
    disease: Mapped[str] = mapped_column(String(30))
    age_group: Mapped[str] = mapped_column(String(20))
    cases: Mapped[int] = mapped_column(Integer, default=0)
    deaths: Mapped[int] = mapped_column(Integer, default=0)

    report: Mapped[WeeklyReport] = relationship(back_populates="lines")

    __table_args__ = (
        UniqueConstraint("report_id", "disease", "age_group", name="one_line"),
        CheckConstraint("cases >= 0 AND deaths >= 0", name="not_negative"),
        Index("ix_outbreaks_weekly_count_disease", "disease", "report_id"),
    )


class LineListCase(AboutNoPatient, LockedRecordMixin, Base):
    """A suspected case of an immediately notifiable disease, on the line list of its facility.

    No name: the line list identifies a case by its facility, onset, age and sex. The epi week
    of onset is stored with it for the thresholds.
    """

    __tablename__ = "outbreaks_case"
    __sync__ = Sync.site()
    __period_lock__ = PeriodLock(dates={"onset_on": None})

    place_id: Mapped[PlaceRef]
    disease: Mapped[str] = mapped_column(String(30))
    onset_on: Mapped[date] = mapped_column(Date)
    epi_year: Mapped[int] = mapped_column(SmallInteger)
    epi_week: Mapped[int] = mapped_column(SmallInteger)
    village: Mapped[str | None] = mapped_column(String(200), nullable=True)
    age_months: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(1))
    vaccination: Mapped[str | None] = mapped_column(String(20), nullable=True)
    vaccine_doses: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    sample_taken: Mapped[bool] = mapped_column(Boolean, default=False)
    lab_result: Mapped[str] = mapped_column(String(20), default="awaiting")
    outcome: Mapped[str] = mapped_column(String(20), default="alive")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship()

    __table_args__ = (
        CheckConstraint("age_months >= 0 AND age_months < 1500", name="age"),
        CheckConstraint("sex IN ('M', 'F')", name="sex"),
        Index("ix_outbreaks_case_week", "disease", "epi_year", "epi_week"),
    )


class ThresholdSet(RecordMixin, Base):
    """A version of a country's threshold rules for one disease (``docs/clinical-rules.md §13.2``).

    The highest version of a country and disease is in force; the package's default file
    applies to a disease without any.
    """

    __tablename__ = "outbreaks_threshold_set"
    __sync__ = Sync("lineage", place="place_id")

    place_id: Mapped[PlaceRef]
    disease: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)

    place: Mapped[Place] = relationship()

    __table_args__ = (UniqueConstraint("place_id", "disease", "version", name="one_version"),)


class Alert(AboutNoPatient, RecordMixin, Base):
    """A threshold crossed by a health area or a district in an epi week, and its response."""

    __tablename__ = "outbreaks_alert"
    __sync__ = Sync("lineage", place="place_id")

    place_id: Mapped[PlaceRef]
    disease: Mapped[str] = mapped_column(String(30))
    epi_year: Mapped[int] = mapped_column(SmallInteger)
    epi_week: Mapped[int] = mapped_column(SmallInteger)
    level: Mapped[str] = mapped_column(String(10))
    rule_code: Mapped[str] = mapped_column(String(60))
    #: The rule as it stood when it fired, and the version of its set (0: the default file).
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    threshold_version: Mapped[int] = mapped_column(Integer, default=0)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="raised")

    place: Mapped[Place] = relationship()
    actions: Mapped[list["AlertActionLog"]] = relationship(
        back_populates="alert", order_by="AlertActionLog.created_at"
    )

    __table_args__ = (
        CheckConstraint("level IN ('alert', 'epidemic')", name="level"),
        Index("ix_outbreaks_alert_place", "place_id", "disease", "level", "status"),
    )


class AlertActionLog(RecordMixin, Base):
    """One step of an alert's response: who did what, from which status to which, and why."""

    __tablename__ = "outbreaks_alert_action"
    __sync__ = Sync("lineage", place="alert.place_id")

    alert_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("outbreaks_alert.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    alert: Mapped[Alert] = relationship(back_populates="actions")
    author: Mapped[User | None] = relationship()
