"""company sign-in: identities and group-role mappings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('external_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('oidc', 'ldap', name='identitysource', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('subject', sa.String(length=512), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('dn', sa.String(length=1024), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_external_identities_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
    sa.UniqueConstraint('source', 'subject', name=op.f('uq_external_identities_source_subject'))
    )
    with op.batch_alter_table('external_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_identities_user_id'), ['user_id'], unique=False)

    op.create_table('group_role_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('oidc', 'ldap', name='identitysource', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('group_name', sa.String(length=512), nullable=False),
    sa.Column('group_key', sa.String(length=512), nullable=False),
    sa.Column('role', sa.Enum('admin', 'hr', 'manager', 'interviewer', name='role', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_group_role_mappings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_role_mappings')),
    sa.UniqueConstraint('source', 'group_key', name=op.f('uq_group_role_mappings_source_group_key'))
    )


def downgrade():
    op.drop_table('group_role_mappings')
    with op.batch_alter_table('external_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_external_identities_user_id'))
    op.drop_table('external_identities')
