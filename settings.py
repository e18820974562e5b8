"""One place for everything configurable (environment variables or `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent
PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "secret", "please-change-this-secret"}
)
DEMO_SECRET = "demo-mode-insecure-secret-do-not-use-in-production"


class Settings(BaseSettings):
    """Runtime configuration; refuses a placeholder secret outside demo mode."""

    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{ROOT / 'data' / 'app.db'}")
    demo_mode: bool = True
    secret_key: str = "change-me"
    session_idle_minutes: int = Field(default=120, ge=1, le=24 * 60)
    cookie_secure: bool = False
    upload_max_mb: int = Field(default=10, ge=1, le=200)
    upload_max_files: int = Field(default=5, ge=1, le=50)
    refresh_seconds: int = Field(default=10, ge=2, le=3600)
    base_url_path: str = ""
    login_max_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    publication_days: int = Field(default=5, ge=1, le=60)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.secret_key in PLACEHOLDER_SECRETS:
            if not self.demo_mode:
                raise ValueError(
                    "SECRET_KEY is a placeholder; set a long random value "
                    "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            self.secret_key = DEMO_SECRET
        return self

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
