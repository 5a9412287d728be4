"""The comparison matrix of a job: one row per application, sortable and filterable.

Scores come from the one scoring path (`services.recommendations.JobScoring`), boiled down to
`Summary` objects holding only what the matrix, the exports and the job summary show. Scoring a
large job is the expensive part (every submitted snapshot is parsed and evaluated), so the
summaries are cached per job, checked on every request against the database: the job's
configuration (rounds, versions, criteria, weights) and policy, and per application a
fingerprint of its submitted scorecards (count, id sum, newest submission, erasure). A new
submission or a cancelled interview rescores that application only; a policy or setup change
rescores the job. A cached entry is therefore never stale; the cache is an optimisation only
and holds no state of its own (another process simply computes its own copy).

A page costs a constant number of queries whatever the number of candidates.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.labels import num
from scorecard.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Interview,
    InterviewStatus,
    Job,
    Round,
    Scorecard,
    ScorecardSubmission,
    User,
)
from scorecard.scoring import FLAG_KINDS, RECOMMENDATIONS, Flag, Policy
from scorecard.services.recommendations import ApplicationScore, JobScoring
from scorecard.visibility import blind_clause

DIMENSIONS = ("technical", "business", "attitude", "etiquette")
# Best first: the order of the recommendation column when sorted descending.
REC_RANK = {"strong_hire": 4, "hire": 3, "lean_no": 2, "no_hire": 1, "incomplete": 0}
CONF_RANK = {"high": 2, "medium": 1, "low": 0}
POSITIVE = frozenset({"strong_hire", "hire"})  # the filter "hire or strong hire"
STATUS_STAGES = ("new", "on_hold", "hired", "rejected", "withdrawn")
SEARCH_MAX = 100
CACHE_SIZE = 8


# --- what is cached --------------------------------------------------------------------------


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
    # (column, shading class, formatted number or None): computed once with the summary,
    # because a 1,000-row page would otherwise format 15,000 numbers per request.
    cells: tuple[tuple[str, str, str | None], ...] = ()

    @property
    def flag_kinds(self) -> frozenset[str]:
        return frozenset(f.kind for f in self.flags)


def band_class(value: float | None, policy: Policy) -> str:
    """The shading class of a score by the job's recommendation bands (band-4 … band-1)."""
    if value is None:
        return "band-na"
    eps = 1e-9
    if value >= policy.strong_hire - eps:
        return "band-4"
    if value >= policy.hire - eps:
        return "band-3"
    if value >= policy.lean_no - eps:
        return "band-2"
    return "band-1"


def _cells(
    score: float | None,
    dims: Mapping[str, float | None],
    rounds: Mapping[str, RoundFigures],
    round_keys: Sequence[str],
    policy: Policy,
) -> tuple[tuple[str, str, str | None], ...]:
    pairs = [("score", score)] + [(d, dims.get(d)) for d in DIMENSIONS]
    for key in round_keys:
        figures = rounds.get(key)
        pairs.append((f"round-{key}", figures.score if figures is not None else None))
    return tuple((col, band_class(v, policy), None if v is None else num(v)) for col, v in pairs)


def summarize(
    score: ApplicationScore,
    policy: Policy = Policy(),  # noqa: B008 - frozen, so a shared default is safe
    round_keys: Sequence[str] = (),
) -> Summary:
    """Boil an engine result down to the figures the matrix shows."""
    result = score.result
    rounds = {}
    for key, rr in result.rounds.items():
        rounds[key] = RoundFigures(
            score=rr.score,
            recommendation=rr.recommendation,
            confidence=rr.confidence,
            raters=rr.raters,
            dimensions=dict(rr.dimensions),
            criteria={k: c.score for k, c in rr.criteria.items()},
        )
    dims = {d: result.dimensions.get(d) for d in DIMENSIONS}
    return Summary(
        recommendation=result.recommendation,
        score=result.score,
        confidence=result.confidence,
        coverage=result.coverage,
        raters=result.raters,
        dimensions=dims,
        rounds=rounds,
        flags=result.flags,
        edited=score.edited_scorecards,
        cells=_cells(result.score, dims, rounds, round_keys or list(rounds), policy),
    )


@dataclass
class _Entry:
    """A job's cached summaries: per application, the fingerprint it was computed from."""

    config: tuple
    fingerprints: dict[int, tuple] = field(default_factory=dict)
    summaries: dict[int, Summary] = field(default_factory=dict)


_cache: OrderedDict[int, _Entry] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_STATS = {"hits": 0, "partial": 0, "misses": 0}
PARTIAL_MAX = 200  # more changed applications than this: rescore the whole job


def clear_cache() -> None:
    """Forget every cached job (tests and benchmarks measure the cold path with this)."""
    with _cache_lock:
        _cache.clear()


def _config_key(scoring: JobScoring) -> tuple:
    job = scoring.job
    config = tuple(
        (
            r.id,
            r.key,
            r.weight,
            tuple(
                (
                    v.id,
                    v.number,
                    tuple(
                        (c.id, c.key, c.weight, c.must_have, c.veto_eligible, str(c.dimension))
                        for c in v.criteria
                    ),
                )
                for v in r.versions
            ),
        )
        for r in scoring.rounds
    )
    return (config, scoring.policy, job.use_calibrated)


def _fingerprints(job_id: int) -> dict[int, tuple]:
    """Per application, what its submitted scorecards look like now: one grouped query.

    Count and id sum of the submissions on interviews that are not cancelled, the newest
    submission time, and the candidate's erasure time (erasure blanks the snapshots' notes).
    """
    rows = db.session.execute(
        sa.select(
            Interview.application_id,
            sa.func.count(ScorecardSubmission.id),
            sa.func.sum(ScorecardSubmission.id),
            sa.func.max(ScorecardSubmission.submitted_at),
            Candidate.erased_at,
        )
        .join(Scorecard, Scorecard.id == ScorecardSubmission.scorecard_id)
        .join(Interview, Interview.id == Scorecard.interview_id)
        .join(Application, Application.id == Interview.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.job_id == job_id, Interview.status != InterviewStatus.CANCELLED)
        .group_by(Interview.application_id, Candidate.erased_at)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def job_summaries(scoring: JobScoring) -> dict[int, Summary]:
    """Application id → Summary for every application with a submitted scorecard (cached).

    Only applications whose scorecards changed since the cached copy are scored again (all of
    them when the setup or policy changed, or when the job uses calibrated scores, where one
    scorecard moves every interviewer's leniency).
    """
    job_id = scoring.job.id
    config = _config_key(scoring)
    current = _fingerprints(job_id)
    with _cache_lock:
        entry = _cache.get(job_id)
        if entry is not None and entry.config == config:
            _cache.move_to_end(job_id)
            known = dict(entry.fingerprints)
            summaries = dict(entry.summaries)
        else:
            known, summaries = {}, {}
    changed = [app_id for app_id, fp in current.items() if known.get(app_id) != fp]
    if not changed and len(known) == len(current):
        CACHE_STATS["hits"] += 1
        return summaries
    keys = [r.key for r in scoring.rounds]
    if not known or scoring.job.use_calibrated or len(changed) > PARTIAL_MAX:
        CACHE_STATS["misses"] += 1
        scores = scoring.score_applications()
        summaries = {}
    else:
        CACHE_STATS["partial"] += 1
        scores = scoring.score_applications(changed)
    for app_id in list(summaries):
        if app_id not in current:
            del summaries[app_id]  # its last submitted scorecard went (cancelled interview)
    for app_id, score in scores.items():
        summaries[app_id] = summarize(score, scoring.policy, keys)
    for app_id in changed:
        if app_id not in scores:
            summaries.pop(app_id, None)
    fingerprints = {app_id: fp for app_id, fp in current.items() if app_id in summaries}
    with _cache_lock:
        _cache[job_id] = _Entry(config, fingerprints, summaries)
        _cache.move_to_end(job_id)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return summaries


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

    def _stage_rank(self) -> tuple[int, int]:
        e = self.entry
        if e.status == ApplicationStatus.ACTIVE:
            if e.round_id is None:
                return (0, 0)
            return (1, e.round_position)
        order = {"on_hold": 2, "hired": 3, "rejected": 4, "withdrawn": 5}
        return (order.get(e.status.value, 6), 0)


@dataclass
class Query:
    """The matrix's sort, filters and search, read from query arguments and checked."""

    sort: str = "score"
    direction: str = "desc"
    stage: str = ""
    recommendation: str = ""
    flag: str = ""
    q: str = ""
    errors: list[str] = field(default_factory=list)

    def args(self, **override: str) -> dict[str, str]:
        """Query arguments for a link: the current ones with some replaced, empties dropped."""
        values = {
            "sort": self.sort,
            "dir": self.direction,
            "stage": self.stage,
            "rec": self.recommendation,
            "flag": self.flag,
            "q": self.q,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v}


def columns(scoring: JobScoring) -> list[str]:
    """Every sortable column of a job's matrix."""
    base = ["name", "stage", "score", "recommendation", "confidence", "flags"]
    return base + list(DIMENSIONS) + [f"round-{r.key}" for r in scoring.rounds]


def stage_values(scoring: JobScoring) -> list[str]:
    """Every stage a filter may name: the job's round keys and the statuses."""
    return [r.key for r in scoring.rounds] + list(STATUS_STAGES)


def parse_query(args: Mapping[str, str], scoring: JobScoring) -> Query:
    """Read sort/filter arguments; an unknown value is dropped with a message, never a 500."""
    query = Query()
    sort = (args.get("sort") or "").strip()
    if sort:
        if sort in columns(scoring):
            query.sort = sort
        else:
            query.errors.append(
                _(
                    "There is no column “%(value)s” to sort by: sorted by overall score instead.",
                    value=sort[:40],
                )
            )
    direction = (args.get("dir") or "").strip()
    if direction:
        if direction in ("asc", "desc"):
            query.direction = direction
        else:
            query.errors.append(_("Sort order must be ascending or descending."))
    elif sort == "name" or sort == "stage":
        query.direction = "asc"
    checks: list[tuple[str, str, Sequence[str], Callable[[str], str]]] = [
        (
            "stage",
            "stage",
            stage_values(scoring),
            lambda v: _("There is no stage “%(value)s” in this job: filter ignored.", value=v),
        ),
        (
            "rec",
            "recommendation",
            [*RECOMMENDATIONS, "positive", "none"],
            lambda v: _("There is no recommendation “%(value)s”: filter ignored.", value=v),
        ),
        (
            "flag",
            "flag",
            [*FLAG_KINDS, "any", "none"],
            lambda v: _("There is no flag “%(value)s”: filter ignored.", value=v),
        ),
    ]
    for arg, attr, allowed, message in checks:
        value = (args.get(arg) or "").strip()
        if not value:
            continue
        if value in allowed:
            setattr(query, attr, value)
        else:
            query.errors.append(message(value[:40]))
    query.q = (args.get("q") or "").strip()[:SEARCH_MAX]
    return query


def _keep(row: Row, query: Query) -> bool:
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
    query: Query
    rows: list[Row]
    total: int
    bands: Policy


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
            blind_clause(user),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Round, Round.id == Application.current_round_id)
        .where(Application.job_id == job_id)
        .order_by(Application.id)
    )
    return [
        (Entry(i, name, st, rid, rkey, rpos or 0), bool(blind))
        for i, name, st, rid, rkey, rpos, blind in rows
    ]


def build_matrix(job: Job, user: User, args: Mapping[str, str]) -> Matrix:
    """The matrix as `user` may see it, sorted and filtered by `args`."""
    scoring = JobScoring(job)
    query = parse_query(args, scoring)
    summaries = job_summaries(scoring)
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
    )
