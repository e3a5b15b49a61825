"""when the Panel response a case's facts hold was recorded

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 12:10:00

decision.panel_responded events of one case can arrive out of order (a delivery retried, a dead
letter replayed): the case keeps when the response it holds was recorded, and an earlier one
changes nothing. Cases stored before have NULL (not known: the next response applies).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('panel_response_at', sa.DateTime(timezone=True), nullable=True), schema='criteria')


def downgrade() -> None:
    op.drop_column('cases', 'panel_response_at', schema='criteria')
