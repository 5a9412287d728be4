"""A large generated job for benchmarks: N candidates × 3 rounds × 3 interviewers × 10 criteria.

Everything below the job's setup is written with bulk INSERTs (executemany, ids returned in
parameter order), so 1,000 candidates — 9,000 submitted scorecards and 90,000 ratings — take
seconds, not minutes. The data are random but realistic: a latent quality per candidate,
interviewer noise, a few not-assessed ratings, a few disagreements, notes on every 1 and 4,
and now and then a ticked red flag. Submitted scorecards carry the same snapshot shape as
`services.scorecards.snapshot`, which is what the recommendation engine scores.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Interview,
    InterviewStatus,
    Job,
    JobRole,
    Rating,
    Role,
    Scorecard,
    ScorecardStatus,
    ScorecardSubmission,
    User,
    scorecard_red_flags,
    utcnow,
)
from scorecard.services.setup.job_template import create_job_from_template, default_template
from scorecard.services.setup.team import add_member

BENCH_PASSWORD = "scorecard-bench"  # noqa: S105 - published benchmark credentials
ROUNDS = (
    ("screen", "初筛", "Screen", 1.0),
    ("technical", "技术面", "Technical", 2.0),
    ("executive", "高管面", "Executive", 1.5),
)
DIMENSIONS = ("technical", "business", "attitude", "etiquette")
CRITERIA_PER_ROUND = 10
PANEL_SIZE = 3
CHUNK = 50  # candidates per batch of INSERTs (and per step of the progress bar)
FAMILY = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"
NOTES_HIGH = ("讲清楚了HIS接口排查的全过程。", "Quantified the go-live: two weeks early.")
NOTES_LOW = ("说不出具体难点。", "Blamed others for the outage.")


def bench_template(candidates: int) -> dict[str, Any]:
    """Three rounds of ten criteria each over the four dimensions; round two weighs double."""
    rounds = []
    for r_index, (key, zh, en, weight) in enumerate(ROUNDS):
        criteria = []
        for c in range(CRITERIA_PER_ROUND):
            dim = DIMENSIONS[(c + r_index) % len(DIMENSIONS)]
            criteria.append(
                {
                    "key": f"c{c + 1:02d}",
                    "dimension": dim,
                    "weight": (1, 1.5, 2, 1, 0.5)[c % 5],
                    "must_have": c in (0, 5),
                    "veto": r_index == 2 and c == 9,
                    "name": {"zh": f"{zh}标准{c + 1}", "en": f"{en} criterion {c + 1}"},
                    "description": {"zh": "", "en": ""},
                    "anchors": {
                        str(p): {"zh": f"锚点{p}", "en": f"anchor {p}"} for p in range(1, 5)
                    },
                }
            )
        rounds.append(
            {
                "key": key,
                "weight": weight,
                "name": {"zh": zh, "en": en},
                "focus": {"zh": "", "en": ""},
                "criteria": criteria,
                "questions": [],
            }
        )
    flags = default_template().get("red_flags", [])
    return {
        "job": {
            "title": {
                "zh": f"基准测试 {candidates} 人",
                "en": f"Benchmark: {candidates} candidates",
            },
            "description": {"zh": "生成的数据，用于性能测试。", "en": "Generated data."},
        },
        "rounds": rounds,
        "red_flags": flags,
    }


@dataclass
class BenchJob:
    """What `seed_bench` made: the job and the people who can sign in to look at it."""

    job: Job
    hr: User
    manager: User
    interviewers: list[User]
    candidates: int


def _bench_users() -> tuple[User, User, list[User]]:
    """The bench HR, manager and 3 × 3 interviewers: created once, reused by later jobs."""
    wanted = [("bench-hr@bench.test", "Bench HR", Role.HR)]
    wanted.append(("bench-manager@bench.test", "Bench Manager", Role.MANAGER))
    wanted += [
        (f"bench-iv{i}@bench.test", f"Bench Interviewer {i}", Role.INTERVIEWER)
        for i in range(1, len(ROUNDS) * PANEL_SIZE + 1)
    ]
    existing = {
        u.email: u
        for u in db.session.scalars(sa.select(User).where(User.email.like("bench-%@bench.test")))
    }
    # One slow hash for everybody: these are throw-away benchmark accounts.
    password_hash = None
    users = []
    for email, name, role in wanted:
        user = existing.get(email)
        if user is None:
            if password_hash is None:
                password_hash = generate_password_hash(BENCH_PASSWORD)
            user = User(email=email, name=name, role=role, password_hash=password_hash)
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users[0], users[1], users[2:]


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(total, start + size))


def _insert(model: type, rows: list[dict[str, Any]], returning: bool = True) -> list[int]:
    """Bulk INSERT; the new ids in the order of `rows` (one round trip per batch)."""
    if not rows:
        return []
    if not returning:
        db.session.execute(sa.insert(model), rows)
        return []
    stmt = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, rows))


def seed_bench(
    candidates: int = 1000,
    seed: int = 20261129,
    progress: Callable[[int], None] | None = None,
) -> BenchJob:
    """Create a separate benchmark job with `candidates` fully scored candidates; flushes."""
    if candidates < 1:
        raise ValueError("candidates must be at least 1")
    rng = random.Random(seed + candidates)
    hr, manager, interviewers = _bench_users()
    job = create_job_from_template(bench_template(candidates), hr)
    add_member(job, hr, JobRole.RECRUITER, None)
    add_member(job, manager, JobRole.HIRING_MANAGER, None)
    for person in interviewers:
        add_member(job, person, JobRole.INTERVIEWER, None)
    db.session.flush()
    rounds = list(job.rounds)
    panels = [interviewers[i * PANEL_SIZE : (i + 1) * PANEL_SIZE] for i in range(len(rounds))]
    versions = [r.current_version for r in rounds]
    criteria = [[(c.id, c.must_have) for c in v.criteria] for v in versions]
    flag_ids = {f.key: f.id for f in job.red_flags}
    flag_keys = sorted(flag_ids)
    now = utcnow().replace(microsecond=0)
    tag = uuid.uuid4().hex[:6]

    for chunk in _chunks(candidates, CHUNK):
        people = []
        for n in chunk:
            name = rng.choice(FAMILY) + rng.choice(GIVEN) + (rng.choice(GIVEN) if n % 3 else "")
            people.append(
                {
                    "name": f"{name}{n + 1:04d}",
                    "email": f"bench-{tag}-{n + 1}@example.com",
                    "phone": f"139{rng.randrange(10**7, 10**8)}",
                    "source": "bench",
                    "note": "",
                    "created_at": now,
                }
            )
        cand_ids = _insert(Candidate, people)
        qualities = [min(3.9, max(1.3, rng.gauss(2.9, 0.5))) for _ in chunk]
        apps = [
            {
                "candidate_id": cid,
                "job_id": job.id,
                "status": ApplicationStatus.ACTIVE,
                "current_round_id": rounds[-1].id,
                "created_at": now,
            }
            for cid in cand_ids
        ]
        app_ids = _insert(Application, apps)
        ivs, iv_meta = [], []
        for a_index, app_id in enumerate(app_ids):
            for r_index, rnd in enumerate(rounds):
                starts = now - timedelta(days=30 - 7 * r_index, hours=rng.randrange(0, 48))
                ivs.append(
                    {
                        "application_id": app_id,
                        "round_id": rnd.id,
                        "starts_at": starts,
                        "duration_minutes": 60,
                        "location": "",
                        "video_link": "",
                        "status": InterviewStatus.SCHEDULED,
                        "created_at": now,
                    }
                )
                iv_meta.append((a_index, r_index, starts))
        iv_ids = _insert(Interview, ivs)
        cards, card_meta = [], []
        for iv_id, (a_index, r_index, starts) in zip(iv_ids, iv_meta, strict=True):
            for person in panels[r_index]:
                submitted_at = starts + timedelta(hours=1, minutes=rng.randrange(5, 60 * 30))
                bias = rng.gauss(0, 0.25)
                overall = max(1, min(4, round(qualities[a_index] + bias + rng.gauss(0, 0.3))))
                cards.append(
                    {
                        "interview_id": iv_id,
                        "interviewer_id": person.id,
                        "version_id": versions[r_index].id,
                        "status": ScorecardStatus.SUBMITTED,
                        "overall": overall,
                        "takeaways": "",
                        "lock_version": 2,
                        "created_at": starts,
                        "updated_at": submitted_at,
                        "submitted_at": submitted_at,
                    }
                )
                card_meta.append((a_index, r_index, submitted_at, bias, overall))
        card_ids = _insert(Scorecard, cards)
        ratings, submissions, ticks = [], [], []
        for card_id, meta in zip(card_ids, card_meta, strict=True):
            a_index, r_index, submitted_at, bias, overall = meta
            quality = qualities[a_index]
            snap_ratings = {}
            for crit_id, must_have in criteria[r_index]:
                value: int | None
                if not must_have and rng.random() < 0.04:
                    value = None
                else:
                    value = max(1, min(4, round(quality + bias + rng.gauss(0, 0.6))))
                note = ""
                if value in (1, 4):
                    note = rng.choice(NOTES_HIGH if value == 4 else NOTES_LOW)
                ratings.append(
                    {
                        "scorecard_id": card_id,
                        "criterion_id": crit_id,
                        "value": value,
                        "note": note,
                        "updated_at": submitted_at,
                    }
                )
                snap_ratings[str(crit_id)] = {"value": value, "note": note}
            ticked = []
            if quality < 2.4 and rng.random() < 0.5:
                ticked = [rng.choice(flag_keys)] if flag_keys else []
            for key in ticked:
                ticks.append({"scorecard_id": card_id, "red_flag_id": flag_ids[key]})
            submissions.append(
                {
                    "scorecard_id": card_id,
                    "submission_key": uuid.uuid4().hex,
                    "submitted_at": submitted_at,
                    "snapshot": {
                        "version_id": versions[r_index].id,
                        "overall": overall,
                        "takeaways": "",
                        "red_flags": ticked,
                        "ratings": snap_ratings,
                        "star": {},
                    },
                }
            )
        _insert(Rating, ratings, returning=False)
        _insert(ScorecardSubmission, submissions, returning=False)
        if ticks:
            db.session.execute(sa.insert(scorecard_red_flags), ticks)
        if progress is not None:
            progress(len(chunk))
    db.session.flush()
    return BenchJob(job, hr, manager, interviewers, candidates)
