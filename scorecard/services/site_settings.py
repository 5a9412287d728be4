"""Site-wide settings an admin changes at run time, stored in the database (every worker)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request
from flask_babel import gettext as _

from scorecard.extensions import db
from scorecard.models import SiteSetting, User
from scorecard.services import audit
from scorecard.services.errors import DomainError


@dataclass(frozen=True)
class Setting:
    """A setting: its key, allowed values and the config key giving its default."""

    key: str
    choices: tuple[str, ...]
    default_config: str


TWO_FACTOR_POLICY = Setting("two_factor_policy", ("off", "admins", "everyone"), "TWO_FACTOR_POLICY")
# How an export for a candidate names the interviewers: by role only, or by name.
EXPORT_INTERVIEWERS = Setting("export_interviewers", ("role", "names"), "EXPORT_INTERVIEWERS")
SETTINGS = {s.key: s for s in (TWO_FACTOR_POLICY, EXPORT_INTERVIEWERS)}


def _request_memo() -> dict[str, str | None] | None:
    """Stored values read in this request (None outside one): each is read once per request.

    Kept on the request object, so a setting an admin changes shows on the next request of
    every worker; no value outlives the request that read it.
    """
    if not has_request_context():
        return None
    memo = request.__dict__.get("_site_settings")
    if memo is None:
        memo = request.__dict__["_site_settings"] = {}
    return memo


def remember(setting: Setting, stored: str | None) -> None:
    """Record a value read with another query of this request (the user's, at sign-in check)."""
    memo = _request_memo()
    if memo is not None:
        memo[setting.key] = stored


def get(setting: Setting) -> str:
    """The stored value, or the configured default when no admin has chosen one."""
    memo = _request_memo()
    if memo is not None and setting.key in memo:
        stored = memo[setting.key]
    else:
        row = db.session.get(SiteSetting, setting.key)
        stored = row.value if row is not None else None
        if memo is not None:
            memo[setting.key] = stored
    if stored in setting.choices:
        return stored
    default = current_app.config.get(setting.default_config, setting.choices[0])
    return default if default in setting.choices else setting.choices[0]


def set_value(setting: Setting, value: str, actor: User) -> None:
    """Store a new value (audited); refuses a value outside the setting's choices."""
    if value not in setting.choices:
        raise DomainError(setting.key, _("Choose one of the offered values."))
    before = get(setting)
    row = db.session.get(SiteSetting, setting.key)
    if row is None:
        db.session.add(SiteSetting(key=setting.key, value=value))
    else:
        row.value = value
    db.session.flush()
    remember(setting, value)
    audit.record_change(
        "settings.change",
        "site_setting",
        None,
        actor=actor,
        job_id=None,
        before={setting.key: before},
        after={setting.key: value},
    )
