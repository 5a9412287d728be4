"""The analytics blueprint and what its pages share: the form options that skip the per-form
CSRF field, and who runs the CSV imports."""

from __future__ import annotations

from flask import Blueprint

from scorecard.models import Role

bp = Blueprint("analytics", __name__)
# Forms with a prefix: the app-wide CSRF protection checks the one csrf_token field.
NO_CSRF = {"csrf": False}
EDITORS = (Role.ADMIN, Role.HR)  # who imports outcomes and self-identification files
