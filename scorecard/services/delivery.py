"""One delivery pass over both outboxes — e-mail notices and webhook deliveries.

`flask deliver` runs a pass (cron-friendly); `flask deliver --watch` keeps running passes
(as a service, any number of copies: the outbox leases keep them from sending one row
twice at once). Requests never send anything themselves: they only write outbox rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from scorecard.extensions import db
from scorecard.services import notices, webhooks


@dataclass
class PassReport:
    mail: notices.SendReport
    hooks: webhooks.DeliveryReport

    @property
    def busy(self) -> bool:
        """Something was attempted: the next pass should follow at once."""
        m, h = self.mail, self.hooks
        return bool(m.sent or m.failed or m.skipped or h.delivered or h.failed)

    def line(self) -> str:
        m, h = self.mail, self.hooks
        return (
            f"notices: {m.sent} sent, {m.failed} failed, {m.skipped} skipped; "
            f"webhooks: {h.delivered} delivered, {h.failed} failed, {h.given_up} given up"
        )


def deliver_once(limit: int = 100) -> PassReport:
    """Send what is due now in both outboxes."""
    return PassReport(notices.send_due(limit=limit), webhooks.deliver_due(limit=limit))


def watch(
    interval: float = 5.0,
    limit: int = 100,
    keep_going: Callable[[], bool] = lambda: True,
    report: Callable[[PassReport], None] = lambda _r: None,
) -> None:
    """Run passes until `keep_going()` is false; sleep `interval` s when nothing was due."""
    while keep_going():
        try:
            result = deliver_once(limit)
        finally:
            db.session.remove()  # a fresh session per pass: nothing stale, nothing piling up
        if result.busy:
            report(result)
        else:
            time.sleep(interval)
