"""what a case's returns count from (RR.AGENCIES counts_from)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every case opened before counted from the Panel notification.
    op.add_column('cases', sa.Column('return_counts_from', sa.String(length=40),
                                     server_default='panel_notification_sent_date', nullable=False), schema='gathering')


def downgrade() -> None:
    op.drop_column('cases', 'return_counts_from', schema='gathering')
