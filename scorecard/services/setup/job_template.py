"""The template format: the shipped default job, building a job from a template, a job as one."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from scorecard.extensions import db
from scorecard.models import (
    Criterion,
    Dimension,
    Job,
    Question,
    RedFlag,
    Round,
    ScorecardVersion,
    User,
)
from scorecard.services import audit
from scorecard.services.setup.common import ANCHOR_POINTS, _bi

TEMPLATE_PATH = Path(__file__).resolve().parents[2] / "seed" / "default_template.json"


@cache
def default_template() -> dict[str, Any]:
    """The guide's 医疗软件实施工程师 setup, as shipped (read once)."""
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


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
