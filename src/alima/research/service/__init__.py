"""Research use cases (each public function is one transaction, except the admission hook)."""

from alima.research.service.enrolment import (
    child_in_study,
    decline,
    randomise,
    record_consent,
    refuse_outside,
    screen_admission,
    study_panel,
    withdraw,
)
from alima.research.service.oversight import unblind
from alima.research.service.studies import (
    create_study,
    generate_sequence,
    list_studies,
    sequence_matches,
    study_dashboard,
)

__all__ = [
    "child_in_study",
    "create_study",
    "decline",
    "generate_sequence",
    "list_studies",
    "randomise",
    "record_consent",
    "refuse_outside",
    "screen_admission",
    "sequence_matches",
    "study_dashboard",
    "study_panel",
    "unblind",
    "withdraw",
]
