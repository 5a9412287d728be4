"""From the database to the scoring engine and back: a job's recommendations in few queries.

The engine (scorecard/scoring) is pure; this module only gathers its inputs:

- Each round is scored on the criteria of the newest version any of its submitted scorecards
  used; a rating on an older version's criterion counts for the criterion with the same key.
- Scores come from the frozen first submission (ScorecardSubmission.snapshot), never from
  edits after submitting (those are audited and shown as "edited").
- Engine keys are namespaced "<round key>:<criterion key>" so that two rounds may reuse a
  criterion key; interviewers are "u<user id>".
- Cancelled interviews do not count.

Loading a whole job costs a constant number of queries whatever its number of candidates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from scorecard.extensions import db
from scorecard.models import (
    Application,
    Criterion,
    Interview,
    InterviewStatus,
    Job,
    Round,
    Scorecard,
    ScorecardSubmission,
    ScorecardVersion,
    User,
)
from scorecard.scoring import (
    CriterionSpec,
    Policy,
    RatingInput,
    RatingRecord,
    Result,
    RoundSpec,
    ScorecardInput,
    adjusted_scorecards,
    agreement,
    evaluate,
)
from scorecard.scoring.agreement import AgreementReport


def engine_key(round_key: str, criterion_key: str) -> str:
    """The engine's criterion key: unique across a job's rounds."""
    return f"{round_key}:{criterion_key}"


def interviewer_key(user_id: int) -> str:
    """The engine's interviewer name for a user."""
    return f"u{user_id}"


def policy_for(job: Job) -> Policy:
    """The job's recommendation policy (scoring.md S3–S6)."""
    return Policy(
        strong_hire=job.band_strong_hire,
        hire=job.band_hire,
        lean_no=job.band_lean_no,
        coverage_min=job.coverage_min,
        hurdle_min=job.hurdle_min,
        r1=job.r1,
    )


@dataclass(frozen=True)
class Submitted:
    """One submitted scorecard as the engine sees it, with what the pages need beside it."""

    scorecard_id: int
    application_id: int
    round_id: int
    interviewer_id: int
    version_id: int
    submitted_at: datetime
    interview_ends_at: datetime
    edited: bool
    snapshot: Mapping


@dataclass
class ApplicationScore:
    """An application's result, plus the version each round was scored on."""

    application_id: int
    result: Result
    versions: dict[str, int] = field(default_factory=dict)  # round key → version number
    edited_scorecards: int = 0
    # Filled when scored now; a stored result (services/results.py) keeps the figures below.
    submitted: list[Submitted] = field(default_factory=list)
    interviewer_ids: tuple[int, ...] = ()
    edited_rounds: dict[int, int] = field(default_factory=dict)  # round id → edited cards


class JobScoring:
    """A job's rounds, versions and criteria, loaded once, turned into engine inputs."""

    def __init__(self, job: Job) -> None:
        self.job = job
        # One query (joined eager loading) for rounds, versions and criteria: a page that
        # scores a whole job must stay within a constant, small number of queries.
        self.rounds: list[Round] = list(
            db.session.scalars(
                sa.select(Round)
                .where(Round.job_id == job.id)
                .order_by(Round.position, Round.id)
                .options(
                    joinedload(Round.versions).joinedload(ScorecardVersion.criteria),
                )
            ).unique()
        )
        self.round_by_id = {r.id: r for r in self.rounds}
        self.version_by_id: dict[int, ScorecardVersion] = {
            v.id: v for r in self.rounds for v in r.versions
        }
        self.criterion_by_id: dict[int, Criterion] = {
            c.id: c for v in self.version_by_id.values() for c in v.criteria
        }
        self._specs: dict[tuple[int, int], RoundSpec] = {}
        self._spec_lists: dict[tuple[int, ...], tuple[RoundSpec, ...]] = {}
        self._keymaps: dict[tuple[int, int], dict[str, str]] = {}
        self.policy = policy_for(job)

    # -- specs ------------------------------------------------------------------------------

    def spec(self, rnd: Round, version: ScorecardVersion | None) -> RoundSpec:
        """The engine's RoundSpec for a round scored on `version` (default: the newest)."""
        version = version or rnd.current_version
        cache_key = (rnd.id, version.id if version else 0)
        if cache_key not in self._specs:
            criteria = tuple(
                CriterionSpec(
                    key=engine_key(rnd.key, c.key),
                    weight=c.weight,
                    must_have=c.must_have,
                    veto=c.veto_eligible,
                    dimension=c.dimension.value,
                )
                for c in (version.criteria if version else [])
            )
            self._specs[cache_key] = RoundSpec(key=rnd.key, weight=rnd.weight, criteria=criteria)
        return self._specs[cache_key]

    def criterion_for(self, spec_key: str) -> Criterion | None:
        """Map an engine key back to a criterion of the newest version holding it."""
        round_key, _, crit_key = spec_key.partition(":")
        for rnd in self.rounds:
            if rnd.key == round_key:
                for version in reversed(rnd.versions):
                    for crit in version.criteria:
                        if crit.key == crit_key:
                            return crit
        return None

    # -- loading ----------------------------------------------------------------------------

    def load_submitted(self, application_ids: Iterable[int] | None = None) -> list[Submitted]:
        """Every submitted scorecard of the job (or of some applications): one query."""
        stmt = (
            sa.select(
                Scorecard.id,
                Interview.application_id,
                Interview.round_id,
                Scorecard.interviewer_id,
                Scorecard.version_id,
                ScorecardSubmission.submitted_at,
                Interview.starts_at,
                Interview.duration_minutes,
                Scorecard.edited_at,
                ScorecardSubmission.snapshot,
            )
            .join(ScorecardSubmission, ScorecardSubmission.scorecard_id == Scorecard.id)
            .join(Interview, Interview.id == Scorecard.interview_id)
            .join(Application, Application.id == Interview.application_id)
            .where(Application.job_id == self.job.id)
            .where(Interview.status != InterviewStatus.CANCELLED)
            .order_by(Interview.application_id, Scorecard.id)
        )
        if application_ids is not None:
            stmt = stmt.where(Interview.application_id.in_(list(application_ids)))
        return [
            Submitted(
                scorecard_id=row[0],
                application_id=row[1],
                round_id=row[2],
                interviewer_id=row[3],
                version_id=row[4],
                submitted_at=row[5],
                interview_ends_at=row[6] + timedelta(minutes=row[7]),
                edited=row[8] is not None,
                snapshot=row[9] or {},
            )
            for row in db.session.execute(stmt)
        ]

    # -- inputs -----------------------------------------------------------------------------

    def _version_for_round(self, cards: list[Submitted]) -> ScorecardVersion | None:
        versions = [
            self.version_by_id[c.version_id] for c in cards if c.version_id in self.version_by_id
        ]
        return max(versions, key=lambda v: v.number) if versions else None

    def inputs(
        self, cards: list[Submitted]
    ) -> tuple[tuple[RoundSpec, ...], list[ScorecardInput], dict[str, int]]:
        """Engine inputs for one application's submitted scorecards."""
        by_round: dict[int, list[Submitted]] = defaultdict(list)
        for card in cards:
            by_round[card.round_id].append(card)
        spec_ids: list[int] = []
        scorecards: list[ScorecardInput] = []
        versions: dict[str, int] = {}
        for rnd in self.rounds:
            round_cards = by_round.get(rnd.id, [])
            version = self._version_for_round(round_cards) or rnd.current_version
            spec = self.spec(rnd, version)
            spec_ids.append(version.id if version else 0)
            if version is not None and round_cards:
                versions[rnd.key] = version.number
            keymap = self._keymap(rnd, version, spec)
            for card in round_cards:
                scorecards.append(self._scorecard_input(rnd, card, keymap))
        return self._spec_list(spec_ids), scorecards, versions

    def _spec_list(self, version_ids: list[int]) -> tuple[RoundSpec, ...]:
        # The same tuple object for every application scored on the same versions: the
        # engine then validates and indexes the configuration once, not once per candidate.
        key = tuple(version_ids)
        specs = self._spec_lists.get(key)
        if specs is None:
            specs = tuple(
                self.spec(rnd, self.version_by_id.get(vid))
                for rnd, vid in zip(self.rounds, version_ids, strict=True)
            )
            self._spec_lists[key] = specs
        return specs

    def _keymap(
        self, rnd: Round, version: ScorecardVersion | None, spec: RoundSpec
    ) -> dict[str, str]:
        """Snapshot criterion id (a string) → engine key, for the criteria the spec scores."""
        cache_key = (rnd.id, version.id if version else 0)
        keymap = self._keymaps.get(cache_key)
        if keymap is None:
            allowed = {c.key for c in spec.criteria}
            keymap = {}
            for crit_id, crit in self.criterion_by_id.items():
                if crit.version_id in self.version_by_id and (
                    self.version_by_id[crit.version_id].round_id == rnd.id
                ):
                    key = engine_key(rnd.key, crit.key)
                    if key in allowed:
                        keymap[str(crit_id)] = key
            self._keymaps[cache_key] = keymap
        return keymap

    def _scorecard_input(
        self, rnd: Round, card: Submitted, keymap: Mapping[str, str]
    ) -> ScorecardInput:
        ratings: dict[str, RatingInput] = {}
        for crit_id, rating in (card.snapshot.get("ratings") or {}).items():
            key = keymap.get(crit_id)
            if key is not None:
                ratings[key] = RatingInput(rating.get("value"), rating.get("note") or "")
        return ScorecardInput(
            interviewer=interviewer_key(card.interviewer_id),
            round=rnd.key,
            overall=card.snapshot.get("overall"),
            red_flags=tuple(card.snapshot.get("red_flags") or ()),
            ratings=ratings,
        )

    def records(self, cards: Iterable[Submitted]) -> list[RatingRecord]:
        """Flat rating rows (candidate = application) for calibration and agreement."""
        rows: list[RatingRecord] = []
        for card in cards:
            rnd = self.round_by_id.get(card.round_id)
            if rnd is None:
                continue
            for crit_id, rating in (card.snapshot.get("ratings") or {}).items():
                crit = self.criterion_by_id.get(int(crit_id))
                if crit is None:
                    continue
                rows.append(
                    RatingRecord(
                        candidate=f"a{card.application_id}",
                        interviewer=interviewer_key(card.interviewer_id),
                        criterion=engine_key(rnd.key, crit.key),
                        value=rating.get("value"),
                    )
                )
        return rows

    def weights(self) -> dict[str, float]:
        """Engine key → weight of the newest version (for weighted interviewer means)."""
        out: dict[str, float] = {}
        for rnd in self.rounds:
            for version in rnd.versions:
                for crit in version.criteria:
                    out[engine_key(rnd.key, crit.key)] = crit.weight
        return out

    # -- results ----------------------------------------------------------------------------

    def score_applications(
        self, application_ids: Iterable[int] | None = None
    ) -> dict[int, ApplicationScore]:
        """Results for the job's applications that have at least one submitted scorecard."""
        ids = None if application_ids is None else list(application_ids)
        calibrated = self.job.use_calibrated
        cards = self.load_submitted(None if calibrated else ids)
        leniency = None
        if calibrated:
            leniency = agreement(self.records(cards), self.weights()).leniency
            if ids is not None:
                wanted = set(ids)
                cards = [c for c in cards if c.application_id in wanted]
        grouped: dict[int, list[Submitted]] = defaultdict(list)
        for card in cards:
            grouped[card.application_id].append(card)
        results: dict[int, ApplicationScore] = {}
        for app_id, app_cards in grouped.items():
            specs, inputs, versions = self.inputs(app_cards)
            if leniency is not None:
                inputs = list(adjusted_scorecards(inputs, leniency))
            results[app_id] = ApplicationScore(
                application_id=app_id,
                result=evaluate(specs, inputs, self.policy),
                versions=versions,
                edited_scorecards=sum(1 for c in app_cards if c.edited),
                submitted=app_cards,
                interviewer_ids=tuple(sorted({c.interviewer_id for c in app_cards})),
                edited_rounds=dict(Counter(c.round_id for c in app_cards if c.edited)),
            )
        return results

    def agreement_report(
        self, round_key: str | None = None, exclude: Iterable[int] = ()
    ) -> AgreementReport:
        """S8/S9 figures for the whole job, or for one round, leaving out the applications
        in `exclude` (those the viewer is blind to: `visibility.blind_application_ids`)."""
        left_out = set(exclude)
        cards = [c for c in self.load_submitted() if c.application_id not in left_out]
        if round_key is not None:
            ids = {r.id for r in self.rounds if r.key == round_key}
            cards = [c for c in cards if c.round_id in ids]
        return agreement(self.records(cards), self.weights())


def interviewer_names(user_ids: Iterable[int]) -> dict[str, str]:
    """Engine interviewer key → display name."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids)))
    return {interviewer_key(uid): name for uid, name in rows}
