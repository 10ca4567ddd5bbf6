"""SMC use cases: campaigns (``campaigns``), doses and lists (``doses``), figures (``report``).

Each public function is one use case and one transaction; ``common`` holds what they share
(who reads and writes, the scope of a campaign, DTOs, the settings).
"""

from alima.smc.service.campaigns import (
    add_team,
    create_campaign,
    cycle_summary,
    get_campaign,
    list_campaigns,
    record_supply,
    setup_places,
    writable_site_options,
)
from alima.smc.service.common import SmcSettings
from alima.smc.service.doses import (
    delete_dose,
    distribution_list,
    household,
    record_dose,
    report_adherence,
)
from alima.smc.service.report import campaign_report

__all__ = [
    "SmcSettings",
    "add_team",
    "campaign_report",
    "create_campaign",
    "cycle_summary",
    "delete_dose",
    "distribution_list",
    "get_campaign",
    "household",
    "list_campaigns",
    "record_dose",
    "record_supply",
    "report_adherence",
    "setup_places",
    "writable_site_options",
]
