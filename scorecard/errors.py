"""Error pages: clear, translated, and never revealing another user's data."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from scorecard.extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


# Stable machine codes for JSON answers (the API's error shape: a string code, not a number).
CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


def _render(status: int, title: str, message: str, code: str | None = None):
    if _wants_json():
        body = {"code": code or CODES.get(status, str(status)), "message": message, "field": None}
        return jsonify(error=body), status
    return render_template("errors/error.html", title=title, message=message), status


def init_errors(app: Flask) -> None:
    @app.errorhandler(400)
    def bad_request(_e):
        return _render(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _render(
            400,
            _("Form expired"),
            _("This form was open too long or came from elsewhere. Reload the page and try again."),
            "csrf",
        )

    @app.errorhandler(403)
    def forbidden(_e):
        return _render(403, _("Not allowed"), _("You are not allowed to do this."))

    @app.errorhandler(404)
    def not_found(_e):
        return _render(404, _("Not found"), _("This page does not exist or is not yours to see."))

    @app.errorhandler(405)
    def not_allowed(_e):
        return _render(405, _("Method not allowed"), _("This address does not accept that action."))

    @app.errorhandler(413)
    def too_large(_e):
        return _render(413, _("Too large"), _("The upload is larger than allowed."))

    @app.errorhandler(500)
    def server_error(_e):
        db.session.rollback()
        return _render(
            500, _("Something went wrong"), _("The error was logged. Nothing was saved.")
        )
