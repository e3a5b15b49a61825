"""when the event that gave a case's RR.DEADLINE happened

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 12:30:00

Two states of RR.DEADLINE can carry as many extensions (an amendment of the awareness date moved
the clock; an extension's event from before it is delivered after it): the case keeps when the
event it follows happened, and a clock of an earlier moment changes nothing. Cases opened before
have NULL (not known: the next clock event applies, as before).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('rr_clock_at', sa.DateTime(timezone=True), nullable=True), schema='decisions')


def downgrade() -> None:
    op.drop_column('cases', 'rr_clock_at', schema='decisions')
