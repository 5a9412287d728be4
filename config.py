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


def _csv(raw: str) -> list[str]:
    """A comma-separated environment value as a list of lower-case, non-empty items."""
    return [item.strip().lower() for item in raw.split(",") if item.strip()]


def _job_intervals() -> dict[str, int]:
    """SCORECARD_JOB_INTERVALS: seconds per job, e.g. "reminders=3600,backup=86400"."""
    out: dict[str, int] = {}
    for item in os.environ.get("SCORECARD_JOB_INTERVALS", "").split(","):
        name, _sep, value = item.partition("=")
        if name.strip() and value.strip().isdecimal() and int(value) > 0:
            out[name.strip()] = int(value)
    return out


class Config:
    """Development defaults; every value can be overridden from the environment."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_sqlite_url()
    # No pool pre-ping: SQLite has no server to lose, and PostgreSQL checks each pooled
    # connection on checkout without a round trip (scorecard/database.py).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
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

    # Defaults until an admin chooses in Admin → Security: who must use two-factor sign-in
    # (off / admins / everyone), and how a candidate's data export names interviewers.
    TWO_FACTOR_POLICY = os.environ.get("TWO_FACTOR_POLICY", "off")
    EXPORT_INTERVIEWERS = os.environ.get("EXPORT_INTERVIEWERS", "role")
    # Outgoing webhooks: how long a receiver may take, and whether loopback / private addresses
    # are allowed (off: a webhook could otherwise reach internal services — SSRF; tests only).
    WEBHOOK_TIMEOUT_S = float(os.environ.get("WEBHOOK_TIMEOUT_S", "10"))
    WEBHOOK_ALLOW_PRIVATE = os.environ.get("WEBHOOK_ALLOW_PRIVATE", "0") == "1"
    WEBHOOK_BACKOFF_S = float(os.environ.get("WEBHOOK_BACKOFF_S", "30"))  # first retry's pause
    # How long a delivery worker owns an outbox row before another may take it over.
    OUTBOX_LEASE_S = float(os.environ.get("OUTBOX_LEASE_S", "120"))

    # Operations (docs/deploy.md): backups, scheduled jobs, metrics, request logs.
    BACKUP_DIR = os.environ.get("BACKUP_DIR", "")  # set it to turn on the daily backup job
    BACKUP_KEEP = int(os.environ.get("BACKUP_KEEP", "7"))
    PG_BIN = os.environ.get("PG_BIN", "")  # folder of pg_dump / pg_restore if not the default
    JOB_INTERVALS = _job_intervals()
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_ALLOW = [
        n.strip() for n in os.environ.get("METRICS_ALLOW", "127.0.0.1/32,::1/128").split(",")
    ]
    METRICS_ALLOW = [n for n in METRICS_ALLOW if n]
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # or json: one JSON object per line
    REQUEST_LOG = os.environ.get("REQUEST_LOG", "1") != "0"  # one line per request

    # Company sign-in (README "Company sign-in"). OpenID Connect is on when OIDC_ISSUER is set.
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
    OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    OIDC_ALLOWED_DOMAINS = _csv(os.environ.get("OIDC_ALLOWED_DOMAINS", ""))
    OIDC_LABEL = os.environ.get("OIDC_LABEL", "")  # the button's provider name, e.g. "Okta"
    # LDAP / Active Directory is on when LDAP_URL is set (ldap://… with LDAP_STARTTLS, ldaps://…).
    LDAP_URL = os.environ.get("LDAP_URL", "")
    LDAP_STARTTLS = os.environ.get("LDAP_STARTTLS", "0") == "1"
    LDAP_CA_FILE = os.environ.get("LDAP_CA_FILE", "")
    LDAP_BIND_DN = os.environ.get("LDAP_BIND_DN", "")
    LDAP_BIND_PASSWORD = os.environ.get("LDAP_BIND_PASSWORD", "")
    LDAP_USER_BASE = os.environ.get("LDAP_USER_BASE", "")
    LDAP_USER_FILTER = os.environ.get("LDAP_USER_FILTER", "(|(uid={username})(mail={username}))")
    LDAP_USER_DN_TEMPLATE = os.environ.get("LDAP_USER_DN_TEMPLATE", "")
    LDAP_ACTIVE_FILTER = os.environ.get("LDAP_ACTIVE_FILTER", "")
    LDAP_GROUP_BASE = os.environ.get("LDAP_GROUP_BASE", "")
    LDAP_GROUP_FILTER = os.environ.get(
        "LDAP_GROUP_FILTER", "(|(member={dn})(uniqueMember={dn})(memberUid={username}))"
    )
    LDAP_ID_ATTR = os.environ.get("LDAP_ID_ATTR", "entryUUID")
    LDAP_NAME_ATTR = os.environ.get("LDAP_NAME_ATTR", "displayName")
    LDAP_MAIL_ATTR = os.environ.get("LDAP_MAIL_ATTR", "mail")
    LDAP_TIMEOUT_S = float(os.environ.get("LDAP_TIMEOUT_S", "5"))
    LDAP_LABEL = os.environ.get("LDAP_LABEL", "")
    # How often an open session asks the directory whether its user may still be in.
    DIRECTORY_RECHECK_S = int(os.environ.get("DIRECTORY_RECHECK_S", str(15 * 60)))
    # "off": only the BREAK_GLASS_ADMINS (admin accounts, by e-mail) may use a local password.
    LOCAL_SIGN_IN = os.environ.get("LOCAL_SIGN_IN", "on")
    BREAK_GLASS_ADMINS = _csv(os.environ.get("BREAK_GLASS_ADMINS", ""))


class ProductionConfig(Config):
    """Production: secure cookies, and no start without a real secret key."""

    ENV_NAME = "production"
    TWO_FACTOR_POLICY = os.environ.get("TWO_FACTOR_POLICY", "admins")
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
