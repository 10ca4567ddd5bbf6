"""Pure rules of co-management: agreements, months, funding share, trainings."""

import uuid
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alima.alliance import rules
from alima.alliance.enums import DataAccess, ExportLevel, PeriodStatus
from alima.alliance.errors import AllianceError
from alima.core.access import ROLE_PERMISSIONS, Actor, Grant, Permission
from alima.core.enums import Role
from alima.core.errors import AlimaError, BadRequest, Conflict, RuleViolation
from alima.core.i18n import set_locale

FULL = rules.Terms(DataAccess.PATIENT_LEVEL, True, True, ExportLevel.PATIENT_LEVEL)
AGGREGATES = rules.Terms(DataAccess.AGGREGATES, False, False, ExportLevel.AGGREGATES)


@pytest.mark.parametrize(
    ("terms", "withheld", "kept"),
    [
        (FULL, set(), {Permission.PATIENT_READ, Permission.DATA_APPROVE}),
        (
            AGGREGATES,
            {Permission.PATIENT_READ, Permission.AUDIT_READ, Permission.PATIENT_EXPORT},
            {Permission.AGGREGATE_EXPORT, Permission.AGGREGATE_READ},
        ),
        (
            rules.Terms(DataAccess.PATIENT_LEVEL, False, True, ExportLevel.NONE),
            {Permission.PATIENT_WRITE, Permission.AGGREGATE_EXPORT, Permission.FUNDING_WRITE},
            {Permission.PATIENT_READ, Permission.DATA_APPROVE},
        ),
        (
            rules.NO_AGREEMENT,
            {Permission.PATIENT_READ, Permission.DATA_APPROVE, Permission.AGGREGATE_EXPORT},
            {Permission.AGGREGATE_READ, Permission.PLACE_READ},
        ),
    ],
    ids=["patient-level", "aggregates", "no-capture-no-export", "no-agreement"],
)
def test_withheld_permissions(
    terms: rules.Terms, withheld: set[Permission], kept: set[Permission]
) -> None:
    result = rules.withheld_permissions(terms)
    assert withheld <= result
    assert not kept & result


def test_an_agreement_never_widens_a_role() -> None:
    for role in Role:
        grant = Grant(role, ("/a/",), withheld=rules.withheld_permissions(FULL))
        assert grant.permissions <= ROLE_PERMISSIONS[role]


def test_withheld_permissions_leave_the_actor() -> None:
    grant = Grant(Role.COORDINATOR, ("/a/",), withheld=rules.withheld_permissions(AGGREGATES))
    actor = Actor(id=uuid.uuid4(), username="p", full_name="P", grants=(grant,))
    assert actor.can(Permission.AGGREGATE_READ)
    assert not actor.can(Permission.PATIENT_READ)
    assert actor.paths_for(Permission.PATIENT_READ) == ()
    assert not actor.can_at(Permission.AUDIT_READ, "/a/b/")


def test_contradictory_terms_are_refused() -> None:
    with pytest.raises(RuleViolation) as refused:
        rules.check_terms(
            rules.Terms(DataAccess.AGGREGATES, False, False, ExportLevel.PATIENT_LEVEL)
        )
    assert refused.value.code is AllianceError.ALLIANCE_003


@pytest.mark.parametrize(
    ("candidates", "role", "expected"),
    [
        ([(None, FULL)], "clinician", FULL),
        ([(None, FULL), ("clinician", AGGREGATES)], "clinician", AGGREGATES),
        ([("clinician", AGGREGATES), (None, FULL)], "data_manager", FULL),
        ([("clinician", AGGREGATES)], "data_manager", None),
        ([], "clinician", None),
    ],
    ids=["general", "role-wins", "other-role", "only-other-role", "none"],
)
def test_pick_terms(
    candidates: list[tuple[str | None, rules.Terms]], role: str, expected: rules.Terms | None
) -> None:
    assert rules.pick_terms(candidates, role) == expected


@pytest.mark.parametrize(
    ("start", "end", "on", "expected"),
    [
        (date(2026, 1, 1), None, date(2030, 1, 1), True),
        (date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 31), True),
        (date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1), False),
        (date(2026, 1, 1), None, date(2025, 12, 31), False),
    ],
)
def test_in_force(start: date, end: date | None, on: date, expected: bool) -> None:
    assert rules.in_force(start, end, on) is expected


def test_overlaps() -> None:
    assert rules.overlaps(date(2026, 1, 1), None, date(2030, 1, 1), None)
    assert not rules.overlaps(date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1), None)
    assert rules.overlaps(date(2026, 1, 1), date(2026, 7, 1), date(2026, 7, 1), None)


def test_plain_words_in_both_languages() -> None:
    set_locale("en")
    assert rules.describe_terms(AGGREGATES) == [
        "Sees aggregates only: no patient's record, name or identifier.",
        "Does not capture data.",
        "Does not approve the monthly data.",
        "Exports aggregates only.",
    ]
    set_locale("fr")
    assert len(rules.describe_terms(FULL)) == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03", date(2026, 3, 1)), (" 2026-12 ", date(2026, 12, 1))],
)
def test_parse_month(text: str, expected: date) -> None:
    assert rules.parse_month(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-03", "1999-01", "2026-3", ""])
def test_parse_month_refuses(text: str) -> None:
    with pytest.raises(BadRequest):
        rules.parse_month(text)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_month_arithmetic(on: date) -> None:
    start, end = rules.month_start(on), rules.month_end(on)
    assert start <= on <= end
    assert rules.next_month(on) == end + timedelta(days=1)
    assert rules.month_keys(start, end) == [rules.month_key(on)]
    assert len(rules.month_keys(rules.months_before(on, 11), on)) == 12
    assert rules.recent_months(on, 1) == [rules.month_start(start - timedelta(days=1))]


def test_submission_approval_unlock() -> None:
    today = date(2026, 11, 21)
    with pytest.raises(RuleViolation):
        rules.check_submission(date(2026, 11, 1), today, None)
    rules.check_submission(date(2026, 10, 1), today, None)
    rules.check_submission(date(2026, 10, 1), today, PeriodStatus.REOPENED)
    for status in (PeriodStatus.SUBMITTED, PeriodStatus.APPROVED):
        with pytest.raises(Conflict):
            rules.check_submission(date(2026, 10, 1), today, status, month="2026-10", place="X")
    lead, colead, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    required = rules.required_approvers([lead, colead])
    rules.check_approval(PeriodStatus.SUBMITTED, lead, required, frozenset())
    for org, approved in ((lead, frozenset({lead})), (other, frozenset()), (None, frozenset())):
        with pytest.raises(Conflict):
            rules.check_approval(PeriodStatus.SUBMITTED, org, required, approved)
    with pytest.raises(Conflict):
        rules.check_approval(PeriodStatus.APPROVED, colead, required, frozenset({lead}))
    assert rules.status_after_approvals(required, frozenset({lead})) is PeriodStatus.SUBMITTED
    assert rules.status_after_approvals(required, frozenset({lead, colead})) is (
        PeriodStatus.APPROVED
    )
    assert rules.is_locked(PeriodStatus.APPROVED)
    assert not rules.is_locked(PeriodStatus.REOPENED)
    rules.check_unlock(PeriodStatus.APPROVED)
    with pytest.raises(Conflict):
        rules.check_unlock(PeriodStatus.SUBMITTED)
    with pytest.raises(RuleViolation):
        rules.required_approvers([])


def test_ancestor_ids() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    assert rules.ancestor_ids(f"/{a.hex}/{b.hex}/") == [a, b]


def test_emergency_expiry() -> None:
    now = datetime(2026, 11, 21, 8, tzinfo=UTC)
    assert rules.emergency_expiry(now, 4) == datetime(2026, 11, 21, 12, tzinfo=UTC)


def test_funding_share_converts_each_grant_at_its_own_rate() -> None:
    share = rules.funding_share(
        [
            rules.GrantFigures(100_000, 100_000, ((True, 40_000), (False, 50_000))),
            rules.GrantFigures(6_559_570, 10_000, ((True, 3_279_785),)),
        ]
    )
    assert share == rules.FundingShare(total=110_000, national=45_000, share_percent=40.9)
    assert rules.funding_share([]).share_percent is None


@given(
    st.lists(
        st.tuples(
            st.integers(1, 10**9),
            st.integers(1, 10**7),
            st.lists(st.tuples(st.booleans(), st.integers(1, 10**6)), max_size=4),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_funding_share_is_exact_and_bounded(
    raw: list[tuple[int, int, list[tuple[bool, int]]]],
) -> None:
    grants = []
    for amount, reporting, allocations in raw:
        capped: list[tuple[bool, int]] = []
        left = amount
        for national, value in allocations:
            if value <= left:
                capped.append((national, value))
                left -= value
        grants.append(rules.GrantFigures(amount, reporting, tuple(capped)))
    share = rules.funding_share(grants)
    expected = sum(
        (Fraction(v * g.reporting_amount, g.amount) for g in grants for n, v in g.allocations if n),
        Fraction(0),
    )
    assert share.national == round(expected)
    assert share.share_percent is not None and 0 <= share.share_percent <= 100


def test_allocation_and_reporting_checks() -> None:
    rules.check_allocation(100, 60, 40, "EUR")
    with pytest.raises(RuleViolation) as over:
        rules.check_allocation(100, 60, 41, "EUR")
    assert over.value.context == {"total": 101, "amount": 100, "currency": "EUR"}
    rules.check_reporting_amount("XOF", "EUR", 655_957, 1_000)
    with pytest.raises(RuleViolation):
        rules.check_reporting_amount("EUR", "EUR", 1_000, 999)


def test_training_checks_and_participant_key() -> None:
    topics = ("IPC", "MUAC")
    day = date(2026, 11, 1)
    rules.check_training(day, day, day, "IPC", topics)
    for started, ended, topic, code in [
        (day, day, "XYZ", AllianceError.ALLIANCE_014),
        (day, day - timedelta(days=1), "IPC", AllianceError.ALLIANCE_004),
        (day, day + timedelta(days=1), "IPC", AllianceError.ALLIANCE_015),
    ]:
        with pytest.raises(AlimaError) as refused:
            rules.check_training(started, ended, day, topic, topics)
        assert refused.value.code is code
    assert rules.participant_key("  AÏSSATA   Maïga ") == rules.participant_key("aissata maiga")
