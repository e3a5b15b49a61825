"""every intake clock, amendments and notifications sent: the read model follows
incident.amended and incident.notification_sent

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('notification_version', sa.Integer(), nullable=False, server_default='0'), schema='workspace')
    op.add_column('cases', sa.Column('facts_at', sa.DateTime(timezone=True), nullable=True), schema='workspace')
    op.add_column('cases', sa.Column('clocks_snapshot', sa.String(length=200), nullable=False, server_default=''), schema='workspace')
    op.add_column('cases', sa.Column('clocks_snapshot_at', sa.DateTime(timezone=True), nullable=True), schema='workspace')
    op.alter_column('cases', 'next_step', type_=sa.String(length=400), existing_type=sa.String(length=200),
                    existing_nullable=False, schema='workspace')
    op.add_column('clocks', sa.Column('due_set_at', sa.DateTime(timezone=True), nullable=True), schema='workspace')
    op.add_column('clocks', sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True), schema='workspace')
    op.add_column('clocks', sa.Column('stopped', sa.Boolean(), nullable=False, server_default=sa.false()), schema='workspace')
    op.create_table('notifications',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('duty', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('case_id', 'duty', 'recipient', name=op.f('pk_notifications')),
    schema='workspace'
    )


def downgrade() -> None:
    op.drop_table('notifications', schema='workspace')
    op.drop_column('clocks', 'stopped', schema='workspace')
    op.drop_column('clocks', 'seen_at', schema='workspace')
    op.drop_column('clocks', 'due_set_at', schema='workspace')
    op.alter_column('cases', 'next_step', type_=sa.String(length=200), existing_type=sa.String(length=400),
                    existing_nullable=False, schema='workspace')
    op.drop_column('cases', 'clocks_snapshot_at', schema='workspace')
    op.drop_column('cases', 'clocks_snapshot', schema='workspace')
    op.drop_column('cases', 'facts_at', schema='workspace')
    op.drop_column('cases', 'notification_version', schema='workspace')
