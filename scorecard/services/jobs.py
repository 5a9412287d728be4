"""Creating jobs: from the default template, from another job, or blank."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from scorecard.extensions import db
from scorecard.models import (
    Criterion,
    Dimension,
    Job,
    JobMember,
    JobRole,
    Question,
    RedFlag,
    Round,
    ScorecardVersion,
    User,
)
from scorecard.services import audit

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "seed" / "default_template.json"


@cache
def default_template() -> dict[str, Any]:
    """The guide's 医疗软件实施工程师 setup, as shipped (read once)."""
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


def _bi(prefix: str, texts: dict[str, str] | None) -> dict[str, str]:
    texts = texts or {}
    return {f"{prefix}_zh": texts.get("zh", ""), f"{prefix}_en": texts.get("en", "")}


def create_job_from_template(template: dict[str, Any], actor: User | None) -> Job:
    """Build a job with its rounds, criteria (version 1), questions and red flags."""
    spec = template["job"]
    job = Job(**_bi("title", spec["title"]), **_bi("description", spec.get("description")))
    job.created_by_id = actor.id if actor else None
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
            for point in ("1", "2", "3", "4"):
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
        after={"title_zh": job.title_zh, "title_en": job.title_en, "from": "template"},
    )
    return job


def add_member(job: Job, user: User, role: JobRole, actor: User | None) -> JobMember:
    """Put a user on a job's hiring team."""
    member = JobMember(job=job, user=user, job_role=role)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "job.member_add",
        "job_member",
        member.id,
        actor=actor,
        job_id=job.id,
        after={"user": user.email, "job_role": role.value},
    )
    return member
