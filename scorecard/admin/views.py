"""Administration: users and roles."""

import sqlalchemy as sa
from flask import Blueprint, render_template

from scorecard.extensions import db
from scorecard.models import Role, User
from scorecard.permissions import roles_required

bp = Blueprint("admin", __name__)


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=rows)
