"""Jobs and their setup: creation (template, copy, blank), team, rounds, versioned scorecards.

Editing the criteria or questions of a scorecard version that has been scored creates a new
version first (copied, then edited): scorecards already started keep the version they were
scored on, and the ones not yet started move to the new version.
"""

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import (
    Criterion,
    Dimension,
    Interview,
    InterviewStatus,
    Job,
    JobMember,
    JobRole,
    JobStatus,
    Question,
    Rating,
    RedFlag,
    Role,
    Round,
    Scorecard,
    ScorecardStatus,
    ScorecardVersion,
    StarEvidence,
    User,
    scorecard_red_flags,
)
from scorecard.services import audit
from scorecard.services.errors import DomainError

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "seed" / "default_template.json"
ANCHOR_POINTS = ("1", "2", "3", "4")
MAX_WEIGHT = 100.0
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

JOB_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")
ROUND_FIELDS = ("name_zh", "name_en", "focus_zh", "focus_en", "weight")
CRITERION_FIELDS = (
    "key",
    "dimension",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "weight",
    "must_have",
    "veto_eligible",
) + tuple(f"anchor{p}_{lang}" for p in ANCHOR_POINTS for lang in ("zh", "en"))
QUESTION_FIELDS = ("text_zh", "text_en", "guidance_zh", "guidance_en", "star", "criterion_key")
RED_FLAG_FIELDS = ("label_zh", "label_en", "description_zh", "description_en")


@cache
def default_template() -> dict[str, Any]:
    """The guide's 医疗软件实施工程师 setup, as shipped (read once)."""
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def _bi(prefix: str, texts: dict[str, str] | None) -> dict[str, str]:
    texts = texts or {}
    return {f"{prefix}_zh": texts.get("zh", ""), f"{prefix}_en": texts.get("en", "")}


def _snap(obj: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited values of an object: plain JSON types only."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name, None)
        out[name] = value.value if hasattr(value, "value") else value
    return out


# --- validation helpers --------------------------------------------------------------------


def parse_weight(value: Any, field: str = "weight") -> float:
    """A weight: a finite number greater than 0 (at most 100), else DomainError."""
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise DomainError(field, _("Enter a number greater than 0.")) from None
    if not math.isfinite(number) or number <= 0:
        raise DomainError(field, _("Enter a number greater than 0."))
    if number > MAX_WEIGHT:
        raise DomainError(field, _("A weight can be at most %(max)s.", max=int(MAX_WEIGHT)))
    return number


def _clean(text: Any, limit: int | None = None) -> str:
    value = "" if text is None else str(text).strip()
    return value[:limit] if limit else value


def _need_name(values: dict[str, Any], prefix: str, field: str) -> None:
    if not (values.get(f"{prefix}_zh") or values.get(f"{prefix}_en")):
        raise DomainError(field, _("Enter a name in Chinese or English."))


def slugify(text: str, fallback: str) -> str:
    """A short lower-case key from English text, or `fallback` when nothing is left."""
    slug = re.sub(r"[^a-z0-9]+", "_", (text or "").lower()).strip("_")[:40].strip("_")
    return slug or fallback


def _unique_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        suffix = f"_{n}"
        key = base[: 40 - len(suffix)] + suffix
        n += 1
    return key


# --- jobs ----------------------------------------------------------------------------------


def create_job_from_template(
    template: dict[str, Any], actor: User | None, origin: str = "template"
) -> Job:
    """Build a job with its rounds, criteria (version 1), questions and red flags."""
    spec = template["job"]
    job = Job(**_bi("title", spec["title"]), **_bi("description", spec.get("description")))
    job.created_by_id = actor.id if actor else None
    for name in ("overdue_hours",):
        if name in spec:
            setattr(job, name, spec[name])
    db.session.add(job)
    for position, rspec in enumerate(template["rounds"]):
        rnd = Round(
            key=rspec["key"],
            position=position,
            weight=float(rspec.get("weight", 1)),
            **_bi("name", rspec["name"]),
            **_bi("focus", rspec.get("focus")),
        )
        job.rounds.append(rnd)
        version = ScorecardVersion(number=1)
        rnd.versions.append(version)
        by_key: dict[str, Criterion] = {}
        for cpos, cspec in enumerate(rspec["criteria"]):
            anchors: dict[str, str] = {}
            for point in ANCHOR_POINTS:
                anchors.update(_bi(f"anchor{point}", cspec["anchors"][point]))
            crit = Criterion(
                key=cspec["key"],
                position=cpos,
                dimension=Dimension(cspec["dimension"]),
                weight=float(cspec.get("weight", 1)),
                must_have=bool(cspec.get("must_have", False)),
                veto_eligible=bool(cspec.get("veto", False)),
                **_bi("name", cspec["name"]),
                **_bi("description", cspec.get("description")),
                **anchors,
            )
            version.criteria.append(crit)
            by_key[crit.key] = crit
        for qpos, qspec in enumerate(rspec.get("questions", [])):
            question = Question(
                key=qspec["key"],
                position=qpos,
                criterion=by_key.get(qspec.get("criterion") or ""),
                star=bool(qspec.get("star", False)),
                **_bi("text", qspec["text"]),
                **_bi("guidance", qspec.get("guidance")),
            )
            version.questions.append(question)
    for position, fspec in enumerate(template.get("red_flags", [])):
        flag = RedFlag(
            key=fspec["key"],
            position=position,
            **_bi("label", fspec["label"]),
            **_bi("description", fspec.get("description")),
        )
        job.red_flags.append(flag)
    db.session.flush()
    audit.record(
        "job.create",
        "job",
        job.id,
        actor=actor,
        job_id=job.id,
        after={"title_zh": job.title_zh, "title_en": job.title_en, "from": origin},
    )
    return job


def job_as_template(job: Job) -> dict[str, Any]:
    """A job's setup (current versions, red flags, settings) in the template's format."""

    def bi(obj: object, prefix: str) -> dict[str, str]:
        return {"zh": getattr(obj, f"{prefix}_zh"), "en": getattr(obj, f"{prefix}_en")}

    rounds = []
    for rnd in job.rounds:
        version = rnd.current_version
        criteria = version.criteria if version else []
        questions = version.questions if version else []
        rounds.append(
            {
                "key": rnd.key,
                "weight": rnd.weight,
                "name": bi(rnd, "name"),
                "focus": bi(rnd, "focus"),
                "criteria": [
                    {
                        "key": c.key,
                        "dimension": c.dimension.value,
                        "weight": c.weight,
                        "must_have": c.must_have,
                        "veto": c.veto_eligible,
                        "name": bi(c, "name"),
                        "description": bi(c, "description"),
                        "anchors": {p: bi(c, f"anchor{p}") for p in ANCHOR_POINTS},
                    }
                    for c in criteria
                ],
                "questions": [
                    {
                        "key": q.key,
                        "criterion": q.criterion.key if q.criterion else None,
                        "star": q.star,
                        "text": bi(q, "text"),
                        "guidance": bi(q, "guidance"),
                    }
                    for q in questions
                ],
            }
        )
    return {
        "job": {
            "title": bi(job, "title"),
            "description": bi(job, "description"),
            "overdue_hours": job.overdue_hours,
        },
        "rounds": rounds,
        "red_flags": [
            {"key": f.key, "label": bi(f, "label"), "description": bi(f, "description")}
            for f in job.red_flags
        ],
    }


def _titles(values: dict[str, Any]) -> dict[str, str]:
    titles = {
        "title_zh": _clean(values.get("title_zh"), 200),
        "title_en": _clean(values.get("title_en"), 200),
    }
    if not (titles["title_zh"] or titles["title_en"]):
        raise DomainError("title_zh", _("Enter a job title in Chinese or English."))
    return titles


def _join_creator(job: Job, actor: User | None) -> None:
    # A non-admin creator must be on the team, or the job would be invisible to them.
    if actor is not None and actor.role != Role.ADMIN:
        add_member(job, actor, JobRole.RECRUITER, actor)


def new_job_from_default(actor: User | None) -> Job:
    """A job from the shipped default template, with its creator on the team."""
    job = create_job_from_template(default_template(), actor, origin="template")
    _join_creator(job, actor)
    return job


def copy_job(source: Job, values: dict[str, Any], actor: User | None, with_team: bool) -> Job:
    """A new job with another job's setup (and optionally its team); titles may be changed."""
    template = job_as_template(source)
    titles = {
        "title_zh": _clean(values.get("title_zh"), 200),
        "title_en": _clean(values.get("title_en"), 200),
    }
    if not (titles["title_zh"] or titles["title_en"]):
        titles = {
            "title_zh": (source.title_zh + "（副本）") if source.title_zh else "",
            "title_en": (source.title_en + " (copy)") if source.title_en else "",
        }
    template["job"]["title"] = {"zh": titles["title_zh"], "en": titles["title_en"]}
    job = create_job_from_template(template, actor, origin=f"copy:{source.id}")
    for attr in ("band_strong_hire", "band_hire", "band_lean_no", "coverage_min", "hurdle_min"):
        setattr(job, attr, getattr(source, attr))
    if with_team:
        for member in source.members:
            add_member(job, member.user, member.job_role, actor)
    if (
        actor is not None
        and actor.role != Role.ADMIN
        and not any(m.user_id == actor.id for m in job.members)
    ):
        _join_creator(job, actor)
    return job


def create_blank_job(values: dict[str, Any], actor: User | None) -> Job:
    """A job with titles only: rounds are added afterwards."""
    titles = _titles(values)
    job = Job(
        **titles,
        description_zh=_clean(values.get("description_zh")),
        description_en=_clean(values.get("description_en")),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "job.create", "job", job.id, actor=actor, job_id=job.id, after={**titles, "from": "blank"}
    )
    _join_creator(job, actor)
    return job


def update_job(job: Job, values: dict[str, Any], actor: User | None) -> Job:
    """Change a job's titles, descriptions, status and overdue-feedback hours."""
    fields = (*JOB_FIELDS, "status", "overdue_hours")
    before = _snap(job, fields)
    titles = _titles(values)
    message = _("Enter a whole number of hours from 1 to 720.")
    try:
        hours = int(str(values.get("overdue_hours", job.overdue_hours)).strip())
    except ValueError:
        raise DomainError("overdue_hours", message) from None
    if not 1 <= hours <= 720:
        raise DomainError("overdue_hours", message)
    status = values.get("status", job.status.value)
    try:
        job.status = JobStatus(status)
    except ValueError:
        raise DomainError("status", _("Unknown status.")) from None
    job.title_zh, job.title_en = titles["title_zh"], titles["title_en"]
    job.description_zh = _clean(values.get("description_zh"))
    job.description_en = _clean(values.get("description_en"))
    job.overdue_hours = hours
    db.session.flush()
    after = _snap(job, fields)
    audit.record_change(
        "job.update", "job", job.id, actor=actor, job_id=job.id, before=before, after=after
    )
    return job


# --- the hiring team -----------------------------------------------------------------------

ROLE_FITS = {
    JobRole.RECRUITER: {Role.HR, Role.ADMIN},
    JobRole.HIRING_MANAGER: {Role.MANAGER, Role.ADMIN},
    JobRole.INTERVIEWER: set(Role),
}


def add_member(job: Job, user: User, role: JobRole, actor: User | None) -> JobMember:
    """Put a user on a job's hiring team."""
    if role not in ROLE_FITS or user.role not in ROLE_FITS[role]:
        raise DomainError("job_role", _("This person's role does not allow that job role."))
    existing = db.session.scalar(
        sa.select(JobMember).where(JobMember.job_id == job.id, JobMember.user_id == user.id)
    )
    if existing is not None:
        raise DomainError("user_id", _("This person is already on the hiring team."))
    member = JobMember(job_id=job.id, user_id=user.id, job_role=role)
    try:
        # The unique (job, user) constraint decides when two requests race.
        with db.session.begin_nested():
            db.session.add(member)
    except sa.exc.IntegrityError:
        raise DomainError("user_id", _("This person is already on the hiring team.")) from None
    db.session.refresh(job, ["members"])
    audit.record(
        "job.member_add",
        "job_member",
        member.id,
        actor=actor,
        job_id=job.id,
        after={"user": user.email, "job_role": role.value},
    )
    return member


def remove_member(member: JobMember, actor: User | None) -> None:
    """Take a user off the team, unless they still owe a scorecard on a scheduled interview."""
    from scorecard.models import Application

    pending = db.session.scalar(
        sa.select(sa.func.count(Scorecard.id))
        .join(Interview, Scorecard.interview_id == Interview.id)
        .join(Application, Interview.application_id == Application.id)
        .where(
            Application.job_id == member.job_id,
            Scorecard.interviewer_id == member.user_id,
            Scorecard.status == ScorecardStatus.DRAFT,
            Interview.status == InterviewStatus.SCHEDULED,
        )
    )
    if pending:
        raise DomainError(
            "member",
            _(
                "%(name)s is on the panel of %(n)s scheduled interviews: "
                "change those panels first.",
                name=member.user.name,
                n=pending,
            ),
        )
    before = {"user": member.user.email, "job_role": member.job_role.value}
    job_id, member_id = member.job_id, member.id
    db.session.delete(member)
    db.session.flush()
    audit.record(
        "job.member_remove", "job_member", member_id, actor=actor, job_id=job_id, before=before
    )


# --- rounds --------------------------------------------------------------------------------


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
    before = _snap(rnd, ROUND_FIELDS)
    for name, value in _round_values(values).items():
        setattr(rnd, name, value)
    db.session.flush()
    after = _snap(rnd, ROUND_FIELDS)
    audit.record_change(
        "round.update",
        "round",
        rnd.id,
        actor=actor,
        job_id=rnd.job_id,
        before=before,
        after=after,
    )
    return rnd


def _reorder(items: list, item: object, direction: int) -> bool:
    """Swap `item` with its neighbour; positions are renumbered 0..n-1. False at an edge."""
    ordered = sorted(items, key=lambda x: (x.position, x.id))
    index = ordered.index(item)
    target = index + direction
    if not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, obj in enumerate(ordered):
        obj.position = position
    return True


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


def _criterion_values(values: dict[str, Any], version: ScorecardVersion, current_key: str | None):
    out: dict[str, Any] = {}
    for lang in ("zh", "en"):
        out[f"name_{lang}"] = _clean(values.get(f"name_{lang}"), 200)
        out[f"description_{lang}"] = _clean(values.get(f"description_{lang}"))
        for p in ANCHOR_POINTS:
            out[f"anchor{p}_{lang}"] = _clean(values.get(f"anchor{p}_{lang}"))
    _need_name(out, "name", "name_zh")
    try:
        out["dimension"] = Dimension(values.get("dimension"))
    except ValueError:
        raise DomainError("dimension", _("Choose a dimension.")) from None
    out["weight"] = parse_weight(values.get("weight", ""))
    out["must_have"] = bool(values.get("must_have"))
    out["veto_eligible"] = bool(values.get("veto_eligible"))
    others = [c for c in version.criteria if c.key != current_key]
    for lang in ("zh", "en"):
        name = out[f"name_{lang}"].casefold()
        if name and any(getattr(c, f"name_{lang}").strip().casefold() == name for c in others):
            raise DomainError(
                f"name_{lang}", _("Another criterion of this round already has this name.")
            )
    key = _clean(values.get("key")).lower()
    taken = {c.key for c in others}
    if key:
        if not KEY_RE.match(key):
            raise DomainError(
                "key", _("A key uses lower-case letters, digits, _ or - (at most 40).")
            )
        if key in taken:
            raise DomainError("key", _("Another criterion of this round already has this key."))
    else:
        key = current_key or _unique_key(
            slugify(out["name_en"], f"criterion_{len(taken) + 1}"), taken
        )
    out["key"] = key
    return out


def add_criterion(rnd: Round, values: dict[str, Any], actor: User | None) -> Criterion:
    """Add a criterion to the round's scorecard (in a new version if it was scored)."""
    current = rnd.current_version
    if current is not None:
        # Validate against the current criteria before creating any version.
        _criterion_values(values, current, None)
    version = editable_version(rnd, actor)
    data = _criterion_values(values, version, None)
    position = max((c.position for c in version.criteria), default=-1) + 1
    crit = Criterion(position=position, **data)
    version.criteria.append(crit)
    db.session.flush()
    audit.record(
        "criterion.create",
        "criterion",
        crit.id,
        actor=actor,
        job_id=rnd.job_id,
        after=_snap(crit, CRITERION_FIELDS) | {"version": version.number},
    )
    return crit


def update_criterion(crit: Criterion, values: dict[str, Any], actor: User | None) -> Criterion:
    """Edit a criterion (in a new version if its version was scored); returns the edited one."""
    _criterion_values(values, crit.version, crit.key)  # reject bad input before forking
    before = _snap(crit, CRITERION_FIELDS) | {"version": crit.version.number}
    target = _in_editable(crit, actor)
    data = _criterion_values(values, target.version, target.key)
    for name, value in data.items():
        setattr(target, name, value)
    db.session.flush()
    after = _snap(target, CRITERION_FIELDS) | {"version": target.version.number}
    if {k: v for k, v in after.items() if k != "version"} != {
        k: v for k, v in before.items() if k != "version"
    } or after["version"] != before["version"]:
        audit.record(
            "criterion.update",
            "criterion",
            target.id,
            actor=actor,
            job_id=target.version.round.job_id,
            before=before,
            after=after,
        )
    return target


def delete_criterion(crit: Criterion, actor: User | None) -> None:
    """Remove a criterion from the current scorecard (the scored old version keeps it)."""
    before = _snap(crit, CRITERION_FIELDS) | {"version": crit.version.number}
    target = _in_editable(crit, actor)
    version = target.version
    for q in version.questions:
        if q.criterion_id == target.id:
            q.criterion = None
    version.criteria.remove(target)
    db.session.flush()
    for position, other in enumerate(version.criteria):
        other.position = position
    audit.record(
        "criterion.delete",
        "criterion",
        crit.id,
        actor=actor,
        job_id=version.round.job_id,
        before=before,
        after={"version": version.number},
    )


def move_criterion(crit: Criterion, direction: int, actor: User | None) -> Criterion:
    """Move a criterion up (-1) or down (+1) in the scorecard's order."""
    target = _in_editable(crit, actor)
    version = target.version
    before = [c.key for c in version.criteria]
    if _reorder(version.criteria, target, direction):
        db.session.flush()
        version.criteria.sort(key=lambda c: c.position)
        audit.record(
            "criterion.move",
            "criterion",
            target.id,
            actor=actor,
            job_id=version.round.job_id,
            before={"order": before, "version": crit.version.number},
            after={"order": [c.key for c in version.criteria], "version": version.number},
        )
    return target


# --- questions -----------------------------------------------------------------------------


def _question_values(values: dict[str, Any], version: ScorecardVersion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lang in ("zh", "en"):
        out[f"text_{lang}"] = _clean(values.get(f"text_{lang}"))
        out[f"guidance_{lang}"] = _clean(values.get(f"guidance_{lang}"))
    if not (out["text_zh"] or out["text_en"]):
        raise DomainError("text_zh", _("Enter the question in Chinese or English."))
    out["star"] = bool(values.get("star"))
    key = _clean(values.get("criterion_key"))
    if key and key not in {c.key for c in version.criteria}:
        raise DomainError("criterion_key", _("Choose a criterion of this round."))
    out["criterion_key"] = key or None
    return out


def _question_snap(q: Question) -> dict[str, Any]:
    snap = _snap(q, QUESTION_FIELDS[:-1])
    snap["criterion_key"] = q.criterion.key if q.criterion else None
    return snap


def _apply_question(q: Question, data: dict[str, Any], version: ScorecardVersion) -> None:
    by_key = {c.key: c for c in version.criteria}
    for name, value in data.items():
        if name == "criterion_key":
            q.criterion = by_key.get(value) if value else None
        else:
            setattr(q, name, value)


def add_question(rnd: Round, values: dict[str, Any], actor: User | None) -> Question:
    """Add a question to the round's scorecard (in a new version if it was scored)."""
    if rnd.current_version is not None:
        _question_values(values, rnd.current_version)
    version = editable_version(rnd, actor)
    data = _question_values(values, version)
    taken = {q.key for q in version.questions}
    key = _unique_key(slugify(data["text_en"][:30], f"q{len(taken) + 1}"), taken)
    q = Question(key=key, position=max((x.position for x in version.questions), default=-1) + 1)
    _apply_question(q, data, version)
    version.questions.append(q)
    db.session.flush()
    audit.record(
        "question.create",
        "question",
        q.id,
        actor=actor,
        job_id=rnd.job_id,
        after=_question_snap(q) | {"version": version.number},
    )
    return q


def update_question(q: Question, values: dict[str, Any], actor: User | None) -> Question:
    """Edit a question (in a new version if its version was scored)."""
    _question_values(values, q.version)
    before = _question_snap(q) | {"version": q.version.number}
    target = _in_editable(q, actor)
    _apply_question(target, _question_values(values, target.version), target.version)
    db.session.flush()
    after = _question_snap(target) | {"version": target.version.number}
    audit.record_change(
        "question.update",
        "question",
        target.id,
        actor=actor,
        job_id=target.version.round.job_id,
        before=before,
        after=after,
    )
    return target


def delete_question(q: Question, actor: User | None) -> None:
    """Remove a question from the current scorecard (a scored old version keeps it)."""
    before = _question_snap(q) | {"version": q.version.number}
    target = _in_editable(q, actor)
    version = target.version
    version.questions.remove(target)
    db.session.flush()
    for position, other in enumerate(version.questions):
        other.position = position
    audit.record(
        "question.delete",
        "question",
        q.id,
        actor=actor,
        job_id=version.round.job_id,
        before=before,
        after={"version": version.number},
    )


# --- red flags -----------------------------------------------------------------------------


def _flag_values(values: dict[str, Any], job: Job, current: RedFlag | None) -> dict[str, Any]:
    out = {
        "label_zh": _clean(values.get("label_zh"), 200),
        "label_en": _clean(values.get("label_en"), 200),
        "description_zh": _clean(values.get("description_zh")),
        "description_en": _clean(values.get("description_en")),
    }
    if not (out["label_zh"] or out["label_en"]):
        raise DomainError("label_zh", _("Enter a name in Chinese or English."))
    for lang in ("zh", "en"):
        label = out[f"label_{lang}"].casefold()
        if label and any(
            f is not current and getattr(f, f"label_{lang}").strip().casefold() == label
            for f in job.red_flags
        ):
            raise DomainError(f"label_{lang}", _("Another red flag already has this name."))
    return out


def add_red_flag(job: Job, values: dict[str, Any], actor: User | None) -> RedFlag:
    """Add a red flag offered on every scorecard of the job."""
    data = _flag_values(values, job, None)
    taken = {f.key for f in job.red_flags}
    flag = RedFlag(
        key=_unique_key(slugify(data["label_en"], f"flag_{len(taken) + 1}"), taken),
        position=max((f.position for f in job.red_flags), default=-1) + 1,
        **data,
    )
    job.red_flags.append(flag)
    db.session.flush()
    audit.record(
        "red_flag.create",
        "red_flag",
        flag.id,
        actor=actor,
        job_id=job.id,
        after=_snap(flag, RED_FLAG_FIELDS),
    )
    return flag


def update_red_flag(flag: RedFlag, values: dict[str, Any], actor: User | None) -> RedFlag:
    """Change a red flag's wording."""
    before = _snap(flag, RED_FLAG_FIELDS)
    for name, value in _flag_values(values, flag.job, flag).items():
        setattr(flag, name, value)
    db.session.flush()
    after = _snap(flag, RED_FLAG_FIELDS)
    audit.record_change(
        "red_flag.update",
        "red_flag",
        flag.id,
        actor=actor,
        job_id=flag.job_id,
        before=before,
        after=after,
    )
    return flag


def delete_red_flag(flag: RedFlag, actor: User | None) -> None:
    """Delete a red flag no scorecard has ticked."""
    used = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(scorecard_red_flags)
        .where(scorecard_red_flags.c.red_flag_id == flag.id)
    )
    if used:
        raise DomainError(None, _("Scorecards have ticked this red flag: it cannot be deleted."))
    job = flag.job
    before = _snap(flag, RED_FLAG_FIELDS) | {"key": flag.key}
    flag_id = flag.id
    job.red_flags.remove(flag)
    db.session.flush()
    audit.record("red_flag.delete", "red_flag", flag_id, actor=actor, job_id=job.id, before=before)
