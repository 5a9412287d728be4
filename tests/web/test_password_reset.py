"""Password reset by e-mail (issue 20): single-use, short-lived links; same answer for all."""

import re
import statistics
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from config import TestConfig
from scorecard import create_app
from scorecard.extensions import db as _db
from scorecard.models import AuditEvent, PasswordResetToken, Role, User, utcnow
from scorecard.services import password_reset
from tests.conftest import TEST_PASSWORD, IsolatedClient, csrf_from, without_csrf_tokens
from tests.web.test_setup_reminders import Inbox, _free_port
from tests.web.trust_figures import report

NEW = "a brand new passphrase 77"  # noqa: S105
LINK_RE = re.compile(r"(http://\S+/password/reset/[A-Za-z0-9_-]+)")
SAME_ANSWER = "If an account uses that address, a link to reset its password is on its way."


@pytest.fixture
def inbox(app, monkeypatch):
    from aiosmtpd.controller import Controller

    box = Inbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", port)
    monkeypatch.setitem(app.config, "PUBLIC_URL", "http://localhost")
    yield box
    controller.stop()


def ask(client, email: str):
    token = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    return client.post("/password/forgot", data={"email": email, "csrf_token": token})


def wait_for(inbox: Inbox, n: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(inbox.messages) >= n, f"{len(inbox.messages)} of {n} messages arrived"


def link_in(message) -> str:
    body = message.get_payload(decode=True).decode()
    return LINK_RE.search(body).group(1).replace("http://localhost", "")


def use(client, path: str, password: str = NEW):
    page = client.get(path)
    if page.status_code != 200:
        return page
    token = csrf_from(page.get_data(as_text=True))
    return client.post(
        path, data={"new_password": password, "confirm": password, "csrf_token": token}
    )


def can_sign_in(app, email: str, password: str) -> bool:
    other = app.test_client()
    token = csrf_from(other.get("/login").get_data(as_text=True))
    response = other.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code == 302


def test_a_reset_through_the_mailed_link_ends_every_other_session(
    app, client, make_user, login_as, inbox
):
    user = make_user(Role.HR)
    old_session = app.test_client()
    token = csrf_from(old_session.get("/login").get_data(as_text=True))
    old_session.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert old_session.get("/settings").status_code == 200
    response = ask(client, user.email.upper())  # case does not matter
    assert response.status_code == 302
    assert SAME_ANSWER in client.get(response.headers["Location"]).get_data(as_text=True)
    wait_for(inbox, 1)
    message = inbox.messages[0]
    assert message["To"] == user.email and "Reset your Scorecard password" in message["Subject"]
    path = link_in(message)
    # The e-mail's token is stored only as a hash.
    raw = path.rsplit("/", 1)[1]
    stored = _db.session.scalars(sa.select(PasswordResetToken.token_hash)).all()
    assert raw not in stored and len(stored) == 1 and len(stored[0]) == 64
    weak = use(client, path, "short")
    assert weak.status_code == 400 and "12 to 128 characters" in weak.get_data(as_text=True)
    done = use(client, path)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert old_session.get("/settings").status_code == 302  # the old session is dead
    assert can_sign_in(app, user.email, NEW) and not can_sign_in(app, user.email, TEST_PASSWORD)
    actions = _db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "user.password_reset_by_link" in actions and "user.password_reset_link" in actions


def test_no_link_works_twice_after_expiry_after_a_newer_one_or_a_password_change(
    app, client, make_user, inbox, request
):
    users = [make_user(Role.INTERVIEWER) for _ in range(4)]
    tried = worked = 0
    twice, expired, replaced, changed = users
    # Used once, then again (also from another app instance).
    ask(client, twice.email)
    wait_for(inbox, 1)
    path = link_in(inbox.messages[-1])
    assert use(client, path).status_code == 302
    second = create_app(TestConfig)
    second.test_client_class = IsolatedClient
    for worker in (client, second.test_client()):
        response = use(worker, path, "yet another passphrase 88")
        tried += 1
        worked += response.status_code == 302
        assert response.status_code == 400
        assert "This link is not valid any more" in response.get_data(as_text=True)
    # Expired: its 30 minutes are over.
    ask(client, expired.email)
    wait_for(inbox, 2)
    path = link_in(inbox.messages[-1])
    _db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == expired.id)
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    _db.session.commit()
    tried += 1
    worked += use(client, path).status_code == 302
    # Replaced by a newer link: the older one dies, the newer one works.
    ask(client, replaced.email)
    ask(client, replaced.email)
    wait_for(inbox, 4)
    older, newer = link_in(inbox.messages[-2]), link_in(inbox.messages[-1])
    assert older != newer
    tried += 1
    worked += use(client, older).status_code == 302
    assert use(client, newer).status_code == 302
    # The password changed another way (an admin reset it): the link dies.
    ask(client, changed.email)
    wait_for(inbox, 5)
    path = link_in(inbox.messages[-1])
    fresh = _db.session.get(User, changed.id)
    fresh.set_password("changed by an admin 9000")
    _db.session.commit()
    tried += 1
    worked += use(client, path).status_code == 302
    assert worked == 0
    for user, password in ((expired, TEST_PASSWORD), (changed, "changed by an admin 9000")):
        assert can_sign_in(app, user.email, password)  # nothing changed
    report(
        request.config,
        "reset-links",
        f"Reset: {worked} of {tried} links worked twice, after expiry, after a newer link or "
        "after a password change",
    )


def _timed(client, email: str) -> tuple[int, int, float]:
    token = csrf_from(client.get("/password/forgot").get_data(as_text=True))
    start = time.perf_counter()
    response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    elapsed = time.perf_counter() - start
    page = client.get(response.headers["Location"])
    body = without_csrf_tokens(page.get_data(True))
    return response.status_code, len(body), elapsed


def test_the_same_answer_for_existing_and_unknown_addresses(app, client, make_user, inbox, request):
    known = [make_user(Role.HR).email for _ in range(8)]
    unknown = [f"nobody{n}@example.test" for n in range(8)]
    answers = {"known": [], "unknown": []}
    for k_email, u_email in zip(known, unknown, strict=True):  # interleaved: same conditions
        answers["known"].append(_timed(app.test_client(), k_email))
        answers["unknown"].append(_timed(app.test_client(), u_email))
    statuses = {a[0] for v in answers.values() for a in v}
    lengths = {kind: {a[1] for a in v} for kind, v in answers.items()}
    k_med = statistics.median(a[2] for a in answers["known"]) * 1000
    u_med = statistics.median(a[2] for a in answers["unknown"]) * 1000
    assert statuses == {302}
    (k_len,), (u_len,) = lengths["known"], lengths["unknown"]
    assert abs(k_len - u_len) <= 4
    # Timing within noise: the mail goes out in the background, every answer has one floor.
    assert abs(k_med - u_med) < 0.1 * password_reset.ANSWER_FLOOR_S * 1000
    wait_for(inbox, len(known))
    assert sorted(m["To"] for m in inbox.messages) == sorted(known)
    report(
        request.config,
        "reset-same",
        f"Reset: same answer for 8 existing and 8 unknown e-mails: status {statuses}, body "
        f"{k_len} vs {u_len} bytes, median {k_med:.1f} ms vs {u_med:.1f} ms",
    )


def test_requests_are_limited_per_account_and_per_address(app, client, make_user, inbox):
    user = make_user(Role.HR)
    for _ in range(password_reset.LIMIT_PER_ACCOUNT + 2):
        assert ask(client, user.email).status_code == 302  # the same answer every time
    wait_for(inbox, password_reset.LIMIT_PER_ACCOUNT)  # the mail goes out in the background
    time.sleep(0.5)  # and no more follows
    assert len(inbox.messages) == password_reset.LIMIT_PER_ACCOUNT
    # Another instance counts the same rows: over the address limit it refuses.
    second = create_app(TestConfig)
    second.test_client_class = IsolatedClient
    other = second.test_client()
    earlier = password_reset.LIMIT_PER_ACCOUNT + 2
    statuses = [
        ask(other, f"spray{n}@example.test").status_code
        for n in range(password_reset.LIMIT_PER_ADDRESS - earlier + 1)
    ]
    assert statuses == [302] * (password_reset.LIMIT_PER_ADDRESS - earlier) + [429]
    assert "Too many requests" in ask(other, "x@example.test").get_data(as_text=True)


def test_bad_links_and_input_get_a_clear_message(app, client, make_user, inbox):
    for path in ("/password/reset/nonsense", "/password/reset/" + "x" * 300):
        response = client.get(path)
        assert response.status_code == 400
        assert "This link is not valid any more" in response.get_data(as_text=True)
    bad = client.post(
        "/password/forgot",
        data={"email": "", "csrf_token": csrf_from(client.get("/password/forgot").get_data(True))},
    )
    assert bad.status_code == 400 and "This field is required" in bad.get_data(as_text=True)
    user = make_user(Role.HR)
    ask(client, user.email)
    wait_for(inbox, 1)
    path = link_in(inbox.messages[-1])
    page = client.get(path)
    token = csrf_from(page.get_data(as_text=True))
    differ = client.post(
        path, data={"new_password": NEW, "confirm": NEW + "x", "csrf_token": token}
    )
    assert differ.status_code == 400 and "The two new passwords differ." in differ.get_data(True)
    assert can_sign_in(app, user.email, TEST_PASSWORD)
    assert use(client, path).status_code == 302  # still usable: nothing was spent
