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
from alima.research.service.exports import (
    FORMATS,
    ExportFile,
    export_allowed,
    export_study,
    may_export,
    participants,
)
from alima.research.service.followup import (
    child_follow_up,
    mark_reported,
    missed_windows,
    record_study_visit,
    report_adverse_event,
    study_safety,
)
from alima.research.service.monitoring import (
    answer_query,
    close_query,
    monitored_children,
    queries_of,
    raise_query,
    refuse_unwatched,
    source_record,
)
from alima.research.service.oversight import unblind
from alima.research.service.setup import (
    add_consent_form,
    add_ethics_approval,
    may_set_up,
    require_setup_right,
    study_setup,
)
from alima.research.service.studies import (
    create_study,
    generate_sequence,
    list_studies,
    sequence_matches,
    study_dashboard,
)

__all__ = [
    "FORMATS",
    "ExportFile",
    "add_consent_form",
    "add_ethics_approval",
    "answer_query",
    "child_follow_up",
    "child_in_study",
    "close_query",
    "create_study",
    "decline",
    "export_allowed",
    "export_study",
    "generate_sequence",
    "list_studies",
    "mark_reported",
    "may_export",
    "may_set_up",
    "missed_windows",
    "monitored_children",
    "participants",
    "queries_of",
    "raise_query",
    "randomise",
    "record_consent",
    "record_study_visit",
    "refuse_outside",
    "refuse_unwatched",
    "report_adverse_event",
    "require_setup_right",
    "screen_admission",
    "sequence_matches",
    "source_record",
    "study_dashboard",
    "study_panel",
    "study_safety",
    "study_setup",
    "unblind",
    "withdraw",
]
