"""The deployment files say what the security review and the operations person rely on."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from settings import PLACEHOLDER_SECRETS, Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def streamlit_config() -> dict:
    with open(ROOT / ".streamlit" / "config.toml", "rb") as handle:
        return tomllib.load(handle)


def _env_example_keys() -> dict[str, str]:
    keys = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            keys[match.group(1)] = match.group(2)
    return keys


def _nginx_max_body_mb(conf: str) -> int:
    match = re.search(r"client_max_body_size\s+(\d+)m;", conf)
    assert match, "client_max_body_size missing"
    return int(match.group(1))


def test_streamlit_config_fits_an_intranet(streamlit_config: dict) -> None:
    server = streamlit_config["server"]
    assert server["headless"] is True
    assert server["enableXsrfProtection"] is True
    assert server["fileWatcherType"] == "none"
    assert server["runOnSave"] is False
    assert streamlit_config["browser"]["gatherUsageStats"] is False
    # Set on purpose, so that Streamlit does not look up its external IP on the internet.
    assert streamlit_config["browser"]["serverAddress"]
    client = streamlit_config["client"]
    assert client["showErrorDetails"] == "none"
    assert client["toolbarMode"] == "minimal"
    assert client["showErrorLinks"] is False
    # false would also hide the menu st.navigation draws in the sidebar.
    assert client.get("showSidebarNavigation", True) is True
    assert streamlit_config["theme"]["primaryColor"].lower() == "#c0392b"
    # No full garbage collection after every run on the thread that serves every session.
    assert streamlit_config["runner"]["postScriptGC"] is False


def test_streamlit_accepts_every_option(streamlit_config: dict) -> None:
    from streamlit import config as st_config

    known = set(st_config.get_config_options())
    for section, options in streamlit_config.items():
        for name, value in options.items():
            if isinstance(value, dict):  # nested section such as [theme.sidebar]
                for sub in value:
                    assert f"{section}.{name}.{sub}" in known, f"{section}.{name}.{sub}"
            else:
                assert f"{section}.{name}" in known, f"unknown option {section}.{name}"


def test_upload_limits_agree(streamlit_config: dict) -> None:
    streamlit_mb = streamlit_config["server"]["maxUploadSize"]
    app_mb = int(_env_example_keys()["UPLOAD_MAX_MB"])
    nginx_mb = _nginx_max_body_mb((ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8"))
    assert Settings.model_fields["upload_max_mb"].default <= streamlit_mb
    assert app_mb <= streamlit_mb < nginx_mb
    # Import files reach Python base64-encoded in one websocket message (ui/drop_zone.py).
    assert streamlit_config["server"]["maxMessageSize"] > app_mb * 4 / 3 + 1


def test_env_example_lists_every_setting() -> None:
    keys = _env_example_keys()
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - set(keys) == set(), "settings missing from .env.example"
    assert set(keys) - fields == set(), ".env.example names settings that do not exist"
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    # Explained in Chinese: a comment with CJK characters right above each setting.
    lines = text.splitlines()
    for key in keys:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}="))
        comment = lines[index - 1]
        assert comment.startswith("#"), f"{key} is not explained"
        explanation = "\n".join(lines[max(0, index - 6) : index])
        assert re.search(r"[\u4e00-\u9fff]", explanation), f"{key} is not explained in Chinese"


def test_env_example_is_a_valid_demo_free_configuration() -> None:
    keys = _env_example_keys()
    assert keys["DEMO_MODE"] == "0"
    # The example must not pass as-is: its secret is a placeholder.
    assert keys["SECRET_KEY"] in PLACEHOLDER_SECRETS


@pytest.mark.parametrize("secret", sorted(PLACEHOLDER_SECRETS))
def test_placeholder_secret_refused_outside_demo_mode(secret: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None, demo_mode=False, secret_key=secret)


@pytest.mark.parametrize("secret", ["abc", "short-but-random-Zq81", "x" * 48, "ab" * 20])
def test_short_or_repetitive_secret_refused_with_a_chinese_how_to(secret: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, demo_mode=False, secret_key=secret)
    assert "至少 32 个字符" in str(refused.value)
    assert "secrets.token_urlsafe(48)" in str(refused.value)


def test_demo_mode_is_off_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_MODE", raising=False)
    real = "k3J9-vQ2x_Lm8ZpR4tYw7NbC1sHe6UaD0gFo"
    assert Settings(_env_file=None, secret_key=real).demo_mode is False


def test_the_app_refuses_to_start_with_a_weak_secret(tmp_path: Path) -> None:
    """`python -m db init` (and the app) stop with the Chinese reason, not a traceback."""
    env = dict(
        os.environ, DEMO_MODE="0", SECRET_KEY="abc", DATABASE_URL=f"sqlite:///{tmp_path}/x.db"
    )
    done = subprocess.run(
        [sys.executable, "-m", "db", "init"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "SECRET_KEY 不安全" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_real_secret_accepted_and_demo_mode_gets_a_demo_secret() -> None:
    real = secrets.token_urlsafe(48)
    assert Settings(_env_file=None, demo_mode=False, secret_key=real).secret_key == real
    demo = Settings(_env_file=None, demo_mode=True, secret_key="change-me")
    assert demo.secret_key not in PLACEHOLDER_SECRETS


def test_dockerfile_runs_as_non_root_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users
    assert users[-1] not in ("root", "0", "0:0")
    assert re.search(r"^HEALTHCHECK\b.*(?:\n.*)*?/healthz", text, re.M)
    assert "pip install" in text
    assert "requirements.txt" in text
    cmd = re.search(r"^CMD\s+(\[.*\])", text, re.M)
    assert cmd
    assert '"streamlit", "run", "app.py"' in cmd.group(1)
    assert '"--server.port", "8501"' in cmd.group(1)
    assert '"--server.address", "0.0.0.0"' in cmd.group(1)


def test_dockerignore_keeps_secrets_and_data_out() -> None:
    lines = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", ".git", ".venv", "data", "*.db"} <= lines


def test_nginx_proxies_websockets_and_hides_metrics() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    active = "\n".join(line for line in conf.splitlines() if not line.lstrip().startswith("#"))
    assert re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade;", active)
    assert re.search(r"proxy_set_header\s+Connection\s+\$connection_upgrade;", active)
    assert re.search(r"proxy_http_version\s+1\.1;", active)
    assert re.search(r"proxy_set_header\s+Host\s+\$http_host;", active)
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+", active)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+", active)
    assert re.search(r"proxy_read_timeout\s+86400s?;", active)
    assert re.search(r"location\s*=\s*/_stcore/stream\s*\{", active)
    # A prefix match: /_stcore/metrics/ and /_stcore/metrics?… are hidden as well.
    metrics = re.search(r"location\s*\^~\s*/_stcore/metrics\s*\{([^}]*)\}", active)
    assert metrics
    assert re.search(r"return\s+40[34]|deny\s+all", metrics.group(1))
    # Logins are rate limited per client address before they reach a replica.
    assert re.search(r"limit_req_zone\s+\$binary_remote_addr\s+zone=wuxing_login:", active)
    login = re.search(r"location\s*=\s*/session/login\s*\{([^}]*)\}", active)
    assert login
    assert "limit_req zone=wuxing_login" in login.group(1)
    assert "proxy_pass" in login.group(1)
    # Sticky sessions.
    assert re.search(r"^\s*(ip_hash;|hash\s+\$cookie_wx_session\s+consistent;)", active, re.M)
    # The sub-path variant is there, commented.
    assert re.search(r"^#\s+location /wuxing/ \{", conf, re.M)


def test_compose_has_postgres_two_replicas_and_nginx() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    db = services["db"]
    assert db["image"].startswith("postgres:15")
    assert "healthcheck" in db
    assert any("pgdata" in v for v in db["volumes"])
    replicas = [name for name in services if name.startswith("app")]
    assert sorted(replicas) == ["app1", "app2"]
    for name in replicas:
        svc = services[name]
        env = svc["environment"]
        url = env["DATABASE_URL"]
        assert url.startswith("postgresql://")
        assert "@db:5432/" in url
        assert str(env["DEMO_MODE"]) == "0"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY")
        assert svc["depends_on"]["db"]["condition"] == "service_healthy"
    nginx = services["nginx"]
    assert any("deploy/nginx.conf" in v for v in nginx["volumes"])
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for name in replicas:
        assert re.search(rf"^\s*server\s+{name}:8501\b", conf, re.M)


def test_systemd_unit() -> None:
    unit = (ROOT / "deploy" / "wuxing.service").read_text(encoding="utf-8")
    for line in (
        "User=wuxing",
        "WorkingDirectory=/opt/wuxing",
        "EnvironmentFile=/opt/wuxing/.env",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ):
        assert re.search(rf"^{re.escape(line)}$", unit, re.M), line
    assert re.search(
        r"^ExecStart=/opt/wuxing/\.venv/bin/streamlit run app\.py --server\.port 8501\b", unit, re.M
    )


def test_deploy_docs_cover_the_operations_steps() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for needle in (
        "--no-index",
        "--find-links",
        "python -m db init",
        "python -m db create-admin",
        "python -m db backup",
        "pg_dump",
        "pg_restore",
        "BASE_URL_PATH",
        "server.baseUrlPath",
        "systemctl",
        "docker compose",
        "/healthz",
    ):
        assert needle in text, needle


SSO = {
    "oidc_issuer": "https://sso.example.gov.cn/realms/zhejiang",
    "oidc_client_id": "wuxing",
    "oidc_client_secret": "a-client-secret",
}


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, demo_mode=True, **values)


def test_single_sign_on_is_off_until_fully_configured() -> None:
    assert not _settings().oidc_enabled
    for missing in SSO:
        with pytest.raises(ValidationError, match="OIDC_ISSUER、OIDC_CLIENT_ID"):
            _settings(**{k: v for k, v in SSO.items() if k != missing})
    with pytest.raises(ValidationError, match="OIDC_REDIRECT_URI"):
        _settings(**SSO)  # no redirect URI and no PUBLIC_URL to derive it from
    with pytest.raises(ValidationError, match="http://"):
        _settings(**{**SSO, "oidc_issuer": "sso.example.gov.cn"}, public_url="http://x")
    with pytest.raises(ValidationError, match="PASSWORD_LOGIN_ADMINS_ONLY"):
        _settings(password_login_admins_only=True)


def test_single_sign_on_addresses() -> None:
    derived = _settings(**SSO, public_url="https://wuxing.example.gov.cn", base_url_path="wuxing")
    assert derived.oidc_enabled
    assert derived.oidc_callback_uri == "https://wuxing.example.gov.cn/wuxing/oauth2callback"
    assert derived.oidc_metadata_url == (
        "https://sso.example.gov.cn/realms/zhejiang/.well-known/openid-configuration"
    )
    given = _settings(**SSO, oidc_redirect_uri="https://wuxing.example.gov.cn/oauth2callback")
    assert given.oidc_callback_uri == "https://wuxing.example.gov.cn/oauth2callback"
    with pytest.raises(ValidationError, match="OIDC_REDIRECT_URI"):
        _settings(**SSO, oidc_redirect_uri="https://wuxing.example.gov.cn/")  # not the callback


def test_streamlit_gets_the_auth_section_in_memory() -> None:
    from web.sso import auth_secrets, cookie_secret

    assert auth_secrets(_settings()) is None
    settings = _settings(**SSO, public_url="https://wuxing.example.gov.cn")
    section = auth_secrets(settings)
    assert section is not None
    auth = section["auth"]
    assert auth["client_id"] == "wuxing"
    assert auth["client_secret"] == "a-client-secret"
    assert auth["redirect_uri"] == "https://wuxing.example.gov.cn/oauth2callback"
    assert auth["server_metadata_url"].endswith("/realms/zhejiang/.well-known/openid-configuration")
    # Derived from SECRET_KEY: the same on every replica, never the key itself.
    assert auth["cookie_secret"] == cookie_secret(settings) != settings.secret_key
    assert len(auth["cookie_secret"]) == 64
    assert not (ROOT / ".streamlit" / "secrets.toml").exists()
