"""outbox rows that can never be published are parked; access log entries whose values were replaced are flagged

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000

A row the relay can never publish (over NATS's max_payload, an impossible subject)
used to be retried forever and held up every row behind it; it is now parked with
its reason. An access log entry the database refused used to block every later
entry; it is now written with its caller values replaced, and flagged.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('parked_at', sa.DateTime(timezone=True), nullable=True), schema='decisions')
    op.add_column('outbox', sa.Column('park_reason', sa.String(length=200), nullable=True), schema='decisions')
    op.add_column('access_log', sa.Column('values_replaced', sa.Boolean(), server_default=sa.false(), nullable=False),
                  schema='decisions')


def downgrade() -> None:
    op.drop_column('access_log', 'values_replaced', schema='decisions')
    op.drop_column('outbox', 'park_reason', schema='decisions')
    op.drop_column('outbox', 'parked_at', schema='decisions')
