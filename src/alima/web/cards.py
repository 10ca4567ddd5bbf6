"""Tables that become cards on a phone: every cell carries its column's heading.

Under the phone breakpoint (``alima.css``) a ``table.list`` is shown as one card per row, each
cell preceded by its column's heading, read from the cell's ``data-label`` attribute. Rather
than asking every template to repeat its headings on each cell, the rendered page is given
them here: for each ``<table class="list">`` with a ``<thead>``, the ``<td>`` and ``<th>`` of
its body rows get the text of the heading of their column (``colspan`` counted). A cell that
already has a ``data-label`` keeps it. The page is alima's own escaped output, so the headings'
text is already escaped; a stray double quote is escaped again for the attribute.
"""

import re

import jinja2

_TABLE = re.compile(r"(<table\b[^>]*\bclass=\"[^\"]*\blist\b[^\"]*\"[^>]*>)(.*?)(</table>)", re.S)
_THEAD = re.compile(r"<thead\b[^>]*>(.*?)</thead>", re.S)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S)
_HEADING = re.compile(r"<th\b([^>]*)>(.*?)</th>", re.S)
_CELL = re.compile(r"<(td|th)\b([^>]*)>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_COLSPAN = re.compile(r"\bcolspan=\"?(\d+)")


def _span(attributes: str) -> int:
    found = _COLSPAN.search(attributes)
    return max(1, int(found.group(1))) if found else 1


def _headings(thead: str) -> list[str]:
    """The column headings of the last row of a ``<thead>``, one per column."""
    rows = _ROW.findall(thead) or [thead]
    headings: list[str] = []
    for attributes, inner in _HEADING.findall(rows[-1]):
        text = _SPACE.sub(" ", _TAG.sub("", inner)).strip().replace('"', "&#34;")
        headings += [text] * _span(attributes)
    return headings


def _label_rows(body: str, headings: list[str]) -> str:
    def label_row(row: re.Match[str]) -> str:
        column = 0

        def label_cell(cell: re.Match[str]) -> str:
            nonlocal column
            tag, attributes = cell.group(1), cell.group(2)
            heading = headings[column] if column < len(headings) else ""
            column += _span(attributes)
            if not heading or "data-label=" in attributes:
                return cell.group(0)
            return f'<{tag} data-label="{heading}"{attributes}>'

        return _CELL.sub(label_cell, row.group(0))

    return _ROW.sub(label_row, body)


def label_cells(html: str) -> str:
    """``html`` with each body cell of its ``table.list`` labelled by its column's heading."""

    def label_table(table: re.Match[str]) -> str:
        start, inner, end = table.groups()
        thead = _THEAD.search(inner)
        if thead is None:
            return table.group(0)
        headings = _headings(thead.group(1))
        body = _label_rows(inner[thead.end() :], headings)
        return start + inner[: thead.end()] + body + end

    return _TABLE.sub(label_table, html) if "<table" in html else html


class PageTemplate(jinja2.Template):
    """A page template whose rendered tables carry their headings on each cell."""

    def render(self, *args: object, **kwargs: object) -> str:
        """Render the page, then label its list tables' cells (:func:`label_cells`)."""
        return label_cells(super().render(*args, **kwargs))
