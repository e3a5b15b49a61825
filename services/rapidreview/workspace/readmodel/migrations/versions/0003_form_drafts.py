"""form drafts: the workspace's other forms of several pages kept server-side, sealed

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('form_drafts',
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('draft_key', sa.String(length=200), nullable=False),
    sa.Column('body_enc', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('owner', 'draft_key', name=op.f('pk_form_drafts')),
    schema='workspace'
    )
    op.create_index(op.f('ix_workspace_form_drafts_updated_at'), 'form_drafts', ['updated_at'], unique=False, schema='workspace')


def downgrade() -> None:
    op.drop_index(op.f('ix_workspace_form_drafts_updated_at'), table_name='form_drafts', schema='workspace')
    op.drop_table('form_drafts', schema='workspace')
