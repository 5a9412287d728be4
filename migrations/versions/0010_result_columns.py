"""stored results: the matrix's sort and filter values as plain columns

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = (
    ('score', sa.Float()),
    ('recommendation', sa.String(length=20)),
    ('confidence', sa.String(length=10)),
    ('flag_count', sa.Integer()),
    ('flag_kinds', sa.String(length=255)),
    ('dim_technical', sa.Float()),
    ('dim_business', sa.Float()),
    ('dim_attitude', sa.Float()),
    ('dim_etiquette', sa.Float()),
    ('round_scores', sa.JSON()),
)


def upgrade():
    # The rows are a cache proven fresh on every read: dropping them makes the next read
    # score again and fill the new columns (rather than serving rows without them).
    op.execute('DELETE FROM application_results')
    with op.batch_alter_table('application_results', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table('application_results', schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
