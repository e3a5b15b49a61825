"""audit entries are append-only in the database too

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00.000000

The hash chain makes a change detectable; this trigger makes the ordinary
path refuse it, so only someone who can disable triggers (the table's owner)
can tamper, and VerifyAuditTrail still catches that.
"""
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE FUNCTION decisions.refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'decisions.audit_entries is append-only (% refused)', TG_OP;
        END
        $$
    """)
    op.execute("""
        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON decisions.audit_entries
        FOR EACH ROW EXECUTE FUNCTION decisions.refuse_audit_change()
    """)
    op.execute("""
        CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON decisions.audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION decisions.refuse_audit_change()
    """)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_entries_no_truncate ON decisions.audit_entries")
    op.execute("DROP TRIGGER audit_entries_append_only ON decisions.audit_entries")
    op.execute("DROP FUNCTION decisions.refuse_audit_change()")
