"""Configuration read from the environment, with safe development defaults."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - refused in production


def _default_sqlite_url() -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / 'scorecard.db'}"


def _trusted_hosts() -> list[str] | None:
    """TRUSTED_HOSTS: comma-separated host names ('.example.com' matches subdomains).

    Unset: this machine's names plus PUBLIC_URL's host. '*' turns the check off (a proxy in
    front checks the Host header instead).
    """
    from urllib.parse import urlsplit

    raw = os.environ.get("TRUSTED_HOSTS", "").strip()
    if raw == "*":
        return None
    if raw:
        return [h.strip() for h in raw.split(",") if h.strip()]
    public = urlsplit(os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")).hostname
    return sorted({"127.0.0.1", "localhost", *([public] if public else [])})


class Config:
    """Development defaults; every value can be overridden from the environment."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_sqlite_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("SCORECARD_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("en", "zh_CN")

    # Cookies: explicit, never left to defaults.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=7)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # A long interview must not outlive its CSRF token: tokens last the session.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    # A request for any other Host is refused with 400 (Host-header attacks, DNS rebinding).
    TRUSTED_HOSTS = _trusted_hosts()

    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "0") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "scorecard@localhost")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")


class ProductionConfig(Config):
    """Production: secure cookies, and no start without a real secret key."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    """Tests: a throw-away database unless DATABASE_URL names one (CI's PostgreSQL)."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///:memory:"
    WTF_CSRF_ENABLED = True
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast in tests only; production uses scrypt
    SERVER_NAME = None
    # The test thread reads while the live server writes: its reads must not take the lock.
    SQLITE_IMMEDIATE_OUTSIDE_REQUESTS = False
