"""Rounds of a job and their versioned scorecards.

Editing the criteria or questions of a scorecard version that has been scored creates a new
version first (copied, then edited): scorecards already started keep the version they were
scored on, and the ones not yet started move to the new version.
"""

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Criterion,
    Interview,
    Job,
    Question,
    Rating,
    Round,
    Scorecard,
    ScorecardStatus,
    ScorecardVersion,
    StarEvidence,
    User,
)
from scorecard.services import audit
from scorecard.services.errors import DomainError
from scorecard.services.setup.common import (
    CRITERION_FIELDS,
    _clean,
    _need_name,
    _reorder,
    _snap,
    _unique_key,
    parse_weight,
    slugify,
)

ROUND_FIELDS = ("name_zh", "name_en", "focus_zh", "focus_en", "weight")


def _round_values(values: dict[str, Any]) -> dict[str, Any]:
    out = {
        "name_zh": _clean(values.get("name_zh"), 200),
        "name_en": _clean(values.get("name_en"), 200),
        "focus_zh": _clean(values.get("focus_zh")),
        "focus_en": _clean(values.get("focus_en")),
    }
    _need_name(out, "name", "name_zh")
    out["weight"] = parse_weight(values.get("weight", ""))
    return out


def add_round(job: Job, values: dict[str, Any], actor: User | None) -> Round:
    """Append a round (with an empty version 1) to a job."""
    data = _round_values(values)
    taken = {r.key for r in job.rounds}
    key = _unique_key(slugify(data["name_en"], f"round_{len(taken) + 1}"), taken)
    position = max((r.position for r in job.rounds), default=-1) + 1
    rnd = Round(key=key, position=position, **data)
    rnd.versions.append(ScorecardVersion(number=1))
    job.rounds.append(rnd)
    db.session.flush()
    audit.record(
        "round.create", "round", rnd.id, actor=actor, job_id=job.id, after=_snap(rnd, ROUND_FIELDS)
    )
    return rnd


def update_round(rnd: Round, values: dict[str, Any], actor: User | None) -> Round:
    """Change a round's names, focus and weight (not versioned: no scorecard shows them)."""
    audit.update_audited(
        "round.update",
        "round",
        rnd,
        _round_values(values),
        lambda r: _snap(r, ROUND_FIELDS),
        actor=actor,
        job_id=rnd.job_id,
    )
    return rnd


def move_round(rnd: Round, direction: int, actor: User | None) -> None:
    """Move a round one place up (-1) or down (+1) in its job's order."""
    job = rnd.job
    before = [r.key for r in sorted(job.rounds, key=lambda r: r.position)]
    if not _reorder(job.rounds, rnd, direction):
        return
    db.session.flush()
    db.session.expire(job, ["rounds"])
    after = [r.key for r in sorted(job.rounds, key=lambda r: r.position)]
    audit.record(
        "round.move",
        "round",
        rnd.id,
        actor=actor,
        job_id=job.id,
        before={"order": before},
        after={"order": after},
    )


def delete_round(rnd: Round, actor: User | None) -> None:
    """Delete a round that has never had an interview."""
    used = db.session.scalar(
        sa.select(sa.func.count(Interview.id)).where(Interview.round_id == rnd.id)
    )
    if used:
        raise DomainError(None, _("This round has interviews: it cannot be deleted."))
    job = rnd.job
    before = _snap(rnd, ROUND_FIELDS) | {"key": rnd.key}
    round_id = rnd.id
    job.rounds.remove(rnd)
    db.session.flush()
    for position, other in enumerate(sorted(job.rounds, key=lambda r: r.position)):
        other.position = position
    audit.record("round.delete", "round", round_id, actor=actor, job_id=job.id, before=before)


# --- scorecard versions --------------------------------------------------------------------


def started_scorecard_ids(version: ScorecardVersion) -> set[int]:
    """Scorecards on this version that were submitted or hold a rating or STAR evidence."""
    on_version = sa.select(Scorecard.id).where(Scorecard.version_id == version.id)
    ids = set(db.session.scalars(on_version.where(Scorecard.status == ScorecardStatus.SUBMITTED)))
    ids |= set(
        db.session.scalars(
            sa.select(Rating.scorecard_id).where(Rating.scorecard_id.in_(on_version)).distinct()
        )
    )
    ids |= set(
        db.session.scalars(
            sa.select(StarEvidence.scorecard_id)
            .where(StarEvidence.scorecard_id.in_(on_version))
            .distinct()
        )
    )
    return ids


def version_in_use(version: ScorecardVersion) -> bool:
    """True once any scorecard on this version has been started (rated)."""
    return bool(started_scorecard_ids(version))


def _copy_version(old: ScorecardVersion) -> ScorecardVersion:
    new = ScorecardVersion(number=old.number + 1)
    old.round.versions.append(new)
    mapping: dict[int, Criterion] = {}
    for crit in old.criteria:
        copy = Criterion(
            **{name: getattr(crit, name) for name in CRITERION_FIELDS}, position=crit.position
        )
        new.criteria.append(copy)
        mapping[crit.id] = copy
    for q in old.questions:
        new.questions.append(
            Question(
                key=q.key,
                position=q.position,
                star=q.star,
                criterion=mapping.get(q.criterion_id) if q.criterion_id else None,
                text_zh=q.text_zh,
                text_en=q.text_en,
                guidance_zh=q.guidance_zh,
                guidance_en=q.guidance_en,
            )
        )
    return new


def editable_version(rnd: Round, actor: User | None) -> ScorecardVersion:
    """The version an edit may change: the current one, or a new copy if it was scored."""
    current = rnd.current_version
    if current is None:
        current = ScorecardVersion(number=1)
        rnd.versions.append(current)
        db.session.flush()
        return current
    started = started_scorecard_ids(current)
    if not started:
        return current
    new = _copy_version(current)
    db.session.flush()
    # Scorecards nobody has started yet are scored on the new criteria.
    moved = list(
        db.session.scalars(
            sa.select(Scorecard.id).where(
                Scorecard.version_id == current.id, Scorecard.id.not_in(started)
            )
        )
    )
    if moved:
        db.session.execute(
            sa.update(Scorecard).where(Scorecard.id.in_(moved)).values(version_id=new.id)
        )
    audit.record(
        "round.version_create",
        "scorecard_version",
        new.id,
        actor=actor,
        job_id=rnd.job_id,
        before={"round": rnd.key, "version": current.number},
        after={
            "round": rnd.key,
            "version": new.number,
            "kept_on_old_version": sorted(started),
            "moved_to_new_version": sorted(moved),
        },
    )
    return new


def _in_editable(obj: Criterion | Question, actor: User | None) -> Criterion | Question:
    """The same criterion or question (by key) in the round's editable version."""
    rnd = obj.version.round
    if obj.version_id != rnd.current_version.id:
        raise DomainError(None, _("This is an old version: edit the current one instead."))
    version = editable_version(rnd, actor)
    items = version.criteria if isinstance(obj, Criterion) else version.questions
    return next(x for x in items if x.key == obj.key)


def _remove_from_version(
    target: Criterion | Question,
    audited_id: int,
    action: str,
    before: dict[str, Any],
    actor: User | None,
) -> None:
    """Take a criterion or question out of its version and renumber the rest, audited under
    `audited_id` (the one the user chose, when `target` is its copy in a new version)."""
    version = target.version
    items = version.criteria if isinstance(target, Criterion) else version.questions
    items.remove(target)
    db.session.flush()
    for position, other in enumerate(items):
        other.position = position
    audit.record(
        action,
        action.partition(".")[0],
        audited_id,
        actor=actor,
        job_id=version.round.job_id,
        before=before,
        after={"version": version.number},
    )
