"""return drafts: an agency lead's return between the form's pages (sealed)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('return_drafts',
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('partnership', sa.String(length=64), nullable=False),
    sa.Column('body_enc', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('subject', 'case_id', 'agency_id', name=op.f('pk_return_drafts')),
    schema='workspace'
    )
    op.create_index('ix_workspace_return_drafts_updated', 'return_drafts', ['updated_at'], unique=False, schema='workspace')


def downgrade() -> None:
    op.drop_index('ix_workspace_return_drafts_updated', table_name='return_drafts', schema='workspace')
    op.drop_table('return_drafts', schema='workspace')
