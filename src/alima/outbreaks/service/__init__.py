"""Outbreak use cases: reports and line lists, alerts and thresholds, reading.

``reports`` writes weekly reports and line-listed cases, ``alerts`` the response to alerts
and the threshold sets, ``reading`` reads them. Each public function is one use case and one
transaction; ``evaluation`` raises alerts inside the transaction of the data that crossed a
threshold; ``common`` holds what they share.
"""

from alima.outbreaks.service.alerts import (
    act_on_alert,
    evaluate_country,
    get_alert,
    list_alerts,
    publish_thresholds,
    thresholds_in_force,
)
from alima.outbreaks.service.reading import (
    completeness,
    district_dashboard,
    districts,
    list_cases,
    list_reports,
    writable_facilities,
)
from alima.outbreaks.service.reports import record_case, record_weekly_report, update_case

__all__ = [
    "act_on_alert",
    "completeness",
    "district_dashboard",
    "districts",
    "evaluate_country",
    "get_alert",
    "list_alerts",
    "list_cases",
    "list_reports",
    "publish_thresholds",
    "record_case",
    "record_weekly_report",
    "thresholds_in_force",
    "update_case",
    "writable_facilities",
]
