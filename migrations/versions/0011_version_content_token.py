"""scorecard versions: a content token that every change to their criteria or questions renews

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:30:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('scorecard_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_token', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    versions = sa.table('scorecard_versions', sa.column('id'), sa.column('content_token'))
    for (version_id,) in conn.execute(sa.select(versions.c.id)).all():
        conn.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(content_token=secrets.token_hex(16))
        )
    with op.batch_alter_table('scorecard_versions', schema=None) as batch_op:
        batch_op.alter_column('content_token', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('scorecard_versions', schema=None) as batch_op:
        batch_op.drop_column('content_token')
