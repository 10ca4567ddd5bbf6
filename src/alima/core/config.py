"""Typed settings read from ``ALIMA_*`` environment variables and ``.env``.

Every field is documented in ``.env.example`` (a test checks it). Outside ``dev`` and ``test``
the default secret is refused, so a country server cannot start with the demo key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-dev-only"  # noqa: S105 - refused outside dev/test by the validator


class Settings(BaseSettings):
    """Runtime configuration of one alima server."""

    model_config = SettingsConfigDict(env_prefix="ALIMA_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "production"] = Field(
        "dev", description="Deployment kind: dev (laptop, demo), test, or production."
    )
    database_url: str = Field(
        "sqlite:///./var/alima.db",
        description="SQLAlchemy URL: sqlite:///path for a health centre, "
        "postgresql+psycopg://user@host/db for a country server.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET),
        description="Key used to derive pseudonymous research identifiers; keep it secret.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, description="Port the web server listens on.")
    session_hours: int = Field(12, ge=1, le=168, description="Idle lifetime of a sign-in session.")
    session_absolute_hours: int = Field(
        24,
        ge=1,
        le=720,
        description="Absolute lifetime of a sign-in session from sign-in, however busy (hours).",
    )
    secure_cookies: bool = Field(
        False, description="Send cookies only over HTTPS (set true behind TLS)."
    )
    access_log: bool = Field(
        False,
        description=(
            "Log every HTTP request line on the console (the audit log already records who "
            "read and wrote what; off, the server spends less time a request)."
        ),
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Failed sign-ins allowed per user name and client address before that "
        "client must wait (other clients are not affected).",
    )
    login_backoff_seconds: int = Field(
        30,
        ge=1,
        le=3600,
        description="First wait (seconds) after the allowed failures; doubled at each further "
        "failure from the same client.",
    )
    login_throttle_minutes: int = Field(
        15,
        ge=1,
        description="Longest wait (minutes) after failed sign-ins; failures older than this "
        "are forgotten.",
    )
    password_min_length: int = Field(10, ge=8, description="Minimum password length.")
    api_token_days: int = Field(90, ge=1, description="Default lifetime of an API token in days.")
    api_actor_cache_seconds: float = Field(
        10.0,
        ge=0,
        le=300,
        description="How long a resolved API token is reused before its user, roles and "
        "revocation are read again (0: every request).",
    )
    default_locale: Literal["fr", "en"] = Field("fr", description="Language of the interface.")
    break_glass_hours: int = Field(
        4, ge=1, le=24, description="How long an emergency (break-the-glass) access lasts (hours)."
    )
    break_glass_max_per_day: int = Field(
        3,
        ge=1,
        le=50,
        description="Emergency (break-the-glass) accesses one user may open in 24 hours; "
        "reaching it alerts the coordinators.",
    )
    reporting_currency: str = Field(
        "EUR",
        pattern=r"^[A-Z]{3}$",
        description="Currency (ISO 4217) in which funding shares are compared across grants.",
    )
    training_topics: str = Field(
        "IPC,MUAC,CMAM,IMCI,MALARIA,MATERNAL,SURVEILLANCE,WASH",
        pattern=r"^[A-Z0-9_]{2,20}(,[A-Z0-9_]{2,20})*$",
        description="Comma-separated codes of the health-worker training topics on offer.",
    )
    nutrition_rates_include_medical_transfers: bool = Field(
        True,
        description="Count medical transfers to inpatient care as discharges in CMAM outcome "
        "rates (reporting standards differ: docs/clinical-rules.md §4).",
    )
    nutrition_default_protocol: str = Field(
        "optima",
        description="Protocol proposed at admission (optima, compas or standard-who-2013).",
    )
    referral_close_after_days: int = Field(
        14,
        ge=1,
        le=365,
        description="Days after which a referred child who has not arrived may be closed as "
        "'did not arrive' (docs/clinical-rules.md §6).",
    )
    stock_alert_weeks: float = Field(
        4.0,
        ge=0,
        le=52,
        description="Weeks of RUTF stock left under which a site is alerted (docs/stock.md).",
    )
    stock_sachets_per_carton: int = Field(
        150, ge=1, le=1000, description="Sachets in a carton of RUTF, when a form does not say."
    )
    outbreaks_week_starts_on: Literal[
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"
    ] = Field(
        "monday",
        description="Weekday epidemiological weeks start on: monday (ISO, WHO) or sunday "
        "(US CDC); docs/clinical-rules.md §13.1.",
    )
    outbreaks_week_one_min_days: int = Field(
        4,
        ge=1,
        le=7,
        description="Days of January that week 1 holds at least (4: ISO and CDC; 1: week 1 "
        "is the week of 1 January, possibly starting in December).",
    )
    outbreaks_age_groups: str = Field(
        "0-11m,1-4y,5-14y,15y+",
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9+-]{1,20}(,[A-Za-z0-9+-]{1,20})*$",
        description="Age groups of the weekly IDSR report, comma-separated codes.",
    )
    outbreaks_report_due_days: int = Field(
        2,
        ge=0,
        le=30,
        description="Days after the end of an epi week by which its report is on time.",
    )
    outbreaks_thresholds_file: str | None = Field(
        None,
        description="A TOML file of threshold rules replacing the default one shipped with "
        "alima (versions published in the database still win).",
    )
    smc_redose_after_vomiting: bool = Field(
        True,
        description="SMC: give a second SPAQ dose to a child who vomits day 1 within the window "
        "(docs/clinical-rules.md §14).",
    )
    smc_vomit_window_minutes: int = Field(
        30, ge=0, le=240, description="SMC: minutes after day 1 within which vomiting is re-dosed."
    )
    smc_target_share_percent: float = Field(
        18.0,
        gt=0,
        le=100,
        description="SMC: children 3-59 months in percent of a place's population, for a "
        "campaign whose target comes from the places' populations.",
    )
    sync_interval_minutes: float = Field(
        5,
        ge=0,
        le=1440,
        description="On an enrolled laptop, minutes between background syncs of alima serve "
        "(0: only when someone presses Sync now).",
    )
    summary_refresh_minutes: float = Field(
        15,
        ge=0,
        le=1440,
        description="Minutes between the background refreshes of the monthly reports' summary "
        "by alima serve (0: only alima nutrition refresh-summary).",
    )

    dhis2_url: str = Field(
        "",
        pattern=r"^(https?://[^\s]+)?$",
        description="Base URL of the national DHIS2 that `alima dhis2 push` sends to "
        "(empty: no push).",
    )
    dhis2_username: str = Field("", description="DHIS2 user that pushes the monthly figures.")
    dhis2_password: SecretStr = Field(
        SecretStr(""), description="Password of that DHIS2 user; keep it secret."
    )
    dhis2_timeout_seconds: float = Field(
        120.0, gt=0, le=3600, description="How long a push waits for DHIS2's answer (seconds)."
    )

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.env == "production" and self.secret_key.get_secret_value() == DEFAULT_SECRET:
            msg = "ALIMA_SECRET_KEY must be set to a private value in production"
            raise ValueError(msg)
        return self

    @property
    def training_topic_codes(self) -> tuple[str, ...]:
        """The configured training topics, in order."""
        return tuple(self.training_topics.split(","))

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """Filesystem path of the SQLite database, if any."""
        if not self.is_sqlite:
            return None
        raw = self.database_url.split("///", 1)[1] if "///" in self.database_url else ""
        return Path(raw) if raw and raw != ":memory:" else None


@lru_cache
def get_settings() -> Settings:
    """Settings of this process (read once)."""
    return Settings()
