"""Helpers for the interview-kit browser tests: open the kit, read the database."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Candidate,
    Interview,
    Rating,
    Round,
    Scorecard,
    ScorecardSubmission,
    User,
)

SAVED = re.compile(r"^Saved at \d\d:\d\d:\d\d$")


def card_for(email: str, candidate: str = "郑洁", round_key: str = "technical") -> Scorecard:
    """The scorecard as the database has it now."""
    db.session.commit()  # end the read snapshot: see what the server committed since
    return db.session.scalar(
        sa.select(Scorecard)
        .join(Interview, Scorecard.interview_id == Interview.id)
        .join(Application, Interview.application_id == Application.id)
        .join(Candidate, Application.candidate_id == Candidate.id)
        .join(Round, Interview.round_id == Round.id)
        .join(User, Scorecard.interviewer_id == User.id)
        .where(Candidate.name == candidate, Round.key == round_key, User.email == email)
    )


def rating_of(card_id: int, criterion_id: int) -> tuple[int | None, str] | None:
    db.session.commit()  # end the read snapshot: see what the server committed since
    row = db.session.execute(
        sa.select(Rating.value, Rating.note).where(
            Rating.scorecard_id == card_id, Rating.criterion_id == criterion_id
        )
    ).first()
    return (row[0], row[1]) if row else None


def submissions(card_id: int) -> int:
    db.session.commit()  # end the read snapshot: see what the server committed since
    return db.session.scalar(
        sa.select(sa.func.count()).where(ScorecardSubmission.scorecard_id == card_id)
    )


def open_kit(page: Page, sign_in, email: str = "interviewer1@demo.test") -> Scorecard:
    """Sign in, open today's 郑洁 interview from My interviews, wait for the kit."""
    sign_in(email)
    page.locator("#section-today").get_by_role("link", name="郑洁").click()
    expect(page.locator("#kit")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("郑洁")
    kit_ready(page)
    return card_for(email)


def kit_ready(page: Page) -> None:
    """Wait until the kit's script has set up its handlers (keys, the edit button): the
    page is visible before its modules have run."""
    expect(page.locator('#kit[data-ready="true"]')).to_have_count(1)


def pick(page: Page, criterion_id: int, value: int | str) -> None:
    """Click a rating card (the big label around the radio), as a mouse or finger would."""
    page.locator(f"#criterion-{criterion_id} label.anchor-{value}").click()


def radio(page: Page, criterion_id: int, value: int | str):
    return page.locator(f'#criterion-{criterion_id} input[value="{value}"]')


def note(page: Page, criterion_id: int):
    return page.locator(f'textarea[data-field="rating.{criterion_id}.note"]')


def wait_saved(page: Page) -> None:
    expect(page.locator("#kit-status")).to_have_text(SAVED, timeout=8000)
