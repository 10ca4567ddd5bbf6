"""Allocation sequences: permuted blocks of varied size, stratified, reproducible from a seed.

The statistician draws the whole sequence at set-up from a secret seed. Each stratum (a site
crossed with the declared factor, such as the MUAC band) has its own stream of random bytes,
HMAC-SHA256 of the seed over the stratum's name and a counter (a deterministic generator built
on a keyed hash: the same seed gives the same sequence on any machine and Python version, and
the allocations revealed at a site say nothing usable about the seed or other strata).

Within a stratum, blocks follow one another; each block's size is drawn among the declared
multiples of the arms' ratio total (4, 8 or 12 for two arms 1:1), holds every arm in its
ratio, and is shuffled (Fisher-Yates). The sequence's fingerprint (SHA-256 of its canonical
text) is stored with the study, never the seed: the statistician re-draws from the seed and
compares fingerprints to show the sequence used is the one drawn at set-up.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

#: Block sizes, as multiples of the arms' ratio total: 2, 4 and 6 times (two arms 1:1: blocks
#: of 4, 8 and 12). Small blocks make the arms easy to guess (tests/unit/research).
DEFAULT_MULTIPLIERS: tuple[int, ...] = (2, 4, 6)


@dataclass(frozen=True)
class Entry:
    """One position of a stratum's sequence."""

    stratum: str
    position: int  # 1, 2, ... within the stratum
    block: int  # 1, 2, ... within the stratum
    block_size: int
    arm: str


class Stream:
    """Reproducible random integers from a seed and a stream name (HMAC-SHA256 in counter mode)."""

    def __init__(self, seed: int, name: str) -> None:
        self._key = hashlib.sha256(b"alima-research-seed|" + str(seed).encode()).digest()
        self._name = name.encode("utf-8")
        self._counter = 0
        self._buffer = b""

    def _bytes(self, n: int) -> bytes:
        while len(self._buffer) < n:
            message = self._name + b"|" + self._counter.to_bytes(8, "big")
            self._buffer += hmac.new(self._key, message, hashlib.sha256).digest()
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)`` (rejection sampling: no modulo bias)."""
        if n <= 0:
            raise ValueError("n must be positive")
        if n == 1:
            return 0
        limit = (1 << 32) - ((1 << 32) % n)
        while True:
            value = int.from_bytes(self._bytes(4), "big")
            if value < limit:
                return value % n

    def shuffle(self, items: list[str]) -> None:
        """Fisher-Yates, in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def block_sizes(ratios: Mapping[str, int], multipliers: Sequence[int]) -> tuple[int, ...]:
    """The sizes a block may take."""
    total = sum(ratios.values())
    return tuple(sorted({total * m for m in multipliers}))


#: A randomised study compares two arms or more.
MIN_ARMS = 2


def _validate(ratios: Mapping[str, int], multipliers: Sequence[int]) -> None:
    if len(ratios) < MIN_ARMS or any(r < 1 for r in ratios.values()):
        raise ValueError("a sequence needs two arms or more, each with a ratio of 1 or more")
    if not multipliers or any(m < 1 for m in multipliers):
        raise ValueError("block multipliers must be positive")


def stratum_blocks(
    seed: int, stratum: str, ratios: Mapping[str, int], multipliers: Sequence[int]
) -> Iterator[list[str]]:
    """The endless run of shuffled blocks of one stratum."""
    _validate(ratios, multipliers)
    stream = Stream(seed, stratum)
    arms = sorted(ratios)  # a fixed order, whatever order the mapping came in
    while True:
        m = multipliers[stream.below(len(multipliers))]
        block = [arm for arm in arms for _ in range(ratios[arm] * m)]
        stream.shuffle(block)
        yield block


def generate(
    seed: int,
    strata: Sequence[str],
    ratios: Mapping[str, int],
    size: int,
    multipliers: Sequence[int] = DEFAULT_MULTIPLIERS,
) -> list[Entry]:
    """At least ``size`` positions per stratum, completing the last block (never cut a block)."""
    if size < 1:
        raise ValueError("size must be positive")
    entries: list[Entry] = []
    for stratum in strata:
        position = 0
        for number, block in enumerate(stratum_blocks(seed, stratum, ratios, multipliers), 1):
            for arm in block:
                position += 1
                entries.append(Entry(stratum, position, number, len(block), arm))
            if position >= size:
                break
    return entries


def fingerprint(entries: Sequence[Entry]) -> str:
    """SHA-256 of the sequence's canonical text (what the study keeps instead of the seed)."""
    digest = hashlib.sha256()
    for e in sorted(entries, key=lambda e: (e.stratum, e.position)):
        digest.update(f"{e.stratum}|{e.position}|{e.block}|{e.block_size}|{e.arm}\n".encode())
    return digest.hexdigest()


def muac_level(muac_mm: int | None, cut_mm: int | None) -> str:
    """The declared MUAC factor's level: below the cut-off or at/above it ("all" if none)."""
    if cut_mm is None:
        return "all"
    if muac_mm is None:
        return "unknown"
    return f"lt{cut_mm}" if muac_mm < cut_mm else f"ge{cut_mm}"


def factor_levels(cut_mm: int | None) -> tuple[str, ...]:
    """Every level of the declared MUAC factor."""
    return ("all",) if cut_mm is None else (f"lt{cut_mm}", f"ge{cut_mm}")


def stratum_of(site_code: str, level: str) -> str:
    """A stratum's name: the site crossed with the factor's level."""
    return f"{site_code}|{level}"
