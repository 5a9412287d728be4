"""The comparison matrix of a job: one row per application, sortable and filterable.

Scores come from the job's one results model (`services.results`), as `Summary` objects
holding only what the matrix, the exports and the job summary show, already filtered by the
blind rule for the viewer. Sorting and filtering run over every application; a page shows
`Page.size` of them.

A page costs a constant number of queries whatever the number of candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from scorecard.extensions import db
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Job,
    Round,
    User,
)
from scorecard.paging import Page, Pages
from scorecard.scoring import Policy
from scorecard.services.recommendations import JobScoring
from scorecard.services.results import DIMENSIONS, Summary, job_summaries
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


@dataclass
class Row:
    """One line of the matrix."""

    entry: Entry
    summary: Summary | None  # None: nothing submitted yet, or hidden by the blind rule
    blind: bool = False

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
        s = self.summary
        if column == "name":
            return self.name.casefold()
        if column == "stage":
            return self._stage_rank()
        if s is None:
            return None
        if column == "score":
            return s.score
        if column == "recommendation":
            return (REC_RANK.get(s.recommendation, -1), s.score if s.score is not None else -1)
        if column == "confidence":
            return CONF_RANK.get(s.confidence)
        if column == "flags":
            return len(s.flags)
        if column in DIMENSIONS:
            return s.dimensions.get(column)
        if column.startswith("round-"):
            figures = s.rounds.get(column[6:])
            return figures.score if figures is not None else None
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
    s = row.summary
    if query.recommendation:
        rec = s.recommendation if s is not None else "none"
        if query.recommendation == "positive":
            if rec not in POSITIVE:
                return False
        elif rec != query.recommendation:
            return False
    if query.flag:
        kinds = s.flag_kinds if s is not None else frozenset()
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


@dataclass
class Matrix:
    """A job's matrix, ready for a page or an export."""

    job: Job
    scoring: JobScoring
    query: Filters
    rows: list[Row]  # every row kept by the filters, sorted (exports take them all)
    total: int
    bands: Policy
    page: Page = Page()

    @property
    def page_links(self) -> Pages:
        return self.page.links(len(self.rows))

    @property
    def page_rows(self) -> list[Row]:
        """The rows of the page shown (a page of HTML stays small at 5,000 candidates)."""
        return self.rows[self.page.offset : self.page.offset + self.page.size]


def load_entries(job_id: int, user: User) -> list[tuple[Entry, bool]]:
    """The job's applications with candidate name, current round, and whether the blind rule
    hides them from `user` (`visibility.blind_clause`): one light query."""
    rows = db.session.execute(
        sa.select(
            Application.id,
            Candidate.name,
            Application.status,
            Application.current_round_id,
            Round.key,
            Round.position,
            awaiting_hire_clause(),
            blind_clause(user),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Round, Round.id == Application.current_round_id)
        .where(Application.job_id == job_id)
        .order_by(Application.id)
    )
    return [
        (Entry(i, name, st, rid, rkey, rpos or 0, bool(awaiting)), bool(blind))
        for i, name, st, rid, rkey, rpos, awaiting, blind in rows
    ]


def build_matrix(
    scoring: JobScoring,
    user: User,
    query: Filters,
    page: Page = Page(),  # noqa: B008
    criteria: bool = False,
) -> Matrix:
    """The matrix of `scoring.job` as `user` may see it, sorted and filtered by `query`."""
    job = scoring.job
    summaries = job_summaries(
        job, scoring, criteria=criteria
    )  # rows the viewer is blind to get no summary:
    rows = []
    for entry, hidden in load_entries(job.id, user):
        rows.append(Row(entry, None if hidden else summaries.get(entry.id), blind=hidden))
    total = len(rows)
    kept = [r for r in rows if _keep(r, query)]
    return Matrix(
        job=job,
        scoring=scoring,
        query=query,
        rows=sort_rows(kept, query.sort, query.direction),
        total=total,
        bands=scoring.policy,
        page=page.clamp(len(kept)),
    )
