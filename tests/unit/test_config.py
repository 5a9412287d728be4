"""Production refuses to start without a real secret key."""

import pytest

from config import DEV_SECRET, ProductionConfig
from scorecard import create_app


@pytest.mark.parametrize("secret", [DEV_SECRET, "", "short"])
def test_production_refuses_a_missing_or_weak_secret(secret):
    config = type("Prod", (ProductionConfig,), {"SECRET_KEY": secret})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_starts_with_a_real_secret_and_secure_cookies():
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
    )
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_wsgi_in_production_mode_refuses_without_secret(monkeypatch):
    import subprocess
    import sys

    env = {"SCORECARD_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env=env,
        capture_output=True,
        text=True,
        cwd=str(__import__("pathlib").Path(__file__).parents[2]),
    )
    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr
