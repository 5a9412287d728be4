"""The JSON API at /api/v1 (personal bearer tokens only) and the API-token settings page."""

from flask import Flask


def register(app: Flask) -> None:
    """Register the API (CSRF-exempt: it ignores cookies) and the token settings page."""
    from scorecard.api import cards, docs, resources, results  # noqa: F401 - registers operations
    from scorecard.api.core import IdConverter, bp
    from scorecard.api.tokens import bp as tokens_bp
    from scorecard.extensions import csrf

    app.url_map.converters["id"] = IdConverter
    csrf.exempt(bp)
    app.register_blueprint(bp, url_prefix="/api/v1")
    app.register_blueprint(tokens_bp)
