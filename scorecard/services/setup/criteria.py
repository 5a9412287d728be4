"""Criteria of a round's scorecard: adding, editing, deleting and ordering them."""

from typing import Any

from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Criterion, Dimension, Round, ScorecardVersion, User
from scorecard.services import audit
from scorecard.services.errors import DomainError
from scorecard.services.setup.common import (
    ANCHOR_POINTS,
    CRITERION_FIELDS,
    KEY_RE,
    _clean,
    _need_name,
    _reorder,
    _snap,
    _unique_key,
    parse_weight,
    slugify,
)
from scorecard.services.setup.rounds import _in_editable, _remove_from_version, editable_version


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


def _criterion_snap(crit: Criterion) -> dict[str, Any]:
    return _snap(crit, CRITERION_FIELDS) | {"version": crit.version.number}


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
    before = _criterion_snap(crit)
    target = _in_editable(crit, actor)
    audit.update_audited(
        "criterion.update",
        "criterion",
        target,
        _criterion_values(values, target.version, target.key),
        _criterion_snap,
        actor=actor,
        job_id=target.version.round.job_id,
        before=before,
    )
    return target


def delete_criterion(crit: Criterion, actor: User | None) -> None:
    """Remove a criterion from the current scorecard (the scored old version keeps it)."""
    before = _criterion_snap(crit)
    target = _in_editable(crit, actor)
    for q in target.version.questions:
        if q.criterion_id == target.id:
            q.criterion = None
    _remove_from_version(target, crit.id, "criterion.delete", before, actor)


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
