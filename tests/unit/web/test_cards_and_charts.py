"""Phone layout helpers: list tables' cells carry their headings; chart dates never overlap."""

from itertools import pairwise

import pytest

from alima.web.cards import label_cells
from alima.web.charts import X_LABEL_ROOM, Tick, line_chart, spaced_ticks

TABLE = (
    '<table class="list" id="visits"><thead><tr><th>Date</th><th colspan="2">Poids &amp; '
    "<span>taille</span></th><th></th></tr></thead><tbody>"
    '<tr class="ok"><th scope="row">a</th><td>b</td><td data-label="kept">c</td><td>d</td></tr>'
    "</tbody></table>"
)


def test_each_body_cell_gets_its_columns_heading() -> None:
    html = label_cells(TABLE)
    assert '<th data-label="Date" scope="row">a</th>' in html
    assert '<td data-label="Poids &amp; taille">b</td>' in html
    assert '<td data-label="kept">c</td>' in html  # a label already given is kept
    assert "<td>d</td>" in html  # an empty heading gives no label
    assert html.count("data-label") == 3  # the headings themselves are not labelled


@pytest.mark.parametrize(
    "html",
    [
        "<table><thead><tr><th>A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>",
        '<table class="list"><tbody><tr><td>1</td></tr></tbody></table>',
        "<p>no table</p>",
    ],
    ids=["not-a-list", "no-thead", "no-table"],
)
def test_other_markup_is_left_alone(html: str) -> None:
    assert label_cells(html) == html


def test_a_quote_in_a_heading_stays_inside_the_attribute() -> None:
    html = label_cells(
        '<table class="list"><thead><tr><th>say "hi"</th></tr></thead>'
        "<tbody><tr><td>1</td></tr></tbody></table>"
    )
    assert '<td data-label="say &#34;hi&#34;">1</td>' in html


def test_dates_keep_their_room_and_the_last_one_shows() -> None:
    ticks = [Tick(float(x), str(x)) for x in range(30, 311, 20)]
    kept = spaced_ticks(ticks, X_LABEL_ROOM)
    assert kept[0] == ticks[0]
    assert kept[-1] == ticks[-1]
    gaps = [b.position - a.position for a, b in pairwise(kept)]
    assert min(gaps) >= X_LABEL_ROOM


def test_the_chart_titles_its_axes_and_names_its_guides() -> None:
    chart = line_chart(
        "MUAC",
        [0.0, 7.0, 14.0],
        ["01/11", "08/11", "15/11"],
        [
            (
                "MUAC (mm)",
                "line-muac",
                [110.0, 114.0, 118.0],
                "left",
                4.0,
                [(115.0, "r", "115 mm")],
            ),
            ("Weight (kg)", "line-weight", [7.1, 7.3, None], "right", 0.3, []),
        ],
        x_title="Date",
    )
    assert (chart.left_title, chart.right_title, chart.x_title) == (
        "MUAC (mm)",
        "Weight (kg)",
        "Date",
    )
    assert [label for _, _, label in chart.guides] == ["115 mm"]
    assert all(tick.label.isdigit() for tick in chart.series[0].ticks)  # whole mm
