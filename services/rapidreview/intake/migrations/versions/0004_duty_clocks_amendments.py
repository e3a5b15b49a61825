"""per-duty notifications, amendments, referral decisions, rapid review sent date

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:00:00

Existing cases keep their clocks; the clock watcher stops, instead of
reporting, an open clock whose duty the case's stored duties do not show as
arising (a NOTIFY.DEADLINE clock started before clocks were per duty).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('incidents', sa.Column('notification_version', sa.Integer(), server_default='1', nullable=False), schema='intake')
    op.add_column('incidents', sa.Column('rapid_review_sent_date', sa.Date(), nullable=True), schema='intake')
    op.add_column('incidents', sa.Column('referral_decision', sa.Integer(), nullable=True), schema='intake')
    op.add_column('incidents', sa.Column('referral_rationale_enc', sa.Text(), server_default='', nullable=False), schema='intake')
    op.add_column('incidents', sa.Column('referral_decided_on', sa.Date(), nullable=True), schema='intake')
    op.add_column('incidents', sa.Column('referral_recorded_by', sa.String(length=200), nullable=True), schema='intake')
    op.add_column('incidents', sa.Column('referral_recorded_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.create_table(
        'notifications_sent',
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('duty', sa.String(length=40), nullable=False),
        sa.Column('recipient', sa.Integer(), nullable=False),
        sa.Column('sent_date', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=64), server_default='', nullable=False),
        sa.Column('late', sa.Boolean(), server_default='false', nullable=False),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['intake.incidents.case_id'],
                                name=op.f('fk_notifications_sent_case_id_incidents')),
        sa.PrimaryKeyConstraint('case_id', 'duty', 'recipient', name=op.f('pk_notifications_sent')),
        schema='intake',
    )
    op.create_table(
        'amendments',
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('reason_enc', sa.Text(), nullable=False),
        sa.Column('changed_fields_json', sa.Text(), nullable=False),
        sa.Column('duties_changed_json', sa.Text(), nullable=False),
        sa.Column('clocks_started_json', sa.Text(), nullable=False),
        sa.Column('clocks_stopped_json', sa.Text(), nullable=False),
        sa.Column('previous_notification_enc', sa.Text(), nullable=False),
        sa.Column('amended_by', sa.String(length=200), nullable=False),
        sa.Column('amended_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['intake.incidents.case_id'], name=op.f('fk_amendments_case_id_incidents')),
        sa.PrimaryKeyConstraint('case_id', 'version', name=op.f('pk_amendments')),
        schema='intake',
    )
    # Panel notifications recorded before: the same record as the new ones.
    op.execute("""
        INSERT INTO intake.notifications_sent (case_id, duty, recipient, sent_date, reference, late, recorded_by)
        SELECT case_id, 'NOTIFY.DEADLINE', 1, panel_sent_date, panel_reference, coalesce(panel_late, false), 'migration'
        FROM intake.incidents WHERE panel_sent_date IS NOT NULL
    """)
    op.execute("""
        INSERT INTO intake.notifications_sent (case_id, duty, recipient, sent_date, reference, late, recorded_by)
        SELECT case_id, 'NOTIFY.PARTNERS', 4, partners_informed_date, '', false, 'migration'
        FROM intake.incidents WHERE partners_informed_date IS NOT NULL
    """)


def downgrade() -> None:
    op.drop_table('amendments', schema='intake')
    op.drop_table('notifications_sent', schema='intake')
    for column in ('referral_recorded_at', 'referral_recorded_by', 'referral_decided_on', 'referral_rationale_enc',
                   'referral_decision', 'rapid_review_sent_date', 'notification_version'):
        op.drop_column('incidents', column, schema='intake')
