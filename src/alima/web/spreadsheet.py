"""CSV files in the reader's language, so that they open cleanly in their spreadsheet.

French pages get UTF-8 with a byte-order mark, ``;`` between cells and decimal commas
(``12,5``), which is what a French spreadsheet expects; English pages get ``,`` and decimal
points (the byte-order mark is kept: spreadsheets then read the accents of names right).
Every CSV export of the pages goes through ``csv_response``, every Excel workbook through
``xlsx_response`` (figures stay numbers there, rounded as on the page).
"""

import csv
import io
from collections.abc import Iterable, Sequence

from babel.numbers import format_decimal, get_decimal_symbol
from fastapi.responses import Response

from alima.core.i18n import get_locale

#: A cell: text as it is, a number written in the reader's language, nothing for None.
Cell = str | int | float | None


def separator(locale: str) -> str:
    """``;`` where the decimal mark is a comma (French), ``,`` elsewhere."""
    return ";" if get_decimal_symbol(locale) == "," else ","


def cell_text(value: Cell, locale: str, digits: int = 2) -> str:
    """A cell as written in the file: numbers as the page shows them, without grouping."""
    if value is None:
        return ""
    if isinstance(value, str | int):
        return str(value)
    return format_decimal(round(value, digits), locale=locale, group_separator=False)


def csv_text(rows: Iterable[Sequence[Cell]], locale: str) -> str:
    """The rows as CSV text in ``locale`` (without the byte-order mark)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator(locale))
    writer.writerows([cell_text(value, locale) for value in row] for row in rows)
    return buffer.getvalue()


def csv_response(rows: Iterable[Sequence[Cell]], filename: str) -> Response:
    """A CSV attachment in the reader's language (UTF-8 with a byte-order mark)."""
    return Response(
        "\ufeff" + csv_text(rows, get_locale()),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    rows: Iterable[Sequence[Cell]], filename: str, *, title: str, widths: Sequence[int] = (48,)
) -> Response:
    """An Excel attachment of one sheet ``title``: the rows, numbers as numbers (2 decimals).

    ``widths`` are the widths of the first columns, in characters.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has a sheet
    sheet.title = title
    for row in rows:
        sheet.append([round(v, 2) if isinstance(v, float) else v for v in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        media_type=XLSX_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
