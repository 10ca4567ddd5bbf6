"""What is documented is tested: every setting is in .env.example, the README commands exist."""

from pathlib import Path

from alima.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"ALIMA_{name.upper()}=" in example, name


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nrun:" in makefile and "\ntest:" in makefile
