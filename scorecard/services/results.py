"""One results model per job: every surface that shows scores reads them here.

`visible_scores(job, user)` gives the engine results of a job's applications as `user` may see
them: the applications the blind rule (`scorecard.visibility`) hides from `user` are left out,
so a page, an export, a chart, the API, an e-mail or a report built on it never shows a figure
computed from colleagues' ratings that the viewer may not see. `job_scores(job)` is the
unfiltered form, for code that is not showing anything to a person (it must not be rendered).
"""

from __future__ import annotations

from collections.abc import Iterable

from scorecard.models import Job, User
from scorecard.services.recommendations import ApplicationScore, JobScoring
from scorecard.visibility import blind_application_ids


def job_scores(
    job: Job, application_ids: Iterable[int] | None = None, scoring: JobScoring | None = None
) -> dict[int, ApplicationScore]:
    """Application id → engine result, for applications with a submitted scorecard."""
    scoring = scoring or JobScoring(job)
    return scoring.score_applications(application_ids)


def visible_scores(
    job: Job,
    user: User,
    application_ids: Iterable[int] | None = None,
    scoring: JobScoring | None = None,
) -> dict[int, ApplicationScore]:
    """`job_scores` without the applications `user` is blind to."""
    blind = blind_application_ids(user, job.id)
    ids = None if application_ids is None else [a for a in application_ids if a not in blind]
    scores = job_scores(job, ids, scoring)
    return {app_id: s for app_id, s in scores.items() if app_id not in blind}
