"""The admin page of company sign-in: group-to-role mappings, linked identities, and a check
of the configured provider."""

from __future__ import annotations

import requests
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from scorecard import handler
from scorecard.extensions import db
from scorecard.models import ExternalIdentity, GroupRoleMapping, IdentitySource, User
from scorecard.services import accounts
from scorecard.services.errors import DomainError
from scorecard.sso import directory, oidc, provisioning
from scorecard.sso.forms import AdminLinkForm, CheckForm, IdForm, MappingForm

from .common import bp


def _admin_only():
    if not current_user.is_admin:
        abort(404)


def _admin_page(status: int = 200, **forms):
    mappings = db.session.scalars(
        sa.select(GroupRoleMapping).order_by(GroupRoleMapping.source, GroupRoleMapping.group_key)
    ).all()
    identities = db.session.scalars(
        sa.select(ExternalIdentity).order_by(ExternalIdentity.id.desc()).limit(200)
    ).all()
    cfg = current_app.config
    return (
        render_template(
            "sso/admin.html",
            mappings=mappings,
            identities=identities,
            mapping_form=forms.get("mapping_form") or MappingForm(formdata=None),
            link_form=forms.get("link_form") or AdminLinkForm(formdata=None),
            id_form=IdForm(formdata=None),
            check_form=CheckForm(formdata=None),
            oidc_on=oidc.enabled(),
            ldap_on=directory.enabled(),
            cfg=cfg,
            redirect_uri=url_for("sso.oidc_callback", _external=True),
            local_open=provisioning.local_sign_in_open(),
            check_result=forms.get("check_result"),
        ),
        status,
    )


@bp.get("/admin/sign-in")
@login_required
def admin():
    _admin_only()
    return _admin_page()


@bp.post("/admin/sign-in/mappings")
@login_required
def mapping_add():
    _admin_only()
    form = MappingForm()
    if not form.validate_on_submit():
        return _admin_page(400, mapping_form=form)
    outcome = handler.run(
        lambda: provisioning.add_mapping(
            form.source.data, form.group.data, form.role.data, current_user._get_current_object()
        )
    )
    if not outcome.ok:
        exc = outcome.error
        target = getattr(form, exc.field or "", None) or form.group
        target.errors = [*target.errors, exc.message]
        return _admin_page(400, mapping_form=form)
    flash(_("Group mapped."), "success")
    return redirect(url_for("sso.admin"))


def _id_from_form() -> int | None:
    form = IdForm()
    raw = form.item_id.data or ""
    if not form.validate_on_submit() or not raw.isdecimal():
        return None
    return int(raw)


@bp.post("/admin/sign-in/mappings/delete")
@login_required
def mapping_delete():
    _admin_only()
    mapping_id = _id_from_form()
    mapping = db.session.get(GroupRoleMapping, mapping_id) if mapping_id else None
    if mapping is None:
        flash(_("That mapping no longer exists."), "error")
        return _admin_page(400)
    provisioning.delete_mapping(mapping, current_user._get_current_object())
    db.session.commit()
    flash(_("Mapping deleted."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sign-in/identities/unlink")
@login_required
def identity_unlink():
    _admin_only()
    identity_id = _id_from_form()
    identity = db.session.get(ExternalIdentity, identity_id) if identity_id else None
    if identity is None:
        flash(_("That link no longer exists."), "error")
        return _admin_page(400)
    provisioning.unlink(identity, current_user._get_current_object())
    db.session.commit()
    flash(_("Company account unlinked."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sign-in/identities/link")
@login_required
def identity_link():
    """An admin links a directory account to an existing user (no password needed)."""
    _admin_only()
    form = AdminLinkForm()
    if not form.validate_on_submit():
        return _admin_page(400, link_form=form)
    if not directory.enabled():
        form.username.errors = [_("The company directory is not configured.")]
        return _admin_page(400, link_form=form)
    user = db.session.scalar(
        sa.select(User).where(User.email == accounts.normalise_email(form.email.data))
    )
    if user is None:
        form.email.errors = [_("No Scorecard user has this e-mail.")]
        return _admin_page(400, link_form=form)
    try:
        profile = directory.Directory().find(form.username.data)
    except directory.DirectoryUnavailable as exc:
        current_app.logger.error("directory lookup for linking failed: %s", exc)
        form.username.errors = [_("The directory cannot be reached: %(why)s", why=str(exc))]
        return _admin_page(503, link_form=form)
    if profile is None:
        form.username.errors = [_("The directory has no active account with this user name.")]
        return _admin_page(400, link_form=form)
    role = provisioning.mapped_role(IdentitySource.LDAP, profile.groups) or user.role
    try:
        provisioning.link(user, profile, role, actor=current_user._get_current_object())
    except DomainError as exc:
        db.session.rollback()
        form.username.errors = [exc.message]
        return _admin_page(400, link_form=form)
    db.session.commit()
    flash(_("Directory account linked."), "success")
    return redirect(url_for("sso.admin"))


@bp.post("/admin/sign-in/check")
@login_required
def check():
    """Try the configured provider now and say precisely what is wrong."""
    _admin_only()
    form = CheckForm()
    if not form.validate_on_submit() or form.provider.data not in ("oidc", "ldap"):
        flash(_("Choose a provider to check."), "error")
        return _admin_page(400)
    source = form.provider.data
    ok, detail = True, ""
    if source == "oidc":
        if not oidc.enabled():
            ok, detail = False, _("Not configured: set OIDC_ISSUER and OIDC_CLIENT_ID.")
        else:
            ok, detail = _check_oidc()
    else:
        if not directory.enabled():
            ok, detail = False, _("Not configured: set LDAP_URL.")
        else:
            try:
                directory.Directory().check()
            except directory.DirectoryUnavailable as exc:
                ok, detail = False, str(exc)
    if not ok:
        current_app.logger.error("sign-in check of %s failed: %s", source, detail)
    return _admin_page(200, check_result={"source": source, "ok": ok, "detail": detail})


def _check_oidc() -> tuple[bool, str]:
    client = oidc.client()
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    try:
        client.server_metadata = {}  # ask again, not the copy from the last sign-in
        metadata = client.load_server_metadata()
        if metadata.get("issuer", "").rstrip("/") != issuer:
            return False, _(
                "The discovery document names the issuer %(got)s, not %(want)s.",
                got=metadata.get("issuer"),
                want=issuer,
            )
        client.fetch_jwk_set(force=True)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        return False, _("The provider cannot be reached: %(why)s", why=str(exc))
    # A wrong client secret shows at the token endpoint: a made-up code must be refused as
    # invalid_grant (the client is known), not invalid_client.
    try:
        resp = requests.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": "scorecard-check",
                "redirect_uri": url_for("sso.oidc_callback", _external=True),
            },
            auth=(client.client_id, client.client_secret),
            timeout=10,
        )
        error = resp.json().get("error", "")
    except (requests.RequestException, ValueError, KeyError) as exc:
        return False, _("The token endpoint cannot be reached: %(why)s", why=str(exc))
    if error in ("invalid_client", "unauthorized_client"):
        return False, _("The provider refused the client id or secret (%(error)s).", error=error)
    return True, ""
