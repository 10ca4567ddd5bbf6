import pytest

from alima.core.i18n import gettext, negotiate, set_locale


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,en;q=0.5", "en"),
        ("de-DE", None),
        ("", None),
        ("en;q=0.2,fr;q=0.9", "fr"),
        ("en;q=abc", None),
        ("fr-FR", "fr"),
        ("FR-fr", "fr"),
        ("en;q=0.8", "en"),
        ("en;q=0.8, fr;q=0.9", "fr"),
        ("de, en;q=0.8, fr;q=0.8", "en"),  # equal quality: the header's order
        ("en;q=0, fr;q=0.1", "fr"),  # q=0 means "not acceptable"
        ("fr;q=1.5, en;q=0.5", "en"),  # a q above 1 is malformed
        ("*", None),
        ("*, en;q=0.1", "en"),
        ("english", None),  # not a tag that starts with "en-"
        ("frog;q=0.9, en;q=0.1", "en"),
        ("pt-BR, es", None),
        ("   ", None),
        (",,;;q=,", None),
        ("\x00garbage;;;q==1", None),
        ("en-US-x-private, fr", "en"),
    ],
)
def test_negotiate(header: str, expected: str | None) -> None:
    assert negotiate(header) == expected


def test_messages_are_french_by_default_and_english_on_request() -> None:
    set_locale("fr")
    assert gettext("Please sign in.") == "Veuillez vous connecter."
    set_locale("en")
    assert gettext("Please sign in.") == "Please sign in."
    set_locale("fr")
