"""What the setup pages share after a change: say it was saved and go back, refuse a stale
page, and the confirmed delete flow."""

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from scorecard import handler
from scorecard.setup.forms import ActionForm


def _stale(expected: object) -> bool:
    """True when a delete form does not name the object it deletes (a stale page: ids of
    deleted rows can be reused on SQLite), so nothing is deleted."""
    if request.form.get("confirm", "") == str(expected):
        return False
    flash(_("This page was out of date: nothing was changed. Please try again."), "error")
    return True


def _done(message: str, endpoint: str, **values):
    """After `handler.run` committed the change: say so and go back to the page."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def _confirmed_delete(
    stamp: object, delete: Callable[[], None], message: str, endpoint: str, **values
):
    """A delete form's flow: valid token, the page names what it deletes, the rule holds.

    Every outcome returns to `endpoint`; a refused delete flashes why and changes nothing.
    """
    if not ActionForm().validate_on_submit():
        abort(400)
    if _stale(stamp):
        return redirect(url_for(endpoint, **values))
    outcome = handler.run(delete)
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for(endpoint, **values))
    return _done(message, endpoint, **values)
