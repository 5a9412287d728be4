"""Models and migrations agree; upgrade → downgrade → upgrade works (R14)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from scorecard.extensions import db


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(ctx, db.metadata)


def test_models_and_migrations_agree(app):
    assert _diff(app) == []


def test_upgrade_downgrade_upgrade(app):
    with app.app_context():
        db.session.remove()
        downgrade(revision="base")
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
    assert _diff(app) == []
