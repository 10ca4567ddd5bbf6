"""The monthly report's month: a month picker, and a month it cannot report given back."""

from datetime import date

from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from alima.core.time import today
from tests.factories.core import World, sign_in

URL = "/nutrition/reports/monthly"


def next_month() -> str:
    now = today()
    following = date.fromordinal(now.replace(day=28).toordinal() + 4)  # always next month
    return f"{following:%Y-%m}"


def refused(client: TestClient, path: str, month: str, place: str) -> tuple[HTMLParser, str]:
    response = client.get(path, params={"place": place, "month": month})
    assert response.status_code == 422, (path, month, response.status_code)
    assert response.headers["content-type"].startswith("text/html")
    page = HTMLParser(response.text)
    field = page.css_first("form input#month")
    assert field is not None, "the form comes back, not an error page"
    assert field.attributes["type"] == "month"
    assert field.attributes["aria-invalid"] == "true"
    message = page.css_first("#month-error")
    assert message is not None
    assert field.attributes["aria-describedby"] == "month-error"
    return page, message.text()


def test_the_month_is_picked_and_a_future_or_malformed_one_is_given_back(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.users["clinician_a"].username)
    place = world.facility_a.code
    current = f"{today():%Y-%m}"

    shown = client.get(URL, params={"place": place, "month": current})  # in progress: allowed
    assert shown.status_code == 200
    field = HTMLParser(shown.text).css_first("input#month")
    assert field is not None
    assert field.attributes["type"] == "month"
    assert field.attributes["max"] == current
    assert field.attributes["value"] == current
    assert "#month-error" not in shown.text and 'id="month-error"' not in shown.text
    typed = client.get(URL, params={"place": place, "month": f" {current} "})  # by hand
    assert typed.status_code == 200
    assert world.facility_a.name in typed.text

    for path in (URL, f"{URL}.csv", f"{URL}.xlsx"):
        _page, message = refused(client, path, next_month(), place)
        assert "futur" in message and current in message, message
    for month in ("2026-13", "oct 2026", "2026-10-01", "x" * 90):
        _page, message = refused(client, URL, month, place)
        assert "AAAA-MM" in message, message
    for month in ("2026-1", ""):  # a file needs a month
        _page, message = refused(client, f"{URL}.csv", month, place)
        assert "AAAA-MM" in message

    client.cookies.set("alima_locale", "en")
    _page, message = refused(client, URL, next_month(), place)
    assert "future" in message and "current month" in message, message
