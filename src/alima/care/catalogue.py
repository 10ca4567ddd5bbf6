"""The configurable lists of care: diagnoses (ICD-10) and surgical procedures.

Why a data file: each country's list of common diagnoses differs and changes with epidemics;
a ministry changes ``config/catalogue.toml`` (or passes its own file), never the code. Labels
live with the codes in both languages, because a list a country supplies cannot wait for the
translation catalogue. Pure: reads a packaged file, no database.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ICD10 = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$")]
ProcedureCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    en: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    fr: Annotated[str, StringConstraints(min_length=1, max_length=120)]

    def label(self, locale: str) -> str:
        """The label in ``locale`` (French or English)."""
        return self.fr if locale == "fr" else self.en


class DiagnosisOption(_Entry):
    """A diagnosis that may be chosen, by ICD-10 code."""

    code: ICD10


class ProcedureOption(_Entry):
    """A surgical procedure of the emergency log."""

    code: ProcedureCode


class Catalogue(BaseModel):
    """The lists in force, with their version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    diagnosis: tuple[DiagnosisOption, ...] = Field(min_length=1)
    procedure: tuple[ProcedureOption, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Catalogue:
        for name, entries in (("diagnosis", self.diagnosis), ("procedure", self.procedure)):
            codes = [e.code for e in entries]
            if len(codes) != len(set(codes)):
                msg = f"duplicate {name} codes"
                raise ValueError(msg)
        return self

    def diagnosis_codes(self) -> frozenset[str]:
        """Every diagnosis code."""
        return frozenset(d.code for d in self.diagnosis)

    def procedure_codes(self) -> frozenset[str]:
        """Every procedure code."""
        return frozenset(p.code for p in self.procedure)

    def diagnosis_label(self, code: str, locale: str) -> str:
        """Label of a diagnosis code (the code itself if the list no longer has it)."""
        return next((d.label(locale) for d in self.diagnosis if d.code == code), code)

    def procedure_label(self, code: str, locale: str) -> str:
        """Label of a procedure code (the code itself if the list no longer has it)."""
        return next((p.label(locale) for p in self.procedure if p.code == code), code)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate a catalogue file (default: the packaged one)."""
    if path is None:
        text = resources.files("alima.care").joinpath("config/catalogue.toml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return Catalogue.model_validate(tomllib.loads(text))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The packaged catalogue, read once."""
    return load_catalogue()
