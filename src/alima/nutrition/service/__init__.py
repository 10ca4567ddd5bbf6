"""Use cases of CMAM care: admit, record a visit, close an episode, caseload, monthly report.

Each public function is one transaction. The protocol decisions (band, ration, next visit,
alerts, exit) come from ``alima.nutrition.rules`` and the z-scores from ``alima.growth``; the
service only gathers the facts, applies the rules, writes the rows with their audit events and
returns what the page shows. A child outside the actor's scope is reported as absent (404) and
the attempt is audited, as for patients.

Split by use case: ``admission``, ``visits``, ``exits`` (exit, referral decision), ``caseload``
(reads), ``report``, ``protocols`` (country overrides); ``episodes`` and ``measures`` hold what
they share.
"""

from alima.nutrition.service.admission import admit_child
from alima.nutrition.service.caseload import (
    caseload,
    close_defaulters_at,
    get_episode,
    nutrition_sites,
    patient_episodes,
)
from alima.nutrition.service.episodes import (
    CRITERION_PRIORITY,
    close_defaulters,
    episode_read,
    ration_read,
    visit_read,
)
from alima.nutrition.service.exits import (
    exit_episode,
    resolve_referral,
)
from alima.nutrition.service.protocols import (
    country_case_definition,
    muac_cutoffs,
    set_protocol_override,
)
from alima.nutrition.service.report import (
    monthly_report,
    monthly_reports,
    refresh_summary,
    report_scopes,
)
from alima.nutrition.service.tracing import children_to_trace, record_tracing
from alima.nutrition.service.visits import record_visit

__all__ = [
    "CRITERION_PRIORITY",
    "admit_child",
    "caseload",
    "children_to_trace",
    "close_defaulters",
    "close_defaulters_at",
    "country_case_definition",
    "episode_read",
    "exit_episode",
    "get_episode",
    "monthly_report",
    "monthly_reports",
    "muac_cutoffs",
    "nutrition_sites",
    "patient_episodes",
    "ration_read",
    "record_tracing",
    "record_visit",
    "refresh_summary",
    "report_scopes",
    "resolve_referral",
    "set_protocol_override",
    "visit_read",
]
