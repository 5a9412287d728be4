"""The comparison matrix of a job: one row per application, sortable and filterable.

Scores come from the job's one results model (`services.results`). Sorting and filtering
run over every application, on the plain columns stored with each result (`Head`: score,
recommendation, confidence, flags, the sorted dimension or round), read in one query with
the blind rule applied in SQL (`visibility.blind_clause`); only the rows a page shows (or an
export writes, a chunk at a time) have their `Summary` decoded.

A page costs a constant number of queries whatever the number of candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationResult,
    ApplicationStatus,
    Candidate,
    Job,
    Round,
    User,
)
from scorecard.paging import Page, Pages
from scorecard.scoring import Policy
from scorecard.services.recommendations import JobScoring
from scorecard.services.results import (
    DIMENSIONS,
    Summary,
    proof,
    stored_summaries,
    summaries_of,
)
from scorecard.services.stages import awaiting_hire_clause
from scorecard.visibility import blind_clause

# Best first: the order of the recommendation column when sorted descending.
REC_RANK = {"strong_hire": 4, "hire": 3, "lean_no": 2, "no_hire": 1, "incomplete": 0}
CONF_RANK = {"high": 2, "medium": 1, "low": 0}
POSITIVE = frozenset({"strong_hire", "hire"})  # the filter "hire or strong hire"
AWAITING_HIRE = "awaiting_hire"  # the stage after the last round is advanced (services.stages)
STATUS_STAGES = ("new", AWAITING_HIRE, "on_hold", "hired", "rejected", "withdrawn")
SEARCH_MAX = 100


# --- rows, sorting and filtering -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """An application as the matrix lists it (plain columns, no ORM object)."""

    id: int
    name: str
    status: ApplicationStatus
    round_id: int | None
    round_key: str | None
    round_position: int
    awaiting_hire: bool = False  # through the last round, waiting for hire / no hire


@dataclass(frozen=True, slots=True)
class Head:
    """What the matrix sorts and filters an application by: the plain columns stored with
    its result (`ApplicationResult.score` ...), or the same taken from a Summary."""

    recommendation: str
    score: float | None
    confidence: str
    flag_count: int
    flag_kinds: frozenset[str]
    column: float | None = None  # the sorted dimension's or round's score, when one is

    @classmethod
    def of(cls, s: Summary, column: str) -> Head:
        value = None
        if column in DIMENSIONS:
            value = s.dimensions.get(column)
        elif column.startswith("round-"):
            figures = s.rounds.get(column[6:])
            value = figures.score if figures is not None else None
        return cls(s.recommendation, s.score, s.confidence, len(s.flags), s.flag_kinds, value)


@dataclass
class Row:
    """One line of the matrix."""

    entry: Entry
    head: Head | None  # None: nothing submitted yet, or hidden by the blind rule
    blind: bool = False
    summary: Summary | None = None  # decoded for the rows a page or an export shows

    @property
    def id(self) -> int:
        return self.entry.id

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def stage(self) -> str:
        e = self.entry
        if e.status == ApplicationStatus.ACTIVE:
            if e.awaiting_hire:
                return AWAITING_HIRE
            return e.round_key or "new"
        return e.status.value

    def value(self, column: str) -> Any:
        """The sortable value of a column (None when there is none)."""
        h = self.head
        if column == "name":
            return self.name.casefold()
        if column == "stage":
            return self._stage_rank()
        if h is None:
            return None
        if column == "score":
            return h.score
        if column == "recommendation":
            return (REC_RANK.get(h.recommendation, -1), h.score if h.score is not None else -1)
        if column == "confidence":
            return CONF_RANK.get(h.confidence)
        if column == "flags":
            return h.flag_count
        if column in DIMENSIONS or column.startswith("round-"):
            return h.column
        return None

    def _stage_rank(self) -> tuple[int, int, int]:
        e = self.entry
        if e.status == ApplicationStatus.ACTIVE:
            if e.round_id is None:
                return (0, 0, 0)
            return (1, e.round_position, int(e.awaiting_hire))
        order = {"on_hold": 2, "hired": 3, "rejected": 4, "withdrawn": 5}
        return (order.get(e.status.value, 6), 0, 0)


@dataclass
class Filters:
    """What the matrix is sorted and filtered by, already checked (compare/query.py reads
    them from a request's query string)."""

    sort: str = "score"
    direction: str = "desc"
    stage: str = ""
    recommendation: str = ""
    flag: str = ""
    q: str = ""


def columns(scoring: JobScoring) -> list[str]:
    """Every sortable column of a job's matrix."""
    base = ["name", "stage", "score", "recommendation", "confidence", "flags"]
    return base + list(DIMENSIONS) + [f"round-{r.key}" for r in scoring.rounds]


def stage_values(scoring: JobScoring) -> list[str]:
    """Every stage a filter may name: the job's round keys and the statuses."""
    return [r.key for r in scoring.rounds] + list(STATUS_STAGES)


def _keep(row: Row, query: Filters) -> bool:
    if query.stage and row.stage != query.stage:
        return False
    h = row.head
    if query.recommendation:
        rec = h.recommendation if h is not None else "none"
        if query.recommendation == "positive":
            if rec not in POSITIVE:
                return False
        elif rec != query.recommendation:
            return False
    if query.flag:
        kinds = h.flag_kinds if h is not None else frozenset()
        if query.flag == "any" and not kinds:
            return False
        if query.flag == "none" and kinds:
            return False
        if query.flag not in ("any", "none") and query.flag not in kinds:
            return False
    if query.q and query.q.casefold() not in row.name.casefold():
        return False
    return True


def sort_rows(rows: Iterable[Row], column: str, direction: str) -> list[Row]:
    """Sort by a column; rows without a value always come last, ties by name."""
    rows = sorted(rows, key=lambda r: (r.name.casefold(), r.id))
    present = [r for r in rows if r.value(column) is not None]
    missing = [r for r in rows if r.value(column) is None]
    present.sort(key=lambda r: r.value(column), reverse=direction == "desc")
    return present + missing


EXPORT_CHUNK = 100  # rows decoded at a time by an export (a lower peak: 5,000 rows add ~18 MB)


@dataclass
class Matrix:
    """A job's matrix, ready for a page or an export."""

    job: Job
    scoring: JobScoring
    query: Filters
    rows: list[Row]  # every row kept by the filters, sorted (summaries only on the page's)
    total: int
    bands: Policy
    page: Page = Page()
    page_rows: list[Row] = field(default_factory=list)  # the page shown, summaries decoded

    @property
    def kept(self) -> int:
        return len(self.rows)

    @property
    def page_links(self) -> Pages:
        return self.page.links(len(self.rows))

    def iter_rows(self, criteria: bool = False) -> Iterator[Row]:
        """Every kept row in order with its summary (each round's criterion scores too when
        `criteria`), decoded a chunk at a time: an export of 5,000 holds 100 at once."""
        for start in range(0, len(self.rows), EXPORT_CHUNK):
            chunk = self.rows[start : start + EXPORT_CHUNK]
            yield from _with_summaries(self.scoring, chunk, criteria)


def _with_summaries(scoring: JobScoring, rows: list[Row], criteria: bool = False) -> list[Row]:
    """The rows with their summaries: read as stored (one query by primary key) for rows
    `load_rows` proved fresh; rows it rescored carry theirs already."""
    wanted = [r.id for r in rows if r.head is not None and r.summary is None]
    summaries = stored_summaries(wanted, criteria=criteria)
    missing = [a for a in wanted if a not in summaries]
    if missing:  # deleted since (the application's last interview cancelled): prove again
        summaries |= summaries_of(scoring.job, missing, scoring, criteria=criteria)
    return [
        r
        if r.summary is not None
        else Row(r.entry, r.head, r.blind, summaries.get(r.id) if r.head is not None else None)
        for r in rows
    ]


def _sort_column(column: str) -> sa.ColumnElement[Any] | None:
    """The stored column a dimension or round sort reads (None for the others)."""
    if column in DIMENSIONS:
        return getattr(ApplicationResult, f"dim_{column}")
    if column.startswith("round-"):
        return ApplicationResult.round_scores[column[6:]].as_float()
    return None


def load_rows(scoring: JobScoring, user: User, column: str) -> list[Row]:
    """Every application of the job with candidate name, current round, whether the blind rule
    hides it from `user` (`visibility.blind_clause`), and its stored plain result columns,
    proven fresh in the same query (`results.Proof`): one query, no summary decoded. Stale
    rows (a submission since) are scored again and stored."""
    job = scoring.job
    p = proof(job, scoring)
    extra = _sort_column(column)
    R = ApplicationResult
    entry_cols = [
        Application.id,
        Candidate.name,
        Application.status,
        Application.current_round_id,
        Round.key,
        Round.position,
        awaiting_hire_clause(),
        blind_clause(user),
    ]
    head_cols = [
        R.recommendation,
        R.score,
        R.confidence,
        R.flag_count,
        R.flag_kinds,
        extra if extra is not None else sa.null(),
    ]
    rows = db.session.execute(
        sa.select(*entry_cols, *head_cols, *p.columns)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Round, Round.id == Application.current_round_id)
        .outerjoin(p.subs, p.subs.c.application_id == Application.id)
        .outerjoin(R, R.application_id == Application.id)
        .where(Application.job_id == job.id)
        .order_by(Application.id)
    )
    proof_at = len(entry_cols) + len(head_cols)
    out: list[Row] = []
    stale: dict[int, str] = {}
    for row in rows:
        i, name, st, rid, rkey, rpos, awaiting, blind = row[: len(entry_cols)]
        entry = Entry(i, name, st, rid, rkey, rpos or 0, bool(awaiting))
        submitted, fingerprint, fresh = p.check(row[proof_at:])
        head = None
        if fresh:
            rec, score, conf, nflags, kinds, value = row[len(entry_cols) : proof_at]
            head = Head(rec, score, conf, nflags, frozenset(kinds.split()), value)
        elif submitted:
            stale[i] = fingerprint
        out.append(Row(entry, None if blind else head, bool(blind)))
    if stale:
        # Kept with the row: its stored copy may not have been written (a concurrent writer).
        summaries = p.rescore(stale, criteria=True).summaries
        out = [
            Row(r.entry, Head.of(summaries[r.id], column), r.blind, summaries[r.id])
            if r.id in summaries and not r.blind
            else r
            for r in out
        ]
    return out


def build_matrix(
    scoring: JobScoring,
    user: User,
    query: Filters,
    page: Page | None = Page(),  # noqa: B008
) -> Matrix:
    """The matrix of `scoring.job` as `user` may see it, sorted and filtered by `query`, with
    the page's rows decoded; `page=None` for an export (it reads every row through
    `iter_rows`)."""
    rows = load_rows(scoring, user, query.sort)
    kept = sort_rows([r for r in rows if _keep(r, query)], query.sort, query.direction)
    shown: list[Row] = []
    if page is None:
        page = Page()
    else:
        page = page.clamp(len(kept))
        shown = _with_summaries(scoring, kept[page.offset : page.offset + page.size])
    return Matrix(
        job=scoring.job,
        scoring=scoring,
        query=query,
        rows=kept,
        total=len(rows),
        bands=scoring.policy,
        page=page,
        page_rows=shown,
    )
