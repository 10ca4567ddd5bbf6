"""``python -m alima``."""

from alima.cli import main

main()
