"""Shared fixtures of the growth tests: the WHO truth files copied from growth-truth/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

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
