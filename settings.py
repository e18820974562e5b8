"""One place for everything configurable (environment variables or `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from texts import auth as T
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
    # Single sign-on through the intranet's OpenID Connect provider (st.login, Authlib): on
    # when issuer, client id and secret are set. The identity's `oidc_username_claim` names
    # the account it signs in as (web/sso.py, db.services.auth.sso_login).
    oidc_issuer: str = Field(default="", max_length=300)
    oidc_client_id: str = Field(default="", max_length=200)
    oidc_client_secret: str = Field(default="", max_length=500)
    oidc_username_claim: str = Field(default="preferred_username", min_length=1, max_length=100)
    # The app's own address with /oauth2callback, as registered at the provider; empty:
    # PUBLIC_URL (and BASE_URL_PATH) + /oauth2callback. "{port}" stands for server.port.
    oidc_redirect_uri: str = Field(default="", max_length=300)
    # An unknown identity is registered as a branch account waiting for an admin's approval
    # instead of being refused (off: refused and logged).
    oidc_self_registration: bool = False
    # Password login for admins only; everyone else signs in through the provider.
    password_login_admins_only: bool = False

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

    @model_validator(mode="after")
    def _check_single_sign_on(self) -> Settings:
        given = [self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret]
        if any(given) and not all(given):
            raise ValueError(T.OIDC_INCOMPLETE)
        if self.oidc_enabled:
            if not self.oidc_issuer.startswith(("http://", "https://")):
                raise ValueError(T.OIDC_BAD_ISSUER)
            if not self.oidc_callback_uri:
                raise ValueError(T.OIDC_NO_REDIRECT)
        elif self.password_login_admins_only:
            raise ValueError(T.OIDC_NEEDED_FOR_ADMINS_ONLY)
        return self

    @property
    def oidc_enabled(self) -> bool:
        """Single sign-on is configured (issuer, client id and secret all set)."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def oidc_metadata_url(self) -> str:
        """The provider's discovery document (OpenID Connect Discovery 1.0)."""
        return self.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def oidc_callback_uri(self) -> str:
        """Where the provider sends the browser back: Streamlit's /oauth2callback route."""
        if self.oidc_redirect_uri:
            uri = self.oidc_redirect_uri.strip()
            return (
                uri
                if uri.startswith(("http://", "https://")) and uri.endswith("/oauth2callback")
                else ""
            )
        if not self.public_url:
            return ""
        base = self.public_url.rstrip("/")
        path = self.base_url_path.strip("/")
        if path and not base.endswith("/" + path):
            base = f"{base}/{path}"
        return base + "/oauth2callback"

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
