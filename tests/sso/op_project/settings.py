"""Settings of the test provider; OP_DIR and OP_SITE_URL come from the test fixture."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ["OP_DIR"])

SECRET_KEY = "test-provider-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "op_project.tamper.TamperMiddleware",
]
ROOT_URLCONF = "op_project.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(HERE / "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA / "op.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# A throw-away provider: a fast hash keeps the tests quick (never do this in a real one).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"
LOGIN_URL = "/accounts/login/"
SITE_URL = os.environ["OP_SITE_URL"]
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "op_project.hooks.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "op_project.hooks.idtoken_hook"
OIDC_SESSION_MANAGEMENT_ENABLE = False
TAMPER_FILE = DATA / "tamper.json"
LOGGING = {"version": 1, "disable_existing_loggers": False}
