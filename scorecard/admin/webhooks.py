"""Admin → Webhooks: register receivers, see every delivery (status, attempts, last error,
next try) and send one again. The secret is shown once, when made or rotated."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import Length

from scorecard import handler
from scorecard.extensions import db
from scorecard.models import Role, WebhookDelivery, WebhookEndpoint
from scorecard.permissions import roles_required
from scorecard.services import webhooks
from scorecard.services.errors import DomainError
from scorecard.setup.forms import MultiCheckboxField

bp = Blueprint("webhooks", __name__)

EVENT_CHOICES = [(e, e) for e in webhooks.EVENT_TYPES]


class EndpointForm(FlaskForm):
    url = StringField(
        _l("Receiver URL"),
        validators=[Length(max=webhooks.URL_MAX)],
        description=_l("https://… on a public address; it receives a signed POST per event."),
    )
    description = StringField(_l("Description"), validators=[Length(max=webhooks.DESCRIPTION_MAX)])
    events = MultiCheckboxField(_l("Events"), choices=EVENT_CHOICES, validate_choice=False)
    active = BooleanField(_l("Active (a disabled endpoint is sent nothing)"), default=True)
    submit = SubmitField(_l("Save"))


class ActionForm(FlaskForm):
    submit = SubmitField(_l("Go"))


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return db.get_or_404(WebhookEndpoint, endpoint_id)


def _apply_error(form: EndpointForm, exc: DomainError) -> None:
    target = getattr(form, exc.field or "", None)
    if target is None:
        form.form_errors.append(exc.message)
    else:
        target.errors = [*target.errors, exc.message]


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def endpoints():
    """The endpoints with their delivery counts; a valid POST adds one."""
    form = EndpointForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            outcome = handler.run(
                lambda: webhooks.create_endpoint(
                    form.url.data or "",
                    form.description.data or "",
                    form.events.data or [],
                    current_user,
                )
            )
            if outcome.ok:
                endpoint = outcome.value
                return _detail_page(endpoint, new_secret=endpoint.secret, status=201)
            _apply_error(form, outcome.error)
        status = 400
    items = db.session.scalars(db.select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return (
        render_template(
            "admin/webhooks.html",
            form=form,
            endpoints=items,
            counts=webhooks.status_counts([e.id for e in items]),
        ),
        status,
    )


def _detail_page(
    endpoint: WebhookEndpoint,
    form: EndpointForm | None = None,
    new_secret: str | None = None,
    status: int = 200,
):
    if form is None:
        form = EndpointForm(
            formdata=None,
            data={
                "url": endpoint.url,
                "description": endpoint.description,
                "events": list(endpoint.events),
                "active": endpoint.active,
            },
        )
    return (
        render_template(
            "admin/webhook_detail.html",
            endpoint=endpoint,
            form=form,
            action=ActionForm(formdata=None),
            deliveries=webhooks.recent_deliveries(endpoint),
            new_secret=new_secret,
        ),
        status,
    )


@bp.route("/<int:endpoint_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def endpoint(endpoint_id: int):
    """One endpoint: change it, and its delivery log."""
    item = _endpoint_or_404(endpoint_id)
    form = EndpointForm()
    if form.is_submitted():
        if form.validate():
            outcome = handler.run(
                lambda: webhooks.update_endpoint(
                    item,
                    form.url.data or "",
                    form.description.data or "",
                    form.events.data or [],
                    bool(form.active.data),
                    current_user,
                )
            )
            if outcome.ok:
                flash(_("The webhook endpoint is saved."), "success")
                return redirect(url_for("webhooks.endpoint", endpoint_id=item.id))
            _apply_error(form, outcome.error)
        return _detail_page(item, form, status=400)
    return _detail_page(item)


@bp.post("/<int:endpoint_id>/secret")
@roles_required(Role.ADMIN)
def rotate_secret(endpoint_id: int):
    """A new signing secret, shown this once."""
    item = _endpoint_or_404(endpoint_id)
    if not ActionForm().validate():
        abort(400)
    secret = webhooks.rotate_secret(item, current_user)
    db.session.commit()
    return _detail_page(item, new_secret=secret)


@bp.post("/<int:endpoint_id>/delete")
@roles_required(Role.ADMIN)
def delete(endpoint_id: int):
    """Remove an endpoint and its log."""
    item = _endpoint_or_404(endpoint_id)
    if not ActionForm().validate():
        abort(400)
    url = item.url
    webhooks.delete_endpoint(item, current_user)
    db.session.commit()
    flash(_("The webhook endpoint %(url)s is deleted.", url=url), "success")
    return redirect(url_for("webhooks.endpoints"))


@bp.post("/deliveries/<int:delivery_id>/resend")
@roles_required(Role.ADMIN)
def resend(delivery_id: int):
    """Queue a delivery again; the next worker pass sends it."""
    delivery = db.get_or_404(WebhookDelivery, delivery_id)
    if not ActionForm().validate():
        abort(400)
    webhooks.resend(delivery, current_user)
    db.session.commit()
    flash(_("The event %(id)s is queued to be sent again.", id=delivery.event.uuid), "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=delivery.endpoint_id))
