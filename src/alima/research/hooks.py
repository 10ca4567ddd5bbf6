"""Research's plug-in of the core (``alima.core.policy.PLUGINS``): screen every admission."""

from __future__ import annotations

from alima.core.policy import register_record_hook


def register() -> None:
    """Screen each nutrition admission for the studies recruiting at its site."""
    from alima.research.service.enrolment import screen_admission

    register_record_hook("nutrition.admission", screen_admission)
