"""Every model that records when care or activity happened is under the monthly lock.

``alima.core.period_lock`` guards, at flush, every row of a ``PeriodLocked`` model. This test
walks every mapped model: one with a date (or a timestamp other than the bookkeeping ones)
must declare the lock, point to a parent that does, or be listed below with its reason.
"""

from __future__ import annotations

from sqlalchemy import Date, DateTime
from sqlalchemy.orm import Mapper

from alima.all_models import Base
from alima.core.db import PeriodLocked, UTCDateTime

#: Timestamps every row has; they say when a row was written, not when care happened.
BOOKKEEPING = {"created_at", "updated_at", "deleted_at"}

#: Models with dates that describe no care or activity of a reporting month, and why.
EXEMPT: dict[str, str] = {
    "core_user": "sign-in time: an account, not care",
    "core_user_session": "session lifetime: authentication",
    "core_api_token": "token lifetime: authentication",
    "core_login_attempt": "sign-in attempts: authentication",
    "core_login_throttle": "sign-in throttle of a client: authentication",
    "core_audit_event": "the audit trail must record every event, locked month or not",
    "sync_change": "the change log records every change, locked month or not",
    "sync_node": "enrolment and contact times of a laptop: sync",
    "sync_enrolment": "validity of a one-time code: sync",
    "sync_peer": "sync attempts of this laptop: sync",
    "sync_quarantine": "when a record was refused and reviewed: sync",
    "sync_conflict": "when a conflict arose and was reviewed: sync",
    "sync_duplicate": "when a pair of possible duplicates was found and decided: sync",
    "core_project": "project start and end: configuration",
    "alliance_agreement": "agreement validity: governance, not data of a month",
    "alliance_data_period": "the lock itself (submitted, approved, unlocked)",
    "alliance_period_approval": "an approval of the lock itself",
    "alliance_break_glass": "emergency access window: access control",
    "alliance_funding_grant": "grant dates: finance, not reported activity",
    "nutrition_protocol_override": "a protocol's effective date: configuration",
    "research_study": "a study's dates and its sequence's drawing: set-up, not activity",
    "research_ethics_approval": "an approval's dates: study governance",
    "research_protocol_version": "a protocol version's date: study governance",
    "research_consent_form": "a form version's approval date: study governance",
    "research_sequence_entry": "when a concealed arm was used: the randomisation's own record",
    "research_screening": "the study's log, outside the monthly reports; the care it reads is locked",
    "research_consent": "consent and its withdrawal, which a caregiver may give at any time",
    "research_allocation": "an arm revealed once and never changed, whatever the month",
    "research_study_visit": "a study's own follow-up measures, outside the monthly reports",
    "research_adverse_event": "safety reporting to the sponsor, due whatever the month",
    "research_query": "a monitor's question on the data and the site's answer, whatever the month",
    "research_unblinding": "an emergency unblinding, recorded when it happens, never changed",
    "nutrition_month_figure": "figures derived from locked care, rewritten from it by the refresh",
    "nutrition_month_dirty": "marks of derived figures to rewrite, set by every write",
    "nutrition_month_state": "how far the derived figures go: bookkeeping of the summary",
}


def _dated_columns(mapper: Mapper[object]) -> list[str]:
    return [
        column.key
        for column in mapper.columns
        if isinstance(column.type, Date | DateTime | UTCDateTime) and column.key not in BOOKKEEPING
    ]


def test_every_dated_model_is_locked_or_exempted_with_a_reason() -> None:
    missing = []
    for mapper in Base.registry.mappers:
        table = mapper.persist_selectable.name  # type: ignore[attr-defined]
        cls = mapper.class_
        if issubclass(cls, PeriodLocked):
            lock = cls.__period_lock__
            if lock.parent is None:
                assert lock.dates, f"{table}: a lock without dates"
                for name in lock.dates:
                    assert name in mapper.columns, f"{table}: no column {name}"
                assert lock.place in mapper.columns, f"{table}: no column {lock.place}"
            else:
                parent = mapper.relationships[lock.parent].mapper.class_
                assert issubclass(parent, PeriodLocked), f"{table}: parent is not locked"
            continue
        if _dated_columns(mapper) and not EXEMPT.get(table, "").strip():
            missing.append(f"{table} ({', '.join(_dated_columns(mapper))})")
    assert not missing, f"dated models neither locked nor exempted: {missing}"


def test_the_exemptions_name_real_dated_models() -> None:
    tables = {m.persist_selectable.name: m for m in Base.registry.mappers}  # type: ignore[attr-defined]
    for table in EXEMPT:
        assert table in tables, table
        assert _dated_columns(tables[table]), f"{table} has no date: drop its exemption"
        assert not issubclass(tables[table].class_, PeriodLocked), f"{table} is locked"


#: Rows that name a locked record without being part of it, with the reason.
NOT_PART_OF: dict[str, str] = {
    "alliance_emergency_alert": "an alert about an emergency access to a patient, not care data",
}


def test_children_of_locked_records_are_locked_through_their_parent() -> None:
    """A row whose foreign key points to a locked record changes that record's month."""
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = mapper.persist_selectable.name  # type: ignore[attr-defined]
        if issubclass(cls, PeriodLocked) or _dated_columns(mapper) or table in NOT_PART_OF:
            continue
        for rel in mapper.relationships:
            target = rel.mapper.class_
            if rel.direction.name == "MANYTOONE" and issubclass(target, PeriodLocked):
                raise AssertionError(f"{mapper.class_.__name__} belongs to a locked {target}")
