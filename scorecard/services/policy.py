"""Changing a job's recommendation policy (validated, audited)."""

from typing import Any

from flask_babel import gettext as _

from scorecard.models import Job, User
from scorecard.services import audit
from scorecard.services.errors import DomainError

POLICY_FIELDS = (
    "band_strong_hire",
    "band_hire",
    "band_lean_no",
    "coverage_min",
    "hurdle_min",
    "r1",
    "hide_until_debrief",
    "use_calibrated",
)


def _snapshot(job: Job) -> dict[str, Any]:
    return {name: getattr(job, name) for name in POLICY_FIELDS}


def update_policy(job: Job, values: dict[str, Any], actor: User) -> None:
    """Set the policy; thresholds must rise from lean no to strong hire."""
    lean_no, hire, strong = (
        float(values["band_lean_no"]),
        float(values["band_hire"]),
        float(values["band_strong_hire"]),
    )
    if not lean_no <= hire <= strong:
        raise DomainError(
            "band_hire",
            _("Thresholds must rise: lean no ≤ hire ≤ strong hire."),
        )
    coverage = float(values["coverage_min"])
    if not 0 <= coverage <= 1:
        raise DomainError("coverage_min", _("Coverage is a share between 0 and 1."))
    r1 = float(values["r1"])
    if not 0 < r1 <= 1:
        raise DomainError("r1", _("r1 must be above 0 and at most 1."))
    changes = {
        "band_lean_no": lean_no,
        "band_hire": hire,
        "band_strong_hire": strong,
        "coverage_min": coverage,
        "hurdle_min": float(values["hurdle_min"]),
        "r1": r1,
        "hide_until_debrief": bool(values["hide_until_debrief"]),
        "use_calibrated": bool(values["use_calibrated"]),
    }
    audit.update_audited("job.policy", "job", job, changes, _snapshot, actor=actor, job_id=job.id)
