"""Coverage per cycle and per area, drop-out from cycle 1, products used and left."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.smc import repository, rules
from alima.smc.enums import Exclusion, Product
from alima.smc.schemas import AreaFigures, CampaignReport, CycleFigures, ProductLine
from alima.smc.service.common import area_target, read_paths, visible_campaign

PRODUCT_OF_BAND = {band.value: dose.product for band, dose in rules.DOSES.items()}


def campaign_report(session: Session, campaign_id: uuid.UUID, *, actor: Actor) -> CampaignReport:
    """The campaign's figures over the places the reader may see (docs/clinical-rules.md §14).

    A child counts as treated in a cycle once, whatever the number of rows; an excluded child
    counts as excluded in a cycle only if not treated in it.
    """
    with session.begin():
        campaign = visible_campaign(session, actor, campaign_id)
        rows = repository.counted_administrations(session, campaign.id, read_paths(actor))
        treated = rules.treated_per_cycle((c, p) for c, p, _, e, *_ in rows if e is None)
        excluded: dict[int, set[uuid.UUID]] = defaultdict(set)
        for number, patient, _, exclusion, *_ in rows:
            if exclusion is not None and patient not in treated.get(number, set()):
                excluded[number].add(patient)
        areas = sorted(campaign.areas, key=lambda a: a.place.path)
        targets = {a.id: area_target(session, campaign, a) or 0 for a in areas}
        target = sum(targets.values())
        cycles = []
        for cycle in campaign.cycles:
            n = cycle.number
            given = [r for r in rows if r[0] == n and r[3] is None]
            lost, first = rules.dropout(treated, 1, n)
            cycles.append(
                CycleFigures(
                    number=n,
                    starts_on=cycle.starts_on,
                    target=target,
                    treated=len(treated.get(n, set())),
                    excluded=len(excluded.get(n, set())),
                    coverage_percent=rules.percent(len(treated.get(n, set())), target),
                    dropout=lost,
                    dropout_percent=rules.percent(lost, first),
                    day3_reported=sum(1 for r in given if r[4] is not None),
                    day3_given=sum(1 for r in given if r[4] is True),
                )
            )
        area_figures = []
        for area in areas:
            counts = []
            for cycle in campaign.cycles:
                inside = {
                    p
                    for c, p, path, e, *_ in rows
                    if c == cycle.number and e is None and path.startswith(area.place.path)
                }
                counts.append(len(inside))
            area_figures.append(
                AreaFigures(
                    place_code=area.place.code,
                    place_name=area.place.name,
                    target=targets[area.id],
                    treated=counts,
                    coverage_percent=[rules.percent(k, targets[area.id]) for k in counts],
                )
            )
        received: Counter[str] = Counter()
        for supply in repository.supplies(session, campaign.id, read_paths(actor)):
            received[supply.product] += supply.blisters
        used: Counter[str] = Counter()
        for _, _, _, exclusion, _, blisters, band in rows:
            if exclusion is None:
                used[PRODUCT_OF_BAND[band].value] += blisters
        products = [
            ProductLine(
                product=product,
                received=received[product.value],
                used=used[product.value],
                left=received[product.value] - used[product.value],
            )
            for product in Product
        ]
        reasons = Counter(r[3] for r in rows if r[3] is not None)
        return CampaignReport(
            campaign_id=campaign.id,
            campaign_name=campaign.name,
            season=campaign.season,
            target=target,
            cycles=cycles,
            areas=area_figures,
            products=products,
            exclusions={reason.value: reasons[reason.value] for reason in Exclusion},
        )
