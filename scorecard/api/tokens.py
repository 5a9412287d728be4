"""Settings → API tokens: create one (shown once), see when each was last used, revoke it.

A signed-in page like any other (session cookie, CSRF-protected forms); the tokens it makes
are what the JSON API accepts instead of cookies.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from scorecard import handler
from scorecard.extensions import db
from scorecard.services import api_tokens
from scorecard.services.errors import DomainError

bp = Blueprint("api_tokens", __name__)


class TokenForm(FlaskForm):
    creation_key = HiddenField()
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=api_tokens.NAME_MAX)],
        description=_l("What will use it, e.g. “ATS sync” or “weekly report script”."),
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    token_id = HiddenField()
    submit = SubmitField(_l("Revoke"))


def _page(form: TokenForm, new_token: str | None = None, status: int = 200):
    if not form.creation_key.data:
        form.creation_key.data = api_tokens.new_creation_key()
    return (
        render_template(
            "api/tokens.html",
            form=form,
            revoke_form=RevokeForm(),
            tokens=api_tokens.list_tokens(current_user),
            new_token=new_token,
        ),
        status,
    )


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """List one's tokens; a valid POST creates one and shows it once, on this answer only."""
    form = TokenForm()
    if form.is_submitted():
        if not form.validate():
            return _page(form, status=400)
        try:
            _token, raw = api_tokens.create_token(
                current_user, form.name.data, form.creation_key.data or None
            )
            db.session.commit()
        except IntegrityError:
            # The same form sent twice at once: the other request created the token.
            db.session.rollback()
            return _sent_again()
        except DomainError as exc:
            db.session.rollback()
            if exc.field is None:
                return _sent_again(exc.message)
            form.name.errors = [*form.name.errors, exc.message]
            return _page(form, status=400)
        # Shown in this answer and nowhere else: not flashed (the session cookie is only
        # signed, not encrypted) and never stored in plain text.
        return _page(TokenForm(formdata=None), new_token=raw, status=201)
    return _page(form)


def _sent_again(message: str | None = None):
    """The form was sent before: say so, with a fresh form, and never show a token again."""
    flash(message or api_tokens.ALREADY_SENT(), "error")
    return _page(TokenForm(formdata=None), status=409)


@bp.post("/settings/tokens/revoke")
@login_required
def revoke():
    """Revoke one of one's own tokens: the API refuses it from the next request on."""
    form = RevokeForm()
    raw_id = form.token_id.data or ""
    if not form.validate() or not raw_id.isdecimal() or len(raw_id) > 9:
        flash(_("This token does not exist or is not yours."), "error")
        return redirect(url_for("api_tokens.tokens"))
    outcome = handler.run(lambda: api_tokens.revoke_token(current_user, int(raw_id)))
    if not outcome.ok:
        flash(outcome.error.message, "error")
        return redirect(url_for("api_tokens.tokens"))
    token = outcome.value
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for("api_tokens.tokens"))
