"""Red flags of a job (offered on every scorecard): adding, rewording and deleting them."""

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import Job, RedFlag, User, scorecard_red_flags
from scorecard.services import audit
from scorecard.services.errors import DomainError
from scorecard.services.setup.common import _clean, _snap, _unique_key, slugify

RED_FLAG_FIELDS = ("label_zh", "label_en", "description_zh", "description_en")


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
    audit.update_audited(
        "red_flag.update",
        "red_flag",
        flag,
        _flag_values(values, flag.job, flag),
        lambda f: _snap(f, RED_FLAG_FIELDS),
        actor=actor,
        job_id=flag.job_id,
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
