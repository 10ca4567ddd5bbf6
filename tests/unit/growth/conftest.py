"""Shared fixtures of the growth tests: the WHO truth files copied from tests/data/growth-truth/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from alima.core.i18n import reset_locale, set_locale

TRUTH_DIR = Path(__file__).resolve().parents[2] / "data" / "growth-truth"

ReadTruth = Callable[[str], pd.DataFrame]


def _read_truth(name: str) -> pd.DataFrame:
    # As WHO's R wrote it: "NA" is missing; an empty measure is missing too.
    return pd.read_csv(TRUTH_DIR / name, keep_default_na=False, na_values=["NA", ""])


@pytest.fixture(scope="session")
def truth_dir() -> Path:
    """Directory of the truth CSV copies."""
    return TRUTH_DIR


@pytest.fixture(scope="session")
def read_truth() -> ReadTruth:
    """Read a truth CSV by file name."""
    return _read_truth


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """These tests read the CLI's messages in English (French is the default locale)."""
    token = set_locale("en")
    yield
    reset_locale(token)
