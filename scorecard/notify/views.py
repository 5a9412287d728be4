"""Settings → Notifications: switch each kind of e-mail on or off, make or revoke the personal
calendar feed; and the feed (`/calendar/<token>.ics`), which its secret address unlocks."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from scorecard.extensions import db
from scorecard.models import NoticeKind
from scorecard.services import calendar, notices

bp = Blueprint("notify", __name__)


class SwitchesForm(FlaskForm):
    panel = BooleanField(notices.KIND_LABELS[NoticeKind.PANEL])
    moved = BooleanField(notices.KIND_LABELS[NoticeKind.MOVED])
    cancelled = BooleanField(notices.KIND_LABELS[NoticeKind.CANCELLED])
    debrief = BooleanField(notices.KIND_LABELS[NoticeKind.DEBRIEF])
    overdue = BooleanField(notices.KIND_LABELS[NoticeKind.OVERDUE])
    submit = SubmitField(_l("Save notification settings"))


class FeedForm(FlaskForm):
    submit = SubmitField(_l("Make a calendar feed address"))


class RevokeFeedForm(FlaskForm):
    submit = SubmitField(_l("Revoke the feed address"))


def feed_urls(token: str) -> tuple[str, str]:
    """(https URL, webcal URL) of a feed token, on the public address."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    path = url_for("notify.feed", token=token)
    url = base + path
    webcal = "webcal://" + url.split("://", 1)[1]
    return url, webcal


def _page(form: SwitchesForm | None = None, new_feed: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    if form is None:
        form = SwitchesForm(
            formdata=None, data={k.value: on for k, on in notices.switches(user).items()}
        )
    urls = feed_urls(new_feed) if new_feed else None
    return (
        render_template(
            "notify/settings.html",
            form=form,
            feed=calendar.feed_of(user),
            feed_form=FeedForm(formdata=None),
            revoke_form=RevokeFeedForm(formdata=None),
            new_feed=urls,
        ),
        status,
    )


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():
    """One's own notification switches."""
    form = SwitchesForm()
    if form.is_submitted():
        if not form.validate():
            return _page(form, status=400)
        wanted = {kind: bool(getattr(form, kind.value).data) for kind in NoticeKind}
        changed = notices.set_switches(current_user._get_current_object(), wanted)
        db.session.commit()
        if changed:
            flash(_("Your notification settings are saved."), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for("notify.settings"))
    return _page()


@bp.post("/settings/calendar-feed")
@login_required
def create_feed():
    """Make (or replace) the feed address and show it this once."""
    form = FeedForm()
    if not form.validate():
        flash(_("The form expired: try again."), "error")
        return redirect(url_for("notify.settings"))
    token = calendar.create_feed(current_user._get_current_object())
    db.session.commit()
    # Shown in this answer only (never flashed: the session cookie is signed, not encrypted).
    return _page(new_feed=token, status=201)


@bp.post("/settings/calendar-feed/revoke")
@login_required
def revoke_feed():
    """Stop the feed address: calendars subscribed to it get nothing more."""
    form = RevokeFeedForm()
    if not form.validate():
        flash(_("The form expired: try again."), "error")
        return redirect(url_for("notify.settings"))
    if calendar.revoke_feed(current_user._get_current_object()):
        db.session.commit()
        flash(_("The calendar feed address is revoked."), "success")
    else:
        flash(_("You have no calendar feed address."), "info")
    return redirect(url_for("notify.settings"))


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """The feed: the secret address is the only key (calendar apps cannot sign in)."""
    user = calendar.feed_owner(token)
    if user is None:
        # 410: the address is not (or no longer) valid; subscribed calendars stop asking.
        return Response(
            _("This calendar feed address is not valid: it was revoked or never existed."),
            status=410,
            mimetype="text/plain",
        )
    body = calendar.feed_calendar(user)
    db.session.commit()  # last_used_at
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="scorecard.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
