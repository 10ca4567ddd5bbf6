"""Ages, numbers and chart figures read in the reader's language."""

from datetime import timedelta

import pytest

from alima.core.i18n import set_locale
from alima.core.time import today
from alima.web.charts import line_chart
from alima.web.templating import fmt_age, fmt_number, fmt_value


@pytest.mark.parametrize(
    ("locale", "months", "expected"),
    [
        ("fr", 11, "11 mois"),
        ("fr", 1, "1 mois"),
        ("fr", 29, "2 ans 5 mois"),
        ("fr", 12 * 3, "3 ans"),
        ("fr", 13 * 12 + 1, "13 ans 1 mois"),
        ("en", 11, "11 months"),
        ("en", 1, "1 month"),
        ("en", 29, "2 years 5 months"),
        ("en", 12 * 3 + 1, "3 years 1 month"),
    ],
)
def test_an_age_in_months_reads_in_the_readers_language(
    locale: str, months: int, expected: str
) -> None:
    set_locale(locale)
    assert fmt_age(months) == expected


@pytest.mark.parametrize(
    ("locale", "days", "expected"),
    [
        ("fr", 0, "0 jour"),
        ("fr", 3, "3 jours"),
        ("fr", 7, "1 semaine"),
        ("fr", 23, "3 semaines"),
        ("en", 1, "1 day"),
        ("en", 23, "3 weeks"),
    ],
)
def test_the_very_young_read_in_weeks_or_days(locale: str, days: int, expected: str) -> None:
    set_locale(locale)
    assert fmt_age(today() - timedelta(days=days)) == expected


def test_a_birth_date_a_month_ago_or_more_reads_in_months() -> None:
    set_locale("fr")
    assert fmt_age(today() - timedelta(days=70)) in {"2 mois", "1 mois"}
    assert "semaine" not in fmt_age(today() - timedelta(days=40))


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [("fr", 1234.56, "1\u202f234,6"), ("en", 1234.56, "1,234.6"), ("fr", -1.25, "-1,2")],
)
def test_numbers_take_the_readers_separators(locale: str, value: float, expected: str) -> None:
    set_locale(locale)
    assert fmt_number(value).replace("\xa0", "\u202f") == expected


def _weights_shown() -> list[str]:
    chart = line_chart("w", [0, 7], ["1", "8"], [("kg", "w", [6.5, 6.75], "left", 0.5, [])])
    return [label for _, _, label in chart.series[0].dots]


def test_chart_figures_take_the_readers_decimal_separator() -> None:
    set_locale("fr")
    assert _weights_shown() == ["6,5", "6,8"]
    set_locale("en")
    assert _weights_shown() == ["6.5", "6.8"]


def test_audited_values_read_in_the_readers_language() -> None:
    set_locale("fr")
    assert [fmt_value(v) for v in (None, True, 7.25, 112, "read_denied", "Awa")] == [
        "—",
        "oui",
        "7,25",
        "112",
        "Accès refusé",
        "Awa",
    ]
    set_locale("en")
    assert (fmt_value(7.25), fmt_value(False)) == ("7.25", "no")
