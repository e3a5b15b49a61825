"""the notification version a case follows, and how many extensions its RR.DEADLINE had

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00

incident.amended events of one case can arrive out of order (a publication not acknowledged
and sent again, a delivery retried, a dead letter replayed): the case keeps the version it
has applied and an older amendment changes nothing, its child reference above all. Cases
opened before have 0 (not known). The same for RR.DEADLINE: extensions only accumulate, so a
clock event with fewer extensions than the case knows is of an earlier moment.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('notification_version', sa.Integer(), server_default='0', nullable=False),
                  schema='decisions')
    op.add_column('cases', sa.Column('rr_extensions', sa.Integer(), server_default='0', nullable=False),
                  schema='decisions')


def downgrade() -> None:
    op.drop_column('cases', 'rr_extensions', schema='decisions')
    op.drop_column('cases', 'notification_version', schema='decisions')
