"""Interview questions of a round's scorecard: adding, editing and deleting them."""

from typing import Any

from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Question, Round, ScorecardVersion, User
from scorecard.services import audit
from scorecard.services.errors import DomainError
from scorecard.services.setup.common import _clean, _snap, _unique_key, slugify
from scorecard.services.setup.rounds import _in_editable, _remove_from_version, editable_version

QUESTION_FIELDS = ("text_zh", "text_en", "guidance_zh", "guidance_en", "star", "criterion_key")


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
    return snap | {"version": q.version.number}


def _question_attrs(data: dict[str, Any], version: ScorecardVersion) -> dict[str, Any]:
    """The validated values as attributes: the criterion key becomes that criterion."""
    attrs = {name: value for name, value in data.items() if name != "criterion_key"}
    key = data["criterion_key"]
    attrs["criterion"] = next((c for c in version.criteria if c.key == key), None) if key else None
    return attrs


def add_question(rnd: Round, values: dict[str, Any], actor: User | None) -> Question:
    """Add a question to the round's scorecard (in a new version if it was scored)."""
    if rnd.current_version is not None:
        _question_values(values, rnd.current_version)
    version = editable_version(rnd, actor)
    data = _question_values(values, version)
    taken = {q.key for q in version.questions}
    key = _unique_key(slugify(data["text_en"][:30], f"q{len(taken) + 1}"), taken)
    position = max((x.position for x in version.questions), default=-1) + 1
    q = Question(key=key, position=position, **_question_attrs(data, version))
    version.questions.append(q)
    db.session.flush()
    audit.record(
        "question.create",
        "question",
        q.id,
        actor=actor,
        job_id=rnd.job_id,
        after=_question_snap(q),
    )
    return q


def update_question(q: Question, values: dict[str, Any], actor: User | None) -> Question:
    """Edit a question (in a new version if its version was scored)."""
    _question_values(values, q.version)
    before = _question_snap(q)
    target = _in_editable(q, actor)
    audit.update_audited(
        "question.update",
        "question",
        target,
        _question_attrs(_question_values(values, target.version), target.version),
        _question_snap,
        actor=actor,
        job_id=target.version.round.job_id,
        before=before,
    )
    return target


def delete_question(q: Question, actor: User | None) -> None:
    """Remove a question from the current scorecard (a scored old version keeps it)."""
    before = _question_snap(q)
    _remove_from_version(_in_editable(q, actor), q.id, "question.delete", before, actor)
