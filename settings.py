"""One place for everything configurable (environment variables or `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from texts import common as C

ROOT = Path(__file__).resolve().parent
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "please-change-this-secret"}
)
DEMO_SECRET = "demo-mode-insecure-secret-do-not-use-in-production"
SECRET_MIN_LENGTH = 32
SECRET_MIN_DISTINCT = 8  # "x" * 32 is long but not random
MAKE_SECRET = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


class Settings(BaseSettings):
    """Runtime configuration; refuses a weak secret outside demo mode."""

    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'data' / 'app.db'}")
    # Off unless asked for: demo mode loads public accounts and a public secret.
    demo_mode: bool = False
    secret_key: str = "change-me"
    session_idle_minutes: int = Field(default=120, ge=1, le=24 * 60)
    cookie_secure: bool = False
    upload_max_mb: int = Field(default=10, ge=1, le=200)
    upload_max_files: int = Field(default=5, ge=1, le=50)
    refresh_seconds: int = Field(default=10, ge=2, le=3600)
    base_url_path: str = ""
    # The address members' phones reach the app at (scheme, host, port), for the links printed
    # under ballot QR codes; empty: the address the branch's browser uses.
    public_url: str = Field(default="", max_length=200)
    login_max_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    publication_days: int = Field(default=5, ge=1, le=60)
    # Login attempts per minute one address / one user name may make on one app process.
    login_rate_per_address: int = Field(default=30, ge=1, le=10_000)
    login_rate_per_account: int = Field(default=10, ge=1, le=10_000)
    # Proxies whose X-Forwarded-For names the real client (nginx on the same host).
    trusted_proxies: str = "127.0.0.1,::1"
    # Largest uncompressed size of an imported .xlsx (a zip can expand 1000-fold).
    import_max_uncompressed_mb: int = Field(default=50, ge=1, le=2000)
    # Level of the application's own log lines on stderr (logs.configure_logging).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Reminders (python -m db remind, every hour; the 催报 button). The in-app notice is always
    # on; e-mail needs SMTP_HOST, the group robot needs REMINDER_WEBHOOK_URL.
    reminder_days: str = Field(default="7,3,1", pattern=r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$")
    reminder_queue_days: int = Field(default=5, ge=1, le=60)
    reminder_summary_days: int = Field(default=7, ge=0, le=60)
    reminder_max_attempts: int = Field(default=5, ge=1, le=100)
    # The address of the app in links of e-mails and robot messages; empty: PUBLIC_URL.
    reminder_base_url: str = Field(default="", max_length=200)
    smtp_host: str = Field(default="", max_length=200)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str = Field(default="", max_length=200)
    smtp_password: str = Field(default="", max_length=200)
    smtp_starttls: bool = False
    smtp_from: str = Field(default="wuxing@localhost", max_length=200)
    smtp_timeout_seconds: int = Field(default=20, ge=1, le=300)
    reminder_webhook_url: str = Field(default="", max_length=500)
    reminder_webhook_timeout_seconds: int = Field(default=10, ge=1, le=300)

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> Settings:
        if self.demo_mode:
            if self.secret_key in PLACEHOLDER_SECRETS:
                self.secret_key = DEMO_SECRET
            return self
        key = self.secret_key
        if (
            key in PLACEHOLDER_SECRETS
            or len(key) < SECRET_MIN_LENGTH
            or len(set(key)) < SECRET_MIN_DISTINCT
        ):
            raise ValueError(
                C.WEAK_SECRET.format(n=SECRET_MIN_LENGTH, length=len(key), command=MAKE_SECRET)
            )
        return self

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024

    @property
    def import_max_uncompressed_bytes(self) -> int:
        return self.import_max_uncompressed_mb * 1024 * 1024

    @property
    def reminder_lead_days(self) -> tuple[int, ...]:
        return tuple(sorted({int(d) for d in self.reminder_days.split(",") if d.strip()}))

    @property
    def reminder_link_base(self) -> str:
        """Scheme, host, port and sub-path the links in reminders start with."""
        base = (self.reminder_base_url or self.public_url or "http://localhost:8501").rstrip("/")
        path = self.base_url_path.strip("/")
        return f"{base}/{path}" if path and not base.endswith("/" + path) else base

    @property
    def trusted_proxy_addresses(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.trusted_proxies.split(",") if a.strip())


def _refusal(error: ValidationError) -> str:
    """The Chinese reasons of a refused configuration, one per line, without pydantic's noise."""
    lines = []
    for item in error.errors():
        message = str(item.get("msg", "")).removeprefix("Value error, ")
        field = ".".join(str(part) for part in item.get("loc", ()))
        lines.append(f"{field.upper()}：{message}" if field else message)
    return C.CONFIG_REFUSED + "\n" + "\n".join(lines)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once; a refused configuration stops the process."""
    try:
        return Settings()
    except ValidationError as error:
        # SystemExit prints the message (not a traceback) and exits with status 1.
        raise SystemExit(_refusal(error)) from None
