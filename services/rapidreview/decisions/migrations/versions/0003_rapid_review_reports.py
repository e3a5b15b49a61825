"""rendered rapid review reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 16:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rapid_review_reports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('body_enc', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision_id', sa.String(length=36), nullable=False),
    sa.Column('model_enc', sa.Text(), nullable=False),
    sa.Column('pdf_enc', sa.Text(), nullable=True),
    sa.Column('docx_enc', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['decisions.cases.case_id'], name=op.f('fk_rapid_review_reports_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rapid_review_reports')),
    schema='decisions'
    )
    op.create_index(op.f('ix_decisions_rapid_review_reports_case_id'), 'rapid_review_reports', ['case_id'], unique=False, schema='decisions')
    op.create_index(op.f('ix_decisions_rapid_review_reports_decision_id'), 'rapid_review_reports', ['decision_id'], unique=False, schema='decisions')


def downgrade() -> None:
    op.drop_index(op.f('ix_decisions_rapid_review_reports_decision_id'), table_name='rapid_review_reports', schema='decisions')
    op.drop_index(op.f('ix_decisions_rapid_review_reports_case_id'), table_name='rapid_review_reports', schema='decisions')
    op.drop_table('rapid_review_reports', schema='decisions')
