"""``python -m alima``."""

from alima.cli import app

app()
