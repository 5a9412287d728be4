"""The database side of scripts/load_autosave.py: seed the run's world, check what landed."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from serve import PASSWORD


@contextmanager
def app_context(database_url: str, **settings: Any) -> Iterator[None]:
    """The app on this database, in context; its connections closed afterwards."""
    os.environ["DATABASE_URL"] = database_url
    from config import Config
    from scorecard import create_app
    from scorecard.extensions import db

    config = type("LoadConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    app = create_app(config)
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


@dataclass
class Seeded:
    load_users: list[str]
    load_cards: list[list[int]]  # per interviewer, the scorecards it works through
    r4_user: str
    r4_cards: list[int]
    r5_user: str
    r5_cards: list[int]
    tag: str

    def as_dict(self) -> dict:
        return asdict(self)


def seed(database_url: str, clients: int, cards_per_client: int, r4: int, r5_cards: int) -> Seeded:
    """Create users, one job from the default template and interviews, via the services.

    Names carry a tag unique to the run, so a database can be reused.
    """
    # Throw-away users: a fast hash keeps set-up and 50 sign-ins quick; the hash names its
    # own method, so the server checks it as usual.
    with app_context(database_url, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000"):
        return _seed(clients, cards_per_client, r4, r5_cards)


def _seed(clients: int, cards_per_client: int, r4: int, r5_cards: int) -> Seeded:
    from scorecard.extensions import db
    from scorecard.models import (
        Application,
        Candidate,
        JobRole,
        Rating,
        Role,
        Scorecard,
        User,
        utcnow,
    )
    from scorecard.services import scheduling
    from scorecard.services.setup.job_template import create_job_from_template, default_template
    from scorecard.services.setup.team import add_member

    tag = uuid.uuid4().hex[:8]

    def person(name: str, role: Role = Role.INTERVIEWER) -> User:
        user = User(email=f"{name}-{tag}@load.test", name=f"{name} {tag}", role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        if role == Role.INTERVIEWER:
            add_member(job, user, JobRole.INTERVIEWER, hr)
        return user

    hr = User(email=f"hr-{tag}@load.test", name=f"hr {tag}", role=Role.HR)
    hr.set_password(PASSWORD)
    db.session.add(hr)
    db.session.flush()
    job = create_job_from_template(default_template(), hr)
    add_member(job, hr, JobRole.RECRUITER, hr)
    rnd = next(r for r in job.rounds if r.key == "technical")
    start = utcnow()
    numbers = iter(range(1, 1_000_000))

    def interview_for(user: User) -> int:
        cand = Candidate(name=f"Load {tag} {next(numbers)}", note="load test")
        application = Application(candidate=cand, job=job, current_round=rnd)
        db.session.add_all([cand, application])
        db.session.flush()
        return scheduling.schedule_interview(application, rnd, start, [user], hr).scorecards[0].id

    users, load_cards = [], []
    for i in range(clients):
        user = person(f"iv{i}")
        users.append(user.email)
        load_cards.append([interview_for(user) for _ in range(cards_per_client)])
    r4_user, r5_user = person("r4"), person("r5")
    r4_cards = []
    for _ in range(r4):  # complete, ready to submit
        card = db.session.get(Scorecard, interview_for(r4_user))
        for crit in card.version.criteria:
            db.session.add(Rating(scorecard_id=card.id, criterion_id=crit.id, value=3))
        card.overall = 3
        r4_cards.append(card.id)
    r5 = [interview_for(r5_user) for _ in range(r5_cards)]
    db.session.commit()
    return Seeded(users, load_cards, r4_user.email, r4_cards, r5_user.email, r5, tag)


def check_ledgers(database_url: str, ledgers: dict[int, dict]) -> dict[str, int]:
    """Compare every interviewer's ledger with the database.

    A ledger holds what the server acknowledged for one scorecard: each field's last value
    ("fields"), the number of acknowledged writes ("writes"), and the submission, if any.
    The database must hold each field's last acknowledged value, a lock_version of 1 + the
    writes, and exactly one submission for a submitted scorecard (none for the others).
    """
    import sqlalchemy as sa

    with app_context(database_url):
        from scorecard.extensions import db
        from scorecard.models import Rating, Scorecard, ScorecardSubmission

        ids = list(ledgers)
        cards = {
            c.id: c for c in db.session.scalars(sa.select(Scorecard).where(Scorecard.id.in_(ids)))
        }
        ratings = {
            (r.scorecard_id, r.criterion_id): r
            for r in db.session.scalars(sa.select(Rating).where(Rating.scorecard_id.in_(ids)))
        }
        subs: dict[int, list[int]] = {}
        for sub in db.session.scalars(
            sa.select(ScorecardSubmission).where(ScorecardSubmission.scorecard_id.in_(ids))
        ):
            subs.setdefault(sub.scorecard_id, []).append(sub.id)
        missing = wrong_lock = duplicates = fields = 0
        for card_id, ledger in ledgers.items():
            card = cards[card_id]
            for key, value in ledger["fields"].items():
                fields += 1
                if key in ("takeaways", "overall"):
                    stored = getattr(card, key)
                else:
                    _kind, crit, part = key.split(".")
                    row = ratings.get((card_id, int(crit)))
                    stored = getattr(row, part) if row else None
                missing += stored != value
            wrong_lock += card.lock_version != 1 + ledger["writes"]
            found = subs.get(card_id, [])
            duplicates += max(0, len(found) - 1)
            if ledger["submitted"]:
                missing += len(found) != 1 or found[0] != ledger["submission_id"]
            elif found:
                duplicates += 1
    return {"fields": fields, "missing": missing, "wrong_lock": wrong_lock, "dup": duplicates}


def count_submissions(database_url: str, card_ids: list[int]) -> int:
    """How many submissions the database holds for these scorecards."""
    import sqlalchemy as sa

    with app_context(database_url):
        from scorecard.extensions import db
        from scorecard.models import ScorecardSubmission

        query = sa.select(sa.func.count()).where(ScorecardSubmission.scorecard_id.in_(card_ids))
        return int(db.session.scalar(query) or 0)


def forget_failures(database_url: str, email: str) -> None:
    """Remove this run's failed sign-ins, so 127.0.0.1 is not left locked for 15 minutes."""
    import sqlalchemy as sa

    with app_context(database_url):
        from scorecard.extensions import db
        from scorecard.models import LoginFailure

        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == email))
        db.session.commit()
