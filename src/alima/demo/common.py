"""Helpers every demo loader shares: seeded identifiers."""

from __future__ import annotations

import random
import uuid


def new_id(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from ``rng``, so that a seed gives the same ids on every load."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)
