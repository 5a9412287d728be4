"""operations: scheduled job runs and leases

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:50:00

One row per scheduled job and period; its unique (job, period_start) key is what lets only
one worker run a period, and lease_until lets another take over a run whose worker died.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('status', sa.Enum('running', 'succeeded', 'failed', name='jobrunstatus', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('lease_until', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('instance', sa.String(length=120), nullable=False),
    sa.Column('message', sa.String(length=500), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job', 'period_start', name=op.f('uq_job_runs_job_period_start'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started_at', ['job', 'started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_job_runs_job_started_at')

    op.drop_table('job_runs')
