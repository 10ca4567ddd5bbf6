"""The figures alima can send to DHIS2, by code: lines of the monthly report and indicators.

Each figure reads a number alima already computes, never recounts: a line of the monthly
CMAM report (``MonthlyReport``, ``alima.nutrition.service.monthly_report``) or a registered
indicator (``alima.indicators.registry``, its own code). A figure with options is
disaggregated (by admission criterion, by exit outcome); the empty option is its total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from alima.core.i18n import N_
from alima.indicators.registry import load_indicators
from alima.nutrition.enums import Outcome
from alima.nutrition.schemas import MonthlyReport
from alima.nutrition.service.episodes import CRITERION_PRIORITY

#: The empty option: a figure's total.
TOTAL = ""


@dataclass(frozen=True)
class ReportFigure:
    """A line of the monthly report: its code, label, options and how to read it."""

    code: str
    label: str
    options: tuple[str, ...]
    read: Callable[[MonthlyReport], dict[str, int]]


def _total(read: Callable[[MonthlyReport], int]) -> Callable[[MonthlyReport], dict[str, int]]:
    return lambda report: {TOTAL: read(report)}


REPORT_FIGURES: tuple[ReportFigure, ...] = (
    ReportFigure(
        "CMAM-AT-START",
        N_("In treatment at start of month"),
        (),
        _total(lambda r: r.at_start),
    ),
    ReportFigure(
        "CMAM-NEW-ADMISSIONS",
        N_("New admissions (by admission criterion)"),
        tuple(c.value for c in CRITERION_PRIORITY),
        lambda r: {TOTAL: r.new_admissions, **r.admissions_by_criterion},
    ),
    ReportFigure("CMAM-RELAPSES", N_("Relapses"), (), _total(lambda r: r.relapses)),
    ReportFigure("CMAM-TRANSFERS-IN", N_("Transfers in"), (), _total(lambda r: r.transfers_in)),
    ReportFigure(
        "CMAM-ADMISSIONS", N_("Total admissions"), (), _total(lambda r: r.total_admissions)
    ),
    ReportFigure(
        "CMAM-EXITS",
        N_("Exits (by outcome)"),
        tuple(o.value for o in Outcome),
        lambda r: {TOTAL: r.total_exits, **r.exits_by_outcome},
    ),
    ReportFigure("CMAM-AT-END", N_("In treatment at end of month"), (), _total(lambda r: r.at_end)),
    ReportFigure(
        "CMAM-RUTF-SACHETS-GIVEN",
        N_("Sachets given this month"),
        (),
        _total(lambda r: r.rutf_sachets_given),
    ),
)

REPORT_FIGURE_CODES = {f.code: f for f in REPORT_FIGURES}


def figure_options() -> dict[str, tuple[str, ...]]:
    """Every figure that can be mapped, with its options: report lines, then indicators."""
    known: dict[str, tuple[str, ...]] = {f.code: f.options for f in REPORT_FIGURES}
    for indicator in load_indicators():
        known.setdefault(indicator.code, ())
    return known


def figure_labels() -> dict[str, str]:
    """The English source label of every figure (translated where shown)."""
    labels = {f.code: f.label for f in REPORT_FIGURES}
    for indicator in load_indicators():
        labels.setdefault(indicator.code, indicator.label)
    return labels
