"""results: shared scored results per application

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('application_results',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('config_key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_results_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_application_results_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_application_results'))
    )
    with op.batch_alter_table('application_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_results_job_id'), ['job_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_results_job_id'))
    op.drop_table('application_results')
