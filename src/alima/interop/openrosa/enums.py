"""States of a received submission."""

from enum import StrEnum

from alima.core.i18n import N_


class SubmissionStatus(StrEnum):
    """What became of a submission (every one is kept, whatever its state)."""

    RECEIVED = "received"  # stored, not yet applied (a crash in between leaves it so)
    APPLIED = "applied"  # the service recorded it
    REFUSED = "refused"  # a rule, the scope or the period lock refused it: waits for review
    MALFORMED = "malformed"  # not an XML of one of our forms
    CONFLICT = "conflict"  # another XML under an instance ID already received
    REJECTED = "rejected"  # a data manager closed it without applying it, with a reason


#: States a data manager is asked to look at.
TO_REVIEW = (
    SubmissionStatus.REFUSED,
    SubmissionStatus.MALFORMED,
    SubmissionStatus.CONFLICT,
    SubmissionStatus.RECEIVED,
)

#: What each state is called on pages and in messages.
STATUS_LABELS: dict[SubmissionStatus, str] = {
    SubmissionStatus.RECEIVED: N_("received, not applied"),
    SubmissionStatus.APPLIED: N_("recorded"),
    SubmissionStatus.REFUSED: N_("refused by the rules"),
    SubmissionStatus.MALFORMED: N_("unreadable"),
    SubmissionStatus.CONFLICT: N_("instance ID already used"),
    SubmissionStatus.REJECTED: N_("rejected"),
}
