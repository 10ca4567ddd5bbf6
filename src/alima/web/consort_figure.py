"""The CONSORT flow of a study's dashboard: boxes and arrows computed here, drawn inline as SVG.

The template only writes the coordinates (no script, no style attribute: the CSP forbids
both). The main column is the flow from screening to randomisation; each step's losses sit in
a box to its right; below randomisation one box per arm (open-label) or a single box (blinded:
the arms are not shown), then the withdrawals. Narrow enough for a 360 px phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alima.core.i18n import gettext
from alima.research.schemas import StudyDashboard

WIDTH = 340.0
MAIN_X = 4.0
MAIN_W = 180.0
SIDE_X = 200.0
SIDE_W = 136.0
LINE = 15.0
PAD = 6.0
GAP = 22.0


@dataclass
class Box:
    """A box of the figure and its lines of text (baseline y of each)."""

    x: float
    y: float
    width: float
    height: float
    lines: list[tuple[float, str]] = field(default_factory=list)
    id: str = ""
    #: Where the lines of text start.
    text_x: float = 0.0


@dataclass
class Arrow:
    """A connector from one box to the next."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class ConsortFigure:
    """The whole figure."""

    width: float
    height: float
    boxes: list[Box]
    arrows: list[Arrow]


def _box(x: float, y: float, width: float, texts: list[str], box_id: str) -> Box:
    height = PAD * 2 + LINE * len(texts)
    lines = [(round(y + PAD + LINE * (i + 1) - 3, 1), t) for i, t in enumerate(texts)]
    return Box(x=x, y=y, width=width, height=height, lines=lines, id=box_id, text_x=round(x + 5, 1))


def build_consort(board: StudyDashboard, reasons: dict[str, str]) -> ConsortFigure:
    """The figure of ``board``'s counts; ``reasons`` labels each reason not included."""
    c = board.counts
    boxes: list[Box] = []
    arrows: list[Arrow] = []
    steps = [
        ("screened", gettext("Screened"), c.screened, []),
        (
            "eligible",
            gettext("Eligible"),
            c.eligible,
            [f"{gettext('Not eligible')}: {c.screened - c.eligible}"],
        ),
        (
            "consented",
            gettext("Consented"),
            c.consented,
            [
                f"{reasons.get(code, code)}: {n}"
                for code, n in c.not_included.items()
                if code != "ineligible"
            ],
        ),
        ("randomised", gettext("Randomised"), c.included, []),
    ]
    y = 4.0
    previous: Box | None = None
    for code, label, count, losses in steps:
        box = _box(MAIN_X, y, MAIN_W, [f"{label}: {count}"], f"consort-{code}")
        if previous is not None:
            mid = MAIN_X + MAIN_W / 2
            arrows.append(Arrow(mid, previous.y + previous.height, mid, box.y))
        bottom = box.y + box.height
        if losses:
            side = _box(SIDE_X, y, SIDE_W, losses, f"lost-{code}")
            middle = round(y + box.height / 2, 1)
            arrows.append(Arrow(MAIN_X + MAIN_W, middle, SIDE_X, middle))
            boxes.append(side)
            bottom = max(bottom, side.y + side.height)
        boxes.append(box)
        previous = box
        y = bottom + GAP
    if previous is None:  # pragma: no cover - the steps are fixed
        raise ValueError(code)
    if board.study.blinded:
        arms = [
            [gettext("Arms not shown (blinded study)"), f"{gettext('Randomised')}: {c.included}"]
        ]
    else:
        labels = {a.code: a.label for a in board.study.arms}
        arms = [[labels.get(code, code), f"{n}"] for code, n in board.included_per_arm.items()]
    width = (WIDTH - MAIN_X - 4.0 * len(arms)) / max(1, len(arms))
    bottom = y
    for index, texts in enumerate(arms):
        x = MAIN_X + index * (width + 4.0)
        arm = _box(round(x, 1), y, round(width, 1), texts, f"arm-{index}")
        arrows.append(
            Arrow(MAIN_X + MAIN_W / 2, previous.y + previous.height, round(x + width / 2, 1), y)
        )
        boxes.append(arm)
        bottom = max(bottom, arm.y + arm.height)
    withdrawn = _box(
        MAIN_X, bottom + GAP, MAIN_W, [f"{gettext('Withdrawn since')}: {c.withdrawn}"], "withdrawn"
    )
    boxes.append(withdrawn)
    return ConsortFigure(
        width=WIDTH,
        height=round(withdrawn.y + withdrawn.height + 4.0, 1),
        boxes=boxes,
        arrows=arrows,
    )
