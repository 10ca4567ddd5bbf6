"""Pure rules of co-management.

What an agreement allows, how a month is approved and locked, how long an emergency access
lasts, what share of funding reaches national NGOs, what a training record must satisfy.

No database and no HTTP here: the services feed these functions plain values.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from alima.alliance.enums import DataAccess, ExportLevel, PeriodStatus
from alima.alliance.errors import AllianceError
from alima.core.access import Permission
from alima.core.errors import BadRequest, Conflict, RuleViolation
from alima.core.i18n import N_, gettext
from alima.core.text import fold

# --- partner agreements ----------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What an agreement lets a partner organisation's users do in a project."""

    data_access: DataAccess
    may_capture: bool
    may_approve: bool
    export_level: ExportLevel


#: Once a project has agreements, a partner organisation with none in force for a role gets
#: this: aggregates only, nothing captured, approved or exported (least privilege).
NO_AGREEMENT = Terms(DataAccess.AGGREGATES, False, False, ExportLevel.NONE)

#: Everything that shows or changes a patient's record.
PATIENT_LEVEL_PERMISSIONS = frozenset(
    {
        Permission.PATIENT_READ,
        Permission.PATIENT_WRITE,
        Permission.PATIENT_DELETE,
        Permission.AUDIT_READ,
        Permission.BREAK_GLASS,
        Permission.PATIENT_EXPORT,
        Permission.STUDY_EXPORT,  # pseudonymised, yet one row per child
    }
)
#: Data entry: registrations and care records, monthly submissions, trainings, funding.
CAPTURE_PERMISSIONS = frozenset(
    {
        Permission.PATIENT_WRITE,
        Permission.PATIENT_DELETE,
        Permission.DATA_SUBMIT,
        Permission.TRAINING_WRITE,
        Permission.FUNDING_WRITE,
        Permission.OUTBREAK_RESPOND,
    }
)
APPROVAL_PERMISSIONS = frozenset({Permission.DATA_APPROVE, Permission.PERIOD_UNLOCK})
EXPORT_WITHHELD: dict[ExportLevel, frozenset[Permission]] = {
    ExportLevel.NONE: frozenset(
        {Permission.AGGREGATE_EXPORT, Permission.PATIENT_EXPORT, Permission.STUDY_EXPORT}
    ),
    ExportLevel.AGGREGATES: frozenset({Permission.PATIENT_EXPORT, Permission.STUDY_EXPORT}),
    ExportLevel.PATIENT_LEVEL: frozenset(),
}


def withheld_permissions(terms: Terms) -> frozenset[Permission]:
    """The permissions an agreement does not give (removed from the user's role)."""
    withheld: set[Permission] = set(EXPORT_WITHHELD[terms.export_level])
    if terms.data_access is DataAccess.AGGREGATES:
        withheld |= PATIENT_LEVEL_PERMISSIONS
    if not terms.may_capture:
        withheld |= CAPTURE_PERMISSIONS
    if not terms.may_approve:
        withheld |= APPROVAL_PERMISSIONS
    return frozenset(withheld)


def check_terms(terms: Terms) -> None:
    """Refuse contradictory terms (patient-level exports for an aggregates-only partner)."""
    if (
        terms.data_access is DataAccess.AGGREGATES
        and terms.export_level is ExportLevel.PATIENT_LEVEL
    ):
        raise RuleViolation(AllianceError.ALLIANCE_003)


def check_dates(start: date, end: date | None) -> None:
    """Refuse a period that ends before it starts."""
    if end is not None and end < start:
        raise RuleViolation(AllianceError.ALLIANCE_004)


def in_force(effective_from: date, effective_to: date | None, on: date) -> bool:
    """Whether an agreement with these dates applies on ``on`` (both ends included)."""
    return effective_from <= on and (effective_to is None or on <= effective_to)


def overlaps(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Whether two date ranges (open-ended when ``None``) share a day."""
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def pick_terms(candidates: Iterable[tuple[str | None, Terms]], role: str) -> Terms | None:
    """The terms for ``role``: an agreement naming the role wins over an organisation-wide one."""
    general: Terms | None = None
    for agreement_role, terms in candidates:
        if agreement_role == role:
            return terms
        if agreement_role is None:
            general = terms
    return general


ACCESS_SENTENCES = {
    DataAccess.PATIENT_LEVEL: N_("Sees patient-level records at the project's sites."),
    DataAccess.AGGREGATES: N_("Sees aggregates only: no patient's record, name or identifier."),
}
EXPORT_SENTENCES = {
    ExportLevel.NONE: N_("Exports nothing."),
    ExportLevel.AGGREGATES: N_("Exports aggregates only."),
    ExportLevel.PATIENT_LEVEL: N_("Exports patient-level data (such as the read audit)."),
}


def describe_terms(terms: Terms) -> list[str]:
    """The agreement in plain words, in the current language, one sentence per right."""
    return [
        gettext(ACCESS_SENTENCES[terms.data_access]),
        gettext(
            N_("Captures data: patients and care, monthly submissions, trainings, funding.")
            if terms.may_capture
            else N_("Does not capture data.")
        ),
        gettext(
            N_("Approves the monthly data of the project's sites.")
            if terms.may_approve
            else N_("Does not approve the monthly data.")
        ),
        gettext(EXPORT_SENTENCES[terms.export_level]),
    ]


# --- monthly approval and locking ------------------------------------------------------------

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: Months outside these years are typing mistakes, not reporting periods.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(text: str) -> date:
    """The first day of the month written ``YYYY-MM``."""
    match = _MONTH.match(text.strip())
    if match is None or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        raise BadRequest(AllianceError.ALLIANCE_024)
    return date(int(match.group(1)), int(match.group(2)), 1)


MONTHS_A_YEAR = 12


def month_start(on: date) -> date:
    """First day of the month of ``on``."""
    return on.replace(day=1)


def next_month(on: date) -> date:
    """First day of the month after the month of ``on``."""
    if on.month == MONTHS_A_YEAR:
        return date(on.year + 1, 1, 1)
    return date(on.year, on.month + 1, 1)


def month_end(on: date) -> date:
    """Last day of the month of ``on``."""
    return next_month(on) - timedelta(days=1)


def month_key(on: date) -> str:
    """``YYYY-MM`` of the month of ``on``."""
    return f"{on.year:04d}-{on.month:02d}"


def month_keys(start: date, end: date) -> list[str]:
    """Every month touched by ``[start, end]``, oldest first."""
    keys: list[str] = []
    current = month_start(start)
    while current <= end:
        keys.append(month_key(current))
        current = next_month(current)
    return keys


def months_before(on: date, count: int) -> date:
    """First day of the month ``count`` months before the month of ``on``."""
    index = on.year * MONTHS_A_YEAR + on.month - 1 - count
    return date(index // MONTHS_A_YEAR, index % MONTHS_A_YEAR + 1, 1)


def recent_months(today: date, count: int) -> list[date]:
    """The first days of the last ``count`` months that have ended, newest first."""
    months: list[date] = []
    current = month_start(today)
    for _ in range(count):
        current = month_start(current - timedelta(days=1))
        months.append(current)
    return months


def check_submission(
    starts_on: date, today: date, status: PeriodStatus | None, **where: str
) -> None:
    """A month is submitted once it has ended, and only if not already awaiting or approved."""
    if month_end(starts_on) >= today:
        raise RuleViolation(AllianceError.ALLIANCE_006)
    if status is not None and status is not PeriodStatus.REOPENED:
        raise Conflict(AllianceError.ALLIANCE_007, **where)


def required_approvers(lead_ids: Iterable[uuid.UUID]) -> frozenset[uuid.UUID]:
    """The organisations whose coordinators must approve: the project's lead and co-leads."""
    required = frozenset(lead_ids)
    if not required:
        raise RuleViolation(AllianceError.ALLIANCE_011)
    return required


def check_approval(
    status: PeriodStatus,
    organisation_id: uuid.UUID | None,
    required: frozenset[uuid.UUID],
    approved: frozenset[uuid.UUID],
) -> None:
    """A submitted month is approved once per required organisation."""
    if (
        status is not PeriodStatus.SUBMITTED
        or organisation_id is None
        or organisation_id not in required - approved
    ):
        raise Conflict(AllianceError.ALLIANCE_008)


def status_after_approvals(
    required: frozenset[uuid.UUID], approved: frozenset[uuid.UUID]
) -> PeriodStatus:
    """Approved (and so locked) when every required organisation has approved."""
    return PeriodStatus.APPROVED if required <= approved else PeriodStatus.SUBMITTED


def check_unlock(status: PeriodStatus) -> None:
    """Only an approved month can be unlocked."""
    if status is not PeriodStatus.APPROVED:
        raise Conflict(AllianceError.ALLIANCE_009)


def is_locked(status: PeriodStatus) -> bool:
    """An approved month refuses every change dated inside it."""
    return status is PeriodStatus.APPROVED


def ancestor_ids(path: str) -> list[uuid.UUID]:
    """The ids in a materialised place path (``/a/b/c/``): the place and all its ancestors."""
    return [uuid.UUID(hex=part) for part in path.strip("/").split("/") if part]


# --- break-the-glass ------------------------------------------------------------------------

#: A reason shorter than this is not a reason ("urgence" alone says nothing of the situation).
MIN_EMERGENCY_REASON = 15
#: A reason is words: at least this many different words of two letters or more...
MIN_REASON_WORDS = 3
#: ...and this many different letters ("aaaa aaaa aaaa" or "ab ab ab ab" say nothing).
MIN_REASON_LETTERS = 6
_WORD = re.compile(r"[^\W\d_]{2,}")


def is_real_reason(text: str) -> bool:
    """Whether an emergency reason looks like a sentence rather than filler.

    Long enough, several different words, several different letters: "aaaaaaaaaaaaaaaaaaaa"
    or "test test test test" are refused, "enfant inconscient amené par sa mère" passes.
    """
    folded = text.casefold().strip()
    words = set(_WORD.findall(folded))
    letters = {c for c in folded if c.isalpha()}
    return (
        len(folded) >= MIN_EMERGENCY_REASON
        and len(words) >= MIN_REASON_WORDS
        and len(letters) >= MIN_REASON_LETTERS
    )


def emergency_expiry(now: datetime, hours: int) -> datetime:
    """When an emergency access opened ``now`` ends."""
    return now + timedelta(hours=hours)


# --- funding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantFigures:
    """A grant in its own currency, its value in the reporting currency, and its allocations."""

    amount: int
    reporting_amount: int
    allocations: tuple[tuple[bool, int], ...]  # (goes to a national NGO, amount)


@dataclass(frozen=True)
class FundingShare:
    """Funding and the part of it allocated directly to national NGOs (reporting currency)."""

    total: int
    national: int
    share_percent: float | None


def funding_share(grants: Sequence[GrantFigures]) -> FundingShare:
    """Share of funding allocated directly to national NGOs, over all grants.

    Each allocation is converted at its grant's own rate (reporting amount / amount), so a
    grant in XOF and one in USD add up in the reporting currency; computed exactly, rounded
    once at the end (the indicator of ALIMA's "Together" model).
    """
    total = sum(g.reporting_amount for g in grants)
    national = sum(
        (
            Fraction(amount * g.reporting_amount, g.amount)
            for g in grants
            for to_national, amount in g.allocations
            if to_national
        ),
        Fraction(0),
    )
    share = round(float(national * 100 / total), 1) if total else None
    return FundingShare(total=total, national=round(national), share_percent=share)


def check_allocation(grant_amount: int, allocated: int, amount: int, currency: str) -> None:
    """Allocations of a grant cannot exceed the grant."""
    if allocated + amount > grant_amount:
        raise RuleViolation(
            AllianceError.ALLIANCE_012,
            total=allocated + amount,
            amount=grant_amount,
            currency=currency,
        )


def check_reporting_amount(
    currency: str, reporting_currency: str, amount: int, reporting_amount: int
) -> None:
    """A grant already in the reporting currency has the same amount in it."""
    if currency == reporting_currency and amount != reporting_amount:
        raise RuleViolation(AllianceError.ALLIANCE_013, currency=currency)


# --- trainings -------------------------------------------------------------------------------


def check_training(
    started_on: date, ended_on: date, today: date, topic: str, topics: Sequence[str]
) -> None:
    """A training has a known topic, coherent dates, and has ended when recorded."""
    if topic not in topics:
        raise RuleViolation(AllianceError.ALLIANCE_014, topics=", ".join(topics))
    check_dates(started_on, ended_on)
    if ended_on > today:
        raise RuleViolation(AllianceError.ALLIANCE_015)


def participant_key(full_name: str) -> str:
    """How a health worker is recognised across trainings (accents, case and spaces folded)."""
    return fold(full_name)[:200]
