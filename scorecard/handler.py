"""One request, one transaction (Indico's `RH` pattern, in a function).

A view loads and authorises (the guard and `permissions`), then hands the change to `run`:
the service call either succeeds and the request commits once, or raises a `DomainError`
and everything it wrote is rolled back and the error is handed to the view to show. Services
never commit; the request (or a command) is the boundary.

    outcome = handler.run(lambda: job_setup.update_job(job, values, current_user))
    if outcome.ok:
        flash(...); return redirect(...)
    apply_error(form, outcome.error)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from scorecard.extensions import db
from scorecard.services.errors import DomainError

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `run` did: the service's value after the commit, or the refused change's error."""

    value: T | None = None
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run(change: Callable[[], T]) -> Outcome[T]:
    """Run `change`, then commit once; on a DomainError roll everything back instead.

    Any other exception propagates (the app's error handler rolls back and answers 500 —
    which the tests forbid, so it marks a bug, not a user's mistake).
    """
    try:
        value = change()
    except DomainError as exc:
        db.session.rollback()
        return Outcome(error=exc)
    db.session.commit()
    return Outcome(value=value)
