import pytest

from alima.core.text import fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Aïssata", "aissata"),
        ("  KEÏTA ", "keita"),
        ("Maïmouna  Traoré", "maimouna traore"),
        ("Dioïla", "dioila"),
        ("N'Débougou", "n debougou"),
        ("Sévaré-Walialdé", "sevare-walialde"),
        ("", ""),
        (None, ""),
    ],
    ids=[
        "diaeresis",
        "upper-spaces",
        "two-names",
        "place",
        "apostrophe",
        "hyphen",
        "empty",
        "none",
    ],
)
def test_fold_strips_accents_case_and_spacing(raw: str | None, folded: str) -> None:
    assert fold(raw) == folded
