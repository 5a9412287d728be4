"""Browser-test helpers: the demo data and a real sign-in through the form."""

import pytest

from scorecard.seed.demo import DEMO_PASSWORD, seed_demo


@pytest.fixture
def demo_data(app, db):
    with app.test_request_context():
        seed_demo(lambda _m: None)
    db.session.commit()


@pytest.fixture
def sign_in(page):
    def do(email: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    return do
