"""Shared fixtures: the app on a migrated database, a clean database per test, users, login."""

import contextvars
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient

_TMP = tempfile.mkdtemp(prefix="scorecard-test-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/test.db"

from config import TestConfig  # noqa: E402
from scorecard import create_app  # noqa: E402
from scorecard.extensions import db as _db  # noqa: E402
from scorecard.models import Role, User  # noqa: E402

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105
CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def reset_schema(app) -> None:
    """Drop everything, then build the schema with the real migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            _db.drop_all()
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade()


def compile_catalogs() -> None:
    """Compile stale .mo files so translated pages are tested even without `make`."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1] / "scorecard" / "translations"
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        if po_path.parent.parent.is_symlink():
            continue
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh)
        with mo_path.open("wb") as fh:
            write_mo(fh, catalog)


@pytest.fixture(scope="session")
def app():
    compile_catalogs()
    application = create_app(TestConfig)
    reset_schema(application)
    return application


def _wipe() -> None:
    _db.session.rollback()
    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            conn.execute(table.delete())
    _db.session.remove()


@pytest.fixture
def db(app):
    """A clean database for one test, inside an app context."""
    with app.app_context():
        _wipe()
        yield _db
        _wipe()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production (own `g`, own session).

    The test's own session is committed first, so it holds no SQLite lock and later reads
    see what the request wrote.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    counter = {"n": 0}

    def factory(
        role: str | Role = Role.INTERVIEWER,
        email: str | None = None,
        password: str = TEST_PASSWORD,
        name: str | None = None,
    ) -> User:
        counter["n"] += 1
        role = Role(role)
        user = User(
            email=email or f"{role.value}{counter['n']}@example.test",
            name=name or f"{role.value.title()} {counter['n']}",
            role=role,
        )
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1) or match.group(2)


# Every CSRF token a page carries: the form's hidden input (whatever attributes WTForms puts
# before its value) and the page's meta tag. A token is signed with the second it was made,
# so two pages compared for equality must leave them out.
CSRF_VALUES_RE = re.compile(r'(csrf[-_]token"[^>]*?\s(?:content|value)=")[^"]+')


def without_csrf_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked, to compare two answers."""
    return CSRF_VALUES_RE.sub(r"\1", html)


@pytest.fixture
def login_as(client):
    """Sign in through the real login form; returns the response."""

    def do_login(user: User, password: str = TEST_PASSWORD, follow: bool = False):
        page = client.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        return client.post(
            "/login",
            data={"email": user.email, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    return do_login


@pytest.fixture
def csrf(client):
    """A valid CSRF token for the signed-in client's session."""

    def get(path: str = "/login") -> str:
        return csrf_from(client.get(path).get_data(as_text=True))

    return get


# --- live server and browser --------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app served by werkzeug on a free local port, in a thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server, db):
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def count_rows(model) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))
