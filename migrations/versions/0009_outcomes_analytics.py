"""post-hire outcomes, analytics settings, self-identification, compliance grants

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outcome_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('probation', 'rating', name='checkpointkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('months >= 0 AND months <= 120', name=op.f('ck_outcome_checkpoints_months_range')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_outcome_checkpoints_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_checkpoints')),
    sa.UniqueConstraint('job_id', 'key', name=op.f('uq_outcome_checkpoints_job_id_key'))
    )
    with op.batch_alter_table('outcome_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_checkpoints_job_id'), ['job_id'], unique=False)

    op.create_table('outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('probation', sa.Enum('passed', 'not_passed', 'left_early', name='probationresult', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 4)', name=op.f('ck_outcomes_rating_range')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_outcomes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['outcome_checkpoints.id'], name=op.f('fk_outcomes_checkpoint_id_outcome_checkpoints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_outcomes_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcomes')),
    sa.UniqueConstraint('application_id', 'checkpoint_id', name=op.f('uq_outcomes_application_id_checkpoint_id'))
    )
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcomes_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outcomes_checkpoint_id'), ['checkpoint_id'], unique=False)

    op.create_table('analytics_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('min_hires', sa.Integer(), nullable=False),
    sa.Column('adverse_impact', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('min_hires >= 4 AND min_hires <= 10000', name=op.f('ck_analytics_settings_min_hires_range')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_analytics_settings_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_settings')),
    sa.UniqueConstraint('job_id', name=op.f('uq_analytics_settings_job_id'))
    )

    op.create_table('self_identifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=80), nullable=False),
    sa.Column('consent', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_self_identifications_candidate_id_candidates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_self_identifications_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_identifications')),
    sa.UniqueConstraint('candidate_id', 'category', name=op.f('uq_self_identifications_candidate_id_category'))
    )
    with op.batch_alter_table('self_identifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_identifications_candidate_id'), ['candidate_id'], unique=False)

    op.create_table('compliance_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_compliance_grants_granted_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_compliance_grants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_grants')),
    sa.UniqueConstraint('user_id', name=op.f('uq_compliance_grants_user_id'))
    )


def downgrade():
    op.drop_table('compliance_grants')
    with op.batch_alter_table('self_identifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_identifications_candidate_id'))
    op.drop_table('self_identifications')
    op.drop_table('analytics_settings')
    with op.batch_alter_table('outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcomes_checkpoint_id'))
        batch_op.drop_index(batch_op.f('ix_outcomes_application_id'))
    op.drop_table('outcomes')
    with op.batch_alter_table('outcome_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_checkpoints_job_id'))
    op.drop_table('outcome_checkpoints')
