"""The read model's tables (schema `workspace`), written only by its own consumers,
and the return form's drafts (`return_drafts`, written only by `workspace.returns.drafts`).

Only what the dashboard, "My requests" and the case page's reminders need: no
free text, no return content. The child reference is personal data, so it is
sealed like intake seals it (AES-GCM bound to the row) with a keyed blind
index for the dashboard's reference search. Other services' tables are never
read: everything here came in an event.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Index, Integer, String, Table, Text, UniqueConstraint, bindparam, func, select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.kernel.consumer import inbox_table
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import service_metadata
from rapidreview.kernel.rotation import SealedColumn, rotate_columns

SCHEMA = "workspace"
metadata = service_metadata(SCHEMA)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("partnership", String(64), nullable=False),
    # False while only later events of the case have arrived (incident.notified not yet): hidden.
    Column("notified", Boolean, nullable=False, default=False),
    Column("notified_on", Date, nullable=True),
    Column("case_ref_enc", Text, nullable=False, default=""),
    Column("case_ref_index", String(64), nullable=False, default="", index=True),
    Column("panel_reference", String(64), nullable=False, default=""),
    Column("rapid_review_required", Boolean, nullable=False, default=True),
    Column("withdrawn", Boolean, nullable=False, default=False),
    Column("panel_sent_on", Date, nullable=True),
    Column("partners_informed_on", Date, nullable=True),
    Column("gathering_open", Boolean, nullable=False, default=True),
    Column("gathering_at", DateTime(timezone=True), nullable=True),  # when gathering_open was last set
    Column("collation_version", Integer, nullable=False, default=0),
    Column("evaluated_collation_version", Integer, nullable=False, default=-1),
    Column("rec_round", Integer, nullable=False, default=0),
    Column("rec_at", DateTime(timezone=True), nullable=True),
    Column("dec_round", Integer, nullable=False, default=0),
    Column("dec_id", String(36), nullable=False, default=""),
    Column("dec_kind", Integer, nullable=False, default=0),
    Column("dec_at", DateTime(timezone=True), nullable=True),
    Column("sub_id", String(36), nullable=False, default=""),
    Column("sub_decision_id", String(36), nullable=False, default=""),
    Column("sub_at", DateTime(timezone=True), nullable=True),
    Column("first_submitted_on", Date, nullable=True),
    Column("resp_submission_id", String(36), nullable=False, default=""),
    Column("resp_kind", Integer, nullable=False, default=0),
    Column("resp_at", DateTime(timezone=True), nullable=True),
    Column("review_id", String(36), nullable=False, default=""),
    Column("six_month_target", Date, nullable=True),
    Column("published_on", Date, nullable=True),
    # The newest snapshot of the incident (incident.notified, .panel_notified, .amended): its
    # notification version and time decide whether a snapshot's facts replace the stored ones ...
    Column("notification_version", Integer, nullable=False, default=0),
    Column("facts_at", DateTime(timezone=True), nullable=True),
    # ... and the intake clocks the newest snapshot (by time) lists, comma-separated: a clock it
    # does not list was stopped (its duty no longer arises) unless an event carried it since.
    Column("clocks_snapshot", String(200), nullable=False, default=""),
    Column("clocks_snapshot_at", DateTime(timezone=True), nullable=True),
    # Derived on every event of the case (CaseFile.save): what the dashboard filters and sorts on.
    Column("stage", String(32), nullable=False, default="notified"),
    Column("next_step", String(400), nullable=False, default=""),
    Column("is_open", Boolean, nullable=False, default=True),
    Column("next_due", Date, nullable=True),  # earliest effective due date of an open clock
    Column("requests_total", Integer, nullable=False, default=0),
    Column("returns_in", Integer, nullable=False, default=0),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),  # the latest event's occurred_at
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_workspace_cases_dashboard", "partnership", "notified", "is_open", "next_due"),
)

clocks = Table(
    "clocks",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("clock_id", String(40), primary_key=True),
    Column("due", Date, nullable=False),
    Column("effective_due", Date, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=True),  # time of the event that set effective_due
    Column("completed_on", Date, nullable=True),
    Column("closed", Boolean, nullable=False, default=False),
    Column("due_set_at", DateTime(timezone=True), nullable=True),  # time of the event that set `due` (an amendment moves it)
    Column("seen_at", DateTime(timezone=True), nullable=True),  # time of the latest event that carried the clock
    # Derived (CaseFile.save): an intake clock whose duty no longer arises after an amendment; never shown.
    Column("stopped", Boolean, nullable=False, default=False),
)

#: The notifications intake recorded as sent for a duty (RecordNotificationSent, the Panel's
#: included): who was told and when, so the dashboard knows who is still to be told. No reference,
#: no free text.
notifications = Table(
    "notifications",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("duty", String(40), primary_key=True),
    Column("recipient", Integer, primary_key=True),
    Column("sent_on", Date, nullable=False),
)

requests = Table(
    "requests",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("agency_id", String(64), primary_key=True),
    Column("partnership", String(64), nullable=False),
    Column("agency_name", String(200), nullable=False, default=""),  # an organisation's name
    Column("opened_at", DateTime(timezone=True), nullable=True),
    Column("opened_on", Date, nullable=True),
    Column("starts_from", Date, nullable=True),
    Column("due", Date, nullable=True),
    Column("due_basis", Integer, nullable=False, default=0),
    Column("due_at", DateTime(timezone=True), nullable=True),
    Column("latest_version", Integer, nullable=False, default=0),
    Column("first_returned_on", Date, nullable=True),
    Column("last_chased_on", Date, nullable=True),
    Column("chase_count", Integer, nullable=False, default=0),
    Index("ix_workspace_requests_agency", "partnership", "agency_id"),
)

reminders = Table(
    "reminders",
    metadata,
    Column("reminder_id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("partnership", String(64), nullable=False),
    Column("clock_id", String(40), nullable=False),
    Column("subject_ref", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # due_soon | overdue | chase
    Column("due", Date, nullable=False),  # for a chase: the date of the chase
    Column("recipient_role", String(16), nullable=False),  # agency | business_unit
    Column("agency_id", String(64), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("reason", String(200), nullable=False, default=""),
    Column("recipients", Integer, nullable=False, default=0),  # how many addresses; the addresses are not kept
    Column("message_id", String(255), nullable=False, default=""),
    Column("event_id", String(36), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    # Once per clock, threshold and due date: a duplicated or redelivered event finds its row.
    UniqueConstraint("case_id", "clock_id", "subject_ref", "kind", "due", name="uq_reminders_once"),
)

inbox = inbox_table(metadata)

#: An agency lead's draft of a return between the form's pages (not part of the read model: the
#: return form writes it, `workspace.returns.drafts`). One per person and request; the whole draft
#: is one JSON document sealed with the key ring, bound to its row; deleted when the return is
#: submitted, and drafts left untouched for `DRAFT_DAYS` are deleted.
return_drafts = Table(
    "return_drafts",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("case_id", String(36), primary_key=True),
    Column("agency_id", String(64), primary_key=True),
    Column("partnership", String(64), nullable=False),
    Column("body_enc", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_workspace_return_drafts_updated", "updated_at"),
)

#: The drafts of the workspace's other forms of several pages (not read model either: written by
#: `workspace.form_drafts`): a notification in progress, a withdrawal before it is confirmed... One
#: per person (a digest of partnership and subject) and draft key, sealed, deleted after a day idle.
form_drafts = Table(
    "form_drafts",
    metadata,
    Column("owner", String(64), primary_key=True),
    Column("draft_key", String(200), primary_key=True),
    Column("body_enc", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
)

# -- statements of every event, built once -------------------------------------------------
ENSURE_CASE = pg_insert(cases).values(
    case_id=bindparam("case_id"), partnership=bindparam("partnership"), updated_at=func.coalesce(bindparam("at", type_=DateTime(timezone=True)), func.now()),
).on_conflict_do_nothing(index_elements=[cases.c.case_id])
LOCK_CASE = select(cases).where(cases.c.case_id == bindparam("case_id")).with_for_update()
CASE_CLOCKS = select(clocks).where(clocks.c.case_id == bindparam("case_id"))
CASE_REQUESTS = select(requests).where(requests.c.case_id == bindparam("case_id"))
CASE_NOTIFICATIONS = select(notifications).where(notifications.c.case_id == bindparam("case_id"))
#: Intake records a recipient once (another date for it is refused); the earliest date is kept
#: all the same, so the outcome never depends on the order events arrive in.
_record_notification = pg_insert(notifications)
RECORD_NOTIFICATION = _record_notification.on_conflict_do_update(
    index_elements=[notifications.c.case_id, notifications.c.duty, notifications.c.recipient],
    set_={"sent_on": func.least(notifications.c.sent_on, _record_notification.excluded.sent_on)})


# -- key rotation (`rapidreview keys rotate`) ------------------------------------------------
#: Every column holding ciphertexts, with the associated data each was sealed with.
SEALED_COLUMNS = (
    SealedColumn(cases, "case_ref_enc", associated=lambda r: f"case:{r.case_id}:case_reference"),
    SealedColumn(return_drafts, "body_enc", associated=lambda r: f"draft:{r.subject}:{r.case_id}:{r.agency_id}:body"),
    SealedColumn(form_drafts, "body_enc", associated=lambda r: f"form_draft:{r.owner}:{r.draft_key}"),
)


async def rotate_keys(session: AsyncSession, cipher: FieldCipher) -> int:
    """Re-encrypts every sealed value under the cipher's current key; returns how many changed."""
    return await rotate_columns(session, cipher, SEALED_COLUMNS)
