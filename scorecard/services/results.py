"""One results model per job: every surface that shows scores reads them here.

Scoring a job is the expensive part (every submitted snapshot parsed and evaluated), so the
engine's results are stored per application in `application_results` and shared by every
worker and app instance. Each read proves them fresh against the database:

- `config_key` digests the job's rounds, versions, criteria, weights and policy (and, for a
  job using calibrated scores, every submission of the job: one scorecard moves every
  interviewer's leniency);
- `fingerprint` digests one application's submitted scorecards (count, id sum, newest
  submission and edit, the candidate's erasure).

Rows whose digests differ are scored again and written back (in their own short write
transaction, so a page that reads never holds a write lock). A row whose application no
longer has a submitted scorecard (its interview was cancelled) is never read: results are
read only beside the submissions that exist now. A row is therefore never served stale, and
a fresh worker pays one light query instead of the whole scoring cost.

What a viewer may see is decided by `scorecard.visibility`; the `visible_*` functions here
apply it, so a page, an export, a chart, the API, an e-mail or a report built on them never
shows a figure computed from colleagues' ratings that the viewer may not see. `job_scores` /
`job_summaries` are the unfiltered forms, for code that shows nothing to a person.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.dialects import postgresql, sqlite

from scorecard.database import READ_ONLY_METHODS, commit_keeping_loaded
from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationResult,
    Candidate,
    Interview,
    InterviewStatus,
    Job,
    Scorecard,
    ScorecardSubmission,
    User,
    utcnow,
)
from scorecard.scoring import Flag
from scorecard.scoring.store import result_from_data, result_to_data
from scorecard.services.recommendations import ApplicationScore, JobScoring
from scorecard.visibility import blind_application_ids

log = logging.getLogger(__name__)

DIMENSIONS = ("technical", "business", "attitude", "etiquette")
STATS = {"fresh": 0, "rescored": 0, "written": 0}  # counters for tests and benchmarks


# --- what lists show ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundFigures:
    """One round of one application: the engine's round result, boiled down."""

    score: float | None
    recommendation: str
    confidence: str
    raters: int
    dimensions: Mapping[str, float | None]
    criteria: Mapping[str, float | None]  # engine key → criterion score


@dataclass(frozen=True, slots=True)
class Summary:
    """One application's result as the matrix, exports and job summary need it."""

    recommendation: str
    score: float | None
    confidence: str
    coverage: float
    raters: int
    dimensions: Mapping[str, float | None]
    rounds: Mapping[str, RoundFigures]
    flags: tuple[Flag, ...]
    edited: int

    @property
    def flag_kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.flags)


def summarize(score: ApplicationScore) -> Summary:
    """Boil an engine result down to the figures lists show."""
    result = score.result
    rounds = {
        key: RoundFigures(
            score=rr.score,
            recommendation=rr.recommendation,
            confidence=rr.confidence,
            raters=rr.raters,
            dimensions=dict(rr.dimensions),
            criteria={k: c.score for k, c in rr.criteria.items()},
        )
        for key, rr in result.rounds.items()
    }
    return Summary(
        recommendation=result.recommendation,
        score=result.score,
        confidence=result.confidence,
        coverage=result.coverage,
        raters=result.raters,
        dimensions={d: result.dimensions.get(d) for d in DIMENSIONS},
        rounds=rounds,
        flags=result.flags,
        edited=score.edited_scorecards,
    )


def _summary_to_data(s: Summary) -> dict[str, Any]:
    return {
        "r": s.recommendation,
        "s": s.score,
        "c": s.confidence,
        "v": s.coverage,
        "n": s.raters,
        "d": dict(s.dimensions),
        "rounds": {
            k: [f.score, f.recommendation, f.confidence, f.raters, dict(f.dimensions)]
            for k, f in s.rounds.items()
        },
        "f": [[f.kind, f.round, f.criterion, f.red_flag, list(f.interviewers)] for f in s.flags],
        "e": s.edited,
    }


HEAD_COLUMNS = (
    "score",
    "recommendation",
    "confidence",
    "flag_count",
    "flag_kinds",
    *(f"dim_{d}" for d in DIMENSIONS),
    "round_scores",
)


def _head(s: Summary) -> dict[str, Any]:
    """The plain columns a list sorts and filters by (`ApplicationResult.score`, ...)."""
    return {
        "score": s.score,
        "recommendation": s.recommendation,
        "confidence": s.confidence,
        "flag_count": len(s.flags),
        "flag_kinds": " ".join(sorted(s.flag_kinds)),  # the matrix splits it
        **{f"dim_{d}": s.dimensions.get(d) for d in DIMENSIONS},
        "round_scores": {k: f.score for k, f in s.rounds.items()},
    }


def _criteria_to_data(s: Summary) -> dict[str, Any]:
    return {k: dict(f.criteria) for k, f in s.rounds.items()}


def _summary_from_data(d: Mapping[str, Any], criteria: Mapping[str, Any] | None = None) -> Summary:
    """A stored summary; each round's criterion scores only when `criteria` is given (the
    matrix sorts and filters over every row, so its rows stay small)."""
    crit = criteria or {}
    return Summary(
        recommendation=d["r"],
        score=d["s"],
        confidence=d["c"],
        coverage=d["v"],
        raters=d["n"],
        dimensions=d["d"],
        rounds={k: RoundFigures(*v, crit.get(k, {})) for k, v in d["rounds"].items()},
        flags=tuple(Flag(k, r, c, rf, tuple(i)) for k, r, c, rf, i in d["f"]),
        edited=d["e"],
    )


def _score_to_data(score: ApplicationScore) -> dict[str, Any]:
    edited_rounds: dict[str, int] = {}
    for c in score.submitted:
        if c.edited:
            edited_rounds[str(c.round_id)] = edited_rounds.get(str(c.round_id), 0) + 1
    return {
        "result": result_to_data(score.result),
        "versions": score.versions,
        "edited": score.edited_scorecards,
        "edited_rounds": edited_rounds,
        "interviewers": sorted({c.interviewer_id for c in score.submitted}),
    }


def _score_from_data(application_id: int, d: Mapping[str, Any]) -> ApplicationScore:
    return ApplicationScore(
        application_id=application_id,
        result=result_from_data(d["result"]),
        versions=dict(d["versions"]),
        edited_scorecards=d["edited"],
        interviewer_ids=tuple(d["interviewers"]),
        edited_rounds={int(k): v for k, v in d["edited_rounds"].items()},
    )


# --- freshness ------------------------------------------------------------------------------


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _submissions_query(job_id: int) -> sa.Select:
    return (
        sa.select(
            Interview.application_id,
            sa.func.count(ScorecardSubmission.id),
            sa.func.sum(ScorecardSubmission.id),
            sa.func.max(ScorecardSubmission.submitted_at),
            sa.func.max(Scorecard.edited_at),
            sa.func.count(Scorecard.edited_at),
            Candidate.erased_at,
        )
        .join(Scorecard, Scorecard.id == ScorecardSubmission.scorecard_id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.job_id == job_id, Interview.status != InterviewStatus.CANCELLED)
        .group_by(Interview.application_id, Candidate.erased_at)
    )


def _fingerprints(job_id: int, application_ids: list[int] | None) -> dict[int, str]:
    """Per application with a submitted scorecard, the digest of those scorecards now."""
    stmt = _submissions_query(job_id)
    if application_ids is not None:
        stmt = stmt.where(Interview.application_id.in_(application_ids))
    return {row[0]: _digest(tuple(row[1:])) for row in db.session.execute(stmt)}


def config_key(scoring: JobScoring) -> str:
    """The digest of everything about the job that changes every application's result."""
    job = scoring.job
    config: list[object] = [
        (
            r.id,
            r.key,
            r.weight,
            [
                (
                    v.id,
                    v.number,
                    [
                        (c.id, c.key, c.weight, c.must_have, c.veto_eligible, str(c.dimension))
                        for c in v.criteria
                    ],
                )
                for v in r.versions
            ],
        )
        for r in scoring.rounds
    ]
    config += [scoring.policy, job.use_calibrated]
    if job.use_calibrated:
        config.append(sorted(_fingerprints(job.id, None).items()))
    return _digest(config)


# --- reading and bringing up to date -------------------------------------------------------


def _write(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert
    for start in range(0, len(rows), 500):
        stmt = insert(ApplicationResult).values(rows[start : start + 500])
        stmt = stmt.on_conflict_do_update(
            index_elements=[ApplicationResult.application_id],
            set_={
                name: getattr(stmt.excluded, name)
                for name in (
                    "job_id",
                    "config_key",
                    "fingerprint",
                    *HEAD_COLUMNS,
                    "summary",
                    "criteria",
                    "result",
                )
            }
            | {"computed_at": stmt.excluded.computed_at},
        )
        conn.execute(stmt)


def _upsert(job_id: int, rows: list[dict[str, Any]]) -> None:
    """Store rescored rows. A reading request writes them in a short transaction of its own
    (its own stays a read that never takes the write lock); a writing request or a command
    writes them in its transaction, under a savepoint."""
    if not rows:
        return
    session = db.session()
    try:
        reading = has_request_context() and request.method in READ_ONLY_METHODS
        if reading and not session.info.get("flushed") and not session.dirty and not session.new:
            # End the request's read first: on SQLite a read transaction older than this
            # write could not write any more (an export's audit row, say).
            commit_keeping_loaded()
            with db.engine.connect().execution_options(scorecard_write=True) as conn:
                with conn.begin():
                    _write(conn, rows)
        else:
            with session.begin_nested():
                _write(session.connection(), rows)
        STATS["written"] += len(rows)
    except sa.exc.DBAPIError as exc:  # a concurrent writer, an application just deleted
        # The results are correct either way; the next read writes them.
        log.info("results for job %s not stored this time: %s", job_id, exc)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _mark_flushed(session: sa.orm.Session, _context: Any) -> None:
    session.info["flushed"] = True


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _clear_flushed(session: sa.orm.Session, transaction: sa.orm.SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop("flushed", None)


class _Loaded:
    def __init__(self) -> None:
        self.summaries: dict[int, Summary] = {}
        self.scores: dict[int, ApplicationScore] = {}


RESCORE_CHUNK = 100  # applications scored and written at a time (a lower peak when cold)


class Proof:
    """How a read proves stored rows fresh in the same query that reads them: join `subs`
    (each application's submissions now) and select `columns` beside what it reads of
    `ApplicationResult`; `check` says, from those values, whether the application has a
    submitted scorecard, its fingerprint now, and whether its stored row is fresh."""

    def __init__(self, job: Job, scoring: JobScoring, application_ids: list[int] | None) -> None:
        self.job, self.scoring, self.key = job, scoring, config_key(scoring)
        subs = _submissions_query(job.id)
        if application_ids is not None:
            subs = subs.where(Interview.application_id.in_(application_ids))
        self.subs = subs.subquery()
        self.columns: list[Any] = [
            *self.subs.c,
            ApplicationResult.config_key,
            ApplicationResult.fingerprint,
        ]
        self.width = len(self.columns)

    def check(self, values: Sequence[Any]) -> tuple[bool, str, bool]:
        if values[0] is None:  # no submitted scorecard (an outer join found none)
            return False, "", False
        fingerprint = _digest(tuple(values[1 : self.width - 2]))
        stored_key, stored_fp = values[self.width - 2], values[self.width - 1]
        return True, fingerprint, stored_key == self.key and stored_fp == fingerprint

    def rescore(self, stale: Mapping[int, str], criteria: bool = False) -> _Loaded:
        """Score the stale applications again (`stale`: id → fingerprint now) and store
        them, a chunk at a time; their results."""
        out = _Loaded()
        ids = list(stale)
        for start in range(0, len(ids), RESCORE_CHUNK):
            chunk = ids[start : start + RESCORE_CHUNK]
            STATS["rescored"] += len(chunk)
            scores = self.scoring.score_applications(chunk)
            now = utcnow()
            rows = []
            for app_id, score in scores.items():
                summary = summarize(score)
                data, crit = _summary_to_data(summary), _criteria_to_data(summary)
                # The same shape as a stored row read back (criteria only when asked).
                out.summaries[app_id] = _summary_from_data(data, crit if criteria else None)
                out.scores[app_id] = score
                rows.append(
                    {
                        "application_id": app_id,
                        "job_id": self.job.id,
                        "config_key": self.key,
                        "fingerprint": stale[app_id],
                        **_head(summary),
                        "summary": data,
                        "criteria": crit,
                        "result": _score_to_data(score),
                        "computed_at": now,
                    }
                )
            _upsert(self.job.id, rows)
        return out


def proof(job: Job, scoring: JobScoring | None = None) -> Proof:
    """The freshness proof for a list that reads every application's stored plain columns
    (`ApplicationResult.score` ...) in one query of its own (the matrix)."""
    return Proof(job, scoring or JobScoring(job), None)


def _load(
    job: Job,
    application_ids: list[int] | None,
    scoring: JobScoring,
    full: bool,
    criteria: bool = False,
) -> _Loaded:
    """Stored results of the job (or of some applications), rescored where stale."""
    p = Proof(job, scoring, application_ids)
    # One query: each application's submissions now, beside what is stored for it.
    cols = [*p.columns, ApplicationResult.summary]
    cols.append(ApplicationResult.criteria if criteria else sa.null())
    if full:
        cols.append(ApplicationResult.result)
    stmt = sa.select(*cols).outerjoin(
        ApplicationResult, ApplicationResult.application_id == p.subs.c.application_id
    )
    out = _Loaded()
    stale: dict[int, str] = {}
    w = p.width
    for row in db.session.execute(stmt):
        app_id = row[0]
        _has, fingerprint, fresh = p.check(row)
        if not fresh:
            stale[app_id] = fingerprint
            continue
        out.summaries[app_id] = _summary_from_data(row[w], row[w + 1])
        if full:
            out.scores[app_id] = _score_from_data(app_id, row[w + 2])
    STATS["fresh"] += len(out.summaries)
    if stale:
        again = p.rescore(stale, criteria=criteria)
        out.summaries.update(again.summaries)
        out.scores.update(again.scores)
    return out


def stored_summaries(application_ids: Iterable[int], criteria: bool = False) -> dict[int, Summary]:
    """Application id → Summary as stored, for rows a list proved fresh moments ago in its
    own query (`Proof`): read by primary key, not proven again. A row rewritten since holds
    a newer result, never an older one."""
    ids = list(application_ids)
    if not ids:
        return {}
    cols = [ApplicationResult.application_id, ApplicationResult.summary]
    cols.append(ApplicationResult.criteria if criteria else sa.null())
    rows = db.session.execute(sa.select(*cols).where(ApplicationResult.application_id.in_(ids)))
    return {app_id: _summary_from_data(summary, crit) for app_id, summary, crit in rows}


def summaries_of(
    job: Job, application_ids: Iterable[int], scoring: JobScoring, criteria: bool = False
) -> dict[int, Summary]:
    """Application id → Summary for some applications (proven fresh again)."""
    ids = list(application_ids)
    if not ids:
        return {}
    return _load(job, ids, scoring, full=False, criteria=criteria).summaries


def job_summaries(
    job: Job, scoring: JobScoring | None = None, criteria: bool = False
) -> dict[int, Summary]:
    """Application id → Summary for every application with a submitted scorecard (with each
    round's criterion scores when `criteria`: the XLSX export's round sheets)."""
    return _load(job, None, scoring or JobScoring(job), full=False, criteria=criteria).summaries


def job_scores(
    job: Job, application_ids: Iterable[int] | None = None, scoring: JobScoring | None = None
) -> dict[int, ApplicationScore]:
    """Application id → engine result, for applications with a submitted scorecard."""
    ids = None if application_ids is None else list(application_ids)
    return _load(job, ids, scoring or JobScoring(job), full=True).scores


def visible_summaries(
    job: Job, user: User, scoring: JobScoring | None = None
) -> tuple[dict[int, Summary], set[int]]:
    """`job_summaries` without the applications `user` is blind to, and those ids."""
    blind = blind_application_ids(user, job.id)
    summaries = job_summaries(job, scoring)
    return {a: s for a, s in summaries.items() if a not in blind}, blind


def visible_scores(
    job: Job,
    user: User,
    application_ids: Iterable[int] | None = None,
    scoring: JobScoring | None = None,
) -> dict[int, ApplicationScore]:
    """`job_scores` without the applications `user` is blind to."""
    blind = blind_application_ids(user, job.id)
    ids = None if application_ids is None else [a for a in application_ids if a not in blind]
    if ids == []:
        return {}
    scores = job_scores(job, ids, scoring)
    return {app_id: s for app_id, s in scores.items() if app_id not in blind}


def visible_score(application: Application, user: User) -> ApplicationScore | None:
    """One application's result as `user` may see it (None: nothing submitted, or blind)."""
    return visible_scores(application.job, user, [application.id]).get(application.id)
