"""national themes list versions; earlier review titles

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 15:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('national_theme_lists',
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_json', sa.Text(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_national_theme_lists')),
    schema='criteria'
    )
    op.add_column('earlier_reviews', sa.Column('title', sa.Text(), nullable=True), schema='criteria')


def downgrade() -> None:
    op.drop_column('earlier_reviews', 'title', schema='criteria')
    op.drop_table('national_theme_lists', schema='criteria')
