"""the rule edition a case is pinned to

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:00:00

Cases opened before have no edition recorded; their section 4 deadlines come
from the edition in force on the day the case was opened.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('edition', sa.String(length=16), nullable=True), schema='decisions')
    op.add_column('cases', sa.Column('edition_version', sa.String(length=32), nullable=True), schema='decisions')


def downgrade() -> None:
    op.drop_column('cases', 'edition_version', schema='decisions')
    op.drop_column('cases', 'edition', schema='decisions')
