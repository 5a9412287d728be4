"""Scorecard: recruiter-side interview scoring with explainable recommendations."""

from pathlib import Path

from flask import Flask

from config import Config


def create_app(config_class: type = Config) -> Flask:
    """Build the application: a table of contents of its parts."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=False)
    app.config.from_object(config_class)
    check_config(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse to start production with the development secret key."""
    from config import DEV_SECRET

    if app.config.get("ENV_NAME") == "production":
        key = app.config.get("SECRET_KEY") or ""
        if key == DEV_SECRET or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY is missing or too short: production refuses to start without a "
                "real secret key (set SECRET_KEY to at least 32 random characters)."
            )


def register_extensions(app: Flask) -> None:
    from scorecard import chrome, i18n, labels, urls
    from scorecard.auth.session import init_login
    from scorecard.database import configure_engine
    from scorecard.extensions import babel, csrf, db, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=None)
    init_login(app)
    i18n.init_app(app)
    labels.init_app(app)
    urls.init_app(app)
    chrome.init_app(app)
    configure_engine(app)


def register_blueprints(app: Flask) -> None:
    from scorecard.admin.views import bp as admin_bp
    from scorecard.admin.webhooks import bp as webhooks_bp
    from scorecard.analytics.views import bp as analytics_bp
    from scorecard.api import register as register_api
    from scorecard.auth.views import bp as auth_bp
    from scorecard.candidates.views import bp as candidates_bp
    from scorecard.compare.views import bp as compare_bp
    from scorecard.interviews.views import bp as kit_bp
    from scorecard.main.views import bp as main_bp
    from scorecard.notify.views import bp as notify_bp
    from scorecard.reports.views import bp as reports_bp
    from scorecard.setup import bp as setup_bp
    from scorecard.sso.views import bp as sso_bp
    from scorecard.summaries.views import bp as summaries_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(webhooks_bp, url_prefix="/admin/webhooks")
    app.register_blueprint(notify_bp)
    app.register_blueprint(setup_bp, url_prefix="/setup")
    app.register_blueprint(candidates_bp, url_prefix="/candidates")
    app.register_blueprint(kit_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(compare_bp)
    app.register_blueprint(summaries_bp)
    app.register_blueprint(analytics_bp)
    app.register_blueprint(sso_bp)
    from scorecard.ops.views import bp as ops_bp

    app.register_blueprint(ops_bp)
    register_api(app)


def register_errorhandlers(app: Flask) -> None:
    from scorecard.errors import init_errors

    init_errors(app)


def register_commands(app: Flask) -> None:
    from scorecard.cli import init_cli

    init_cli(app)


def register_request_hooks(app: Flask) -> None:
    from scorecard.database import end_read_phase
    from scorecard.guard import check_request
    from scorecard.ops.metrics import init_metrics
    from scorecard.ops.requestlog import init_request_log
    from scorecard.security import init_security

    init_security(app)
    init_metrics(app)
    init_request_log(app)
    # The permission table decides every request (scorecard/access.py, scorecard/guard.py).
    app.before_request(check_request)
    # Last: a writing request's reads so far end here, before the view (scorecard/database.py).
    app.before_request(end_read_phase)
