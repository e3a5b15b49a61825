"""the notification version a case's facts are of

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 09:00:00

incident.amended events of one case can arrive out of order (a publication not acknowledged
and sent again, a delivery retried, a dead letter replayed): the case keeps the version it
has applied and an older amendment changes nothing. Cases stored before have 0 (not known).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('notification_version', sa.Integer(), server_default='0', nullable=False),
                  schema='criteria')


def downgrade() -> None:
    op.drop_column('cases', 'notification_version', schema='criteria')
