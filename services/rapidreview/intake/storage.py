"""Intake's tables (schema `intake`) and the repository that maps them to the domain.

Free text (harm description, withdrawal reason, extension reasons, amendment
reasons, the referral rationale) and the child reference are encrypted at
rest; the child reference also gets a blind index so possible duplicates can
be found without storing it in clear. A superseded version of a notification
is kept whole, sealed, with the amendment that replaced it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from types import SimpleNamespace

from google.protobuf import json_format
from sqlalchemy import (
    Boolean, Column, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Table, Text, and_, any_, bindparam, case, func,
    literal, or_, select, union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON, aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.intake.domain.clocks import ClockState, Extension
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import Transaction, advisory_xact_lock, service_metadata
from rapidreview.kernel.outbox import Deferred, first_row_as_cte
from rapidreview.kernel.rotation import SealedColumn, rotate_columns
from rapidreview.kernel.tables import add_kernel_tables
from rapidreview.v1 import common_pb2, intake_pb2

SCHEMA = "intake"
metadata = service_metadata(SCHEMA)

incidents = Table(
    "incidents",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("partnership", String(64), nullable=False, index=True),
    Column("status", Integer, nullable=False),
    Column("edition", String(16), nullable=False),
    Column("edition_version", String(32), nullable=False),
    Column("notifying_la", String(100), nullable=False),
    Column("incident_date", Date, nullable=False),
    Column("la_aware_date", Date, nullable=False),
    Column("child_ref_index", String(64), nullable=False),
    Column("child_ref_enc", Text, nullable=False),
    Column("harm_description_enc", Text, nullable=False, default=""),
    Column("notification_pb", LargeBinary, nullable=False),  # without child_ref and free text
    Column("duties_json", Text, nullable=False),
    Column("panel_reference", String(64), nullable=True),
    Column("panel_sent_date", Date, nullable=True),
    Column("panel_late", Boolean, nullable=True),
    Column("partners_informed_date", Date, nullable=True),
    Column("withdrawal_reason_enc", Text, nullable=False, default=""),
    Column("decided_on", Date, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The current version of the notification: 1 as first recorded, +1 per amendment.
    Column("notification_version", Integer, nullable=False, server_default="1"),
    # The rapid review reached the Panel (decisions' first submission): closes RR.DEADLINE.
    Column("rapid_review_sent_date", Date, nullable=True),
    # The local authority's decision on an agency's referral (NOTIFY.AGENCY_REFERRAL).
    Column("referral_decision", Integer, nullable=True),
    Column("referral_rationale_enc", Text, nullable=False, server_default=""),
    Column("referral_decided_on", Date, nullable=True),
    Column("referral_recorded_by", String(200), nullable=True),
    Column("referral_recorded_at", DateTime(timezone=True), nullable=True),
)

clocks = Table(
    "clocks",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.incidents.case_id"), primary_key=True),
    Column("clock_id", String(40), primary_key=True),
    Column("starts_from", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("effective_due", Date, nullable=False, index=True),
    Column("completed_on", Date, nullable=True),
    Column("extensions_json", Text, nullable=False, default="[]"),  # reasons encrypted
    Column("due_soon_emitted", Boolean, nullable=False, default=False),
    Column("overdue_emitted", Boolean, nullable=False, default=False),
)

# Every notification a duty needs, recorded as sent (the Panel's included).
notifications_sent = Table(
    "notifications_sent",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.incidents.case_id"), primary_key=True),
    Column("duty", String(40), primary_key=True),
    Column("recipient", Integer, primary_key=True),
    Column("sent_date", Date, nullable=False),
    Column("reference", String(64), nullable=False, server_default=""),
    Column("late", Boolean, nullable=False, server_default="false"),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# One row per amendment: the version it created, why (sealed), what changed, and the
# notification it replaced (sealed whole), so every version stays readable.
amendments = Table(
    "amendments",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.incidents.case_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("reason_enc", Text, nullable=False),
    Column("changed_fields_json", Text, nullable=False),
    Column("duties_changed_json", Text, nullable=False),
    Column("clocks_started_json", Text, nullable=False),
    Column("clocks_stopped_json", Text, nullable=False),
    Column("previous_notification_enc", Text, nullable=False),
    Column("amended_by", String(200), nullable=False),
    Column("amended_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

idempotency = Table(
    "idempotency_keys",
    metadata,
    Column("partnership", String(64), primary_key=True),
    Column("idempotency_key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

possible_duplicates = Table(
    "possible_duplicates",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("other_case_id", String(36), primary_key=True),
)

_kernel = add_kernel_tables(metadata)
outbox, inbox = _kernel.outbox, _kernel.inbox

# -- statements of every case, built once --------------------------------------------------
# Executed with a parameter dict: bindparam names for the WHERE clauses, column names for
# what an INSERT or UPDATE writes.
_GET_ROW = select(incidents).where(incidents.c.case_id == bindparam("b_case_id"))
_GET_ROW_FOR_UPDATE = _GET_ROW.with_for_update()
_GET_CLOCKS = (select(clocks).where(clocks.c.case_id == bindparam("b_case_id"))
               .order_by(clocks.c.starts_from, clocks.c.clock_id))
_CLOCK_VALUES = ("starts_from", "due", "effective_due", "completed_on", "extensions_json")
_NEW_CLOCK = pg_insert(clocks)
# Inserts a clock, or updates these columns of the existing one (its emitted flags stay).
_SAVE_CLOCK = _NEW_CLOCK.on_conflict_do_update(index_elements=[clocks.c.case_id, clocks.c.clock_id],
                                               set_={name: _NEW_CLOCK.excluded[name] for name in _CLOCK_VALUES})
_FIND_KEY = select(idempotency.c.request_hash, idempotency.c.case_id).where(
    and_(idempotency.c.partnership == bindparam("b_partnership"), idempotency.c.idempotency_key == bindparam("b_key")))
#: Possible duplicates an incident lists: enough to send someone to look, and its size
#: (it travels in incident.notified) does not grow with how often a child was notified.
MAX_DUPLICATES_LISTED = 20
_DUPLICATES_OF = (select(possible_duplicates.c.other_case_id).where(possible_duplicates.c.case_id == bindparam("b_case_id"))
                  .order_by(possible_duplicates.c.other_case_id).limit(MAX_DUPLICATES_LISTED))


# A listed incident's clocks and duplicates, aggregated beside its row (see `list_rows`). The
# clock columns go through JSON, so dates come back as ISO strings (`_ListedClock` reads them).
_CLOCKS_AGGREGATE = (
    select(func.coalesce(func.json_agg(aggregate_order_by(
        func.json_build_object("clock_id", clocks.c.clock_id, "starts_from", clocks.c.starts_from, "due", clocks.c.due,
                               "completed_on", clocks.c.completed_on, "extensions_json", clocks.c.extensions_json),
        clocks.c.starts_from, clocks.c.clock_id)), func.json_build_array(), type_=JSON))
    .where(clocks.c.case_id == incidents.c.case_id)
    .scalar_subquery()
    .label("clocks_json")
)
_DUPLICATES_AGGREGATE = (
    select(func.coalesce(func.array_agg(aggregate_order_by(possible_duplicates.c.other_case_id, possible_duplicates.c.other_case_id)),
                         literal([], ARRAY(String))))
    .where(possible_duplicates.c.case_id == incidents.c.case_id)
    .scalar_subquery()
    .label("duplicate_ids")
)

_SENT_AGGREGATE = (
    select(func.coalesce(func.json_agg(aggregate_order_by(
        func.json_build_object("duty", notifications_sent.c.duty, "recipient", notifications_sent.c.recipient,
                               "sent_date", notifications_sent.c.sent_date, "reference", notifications_sent.c.reference,
                               "late", notifications_sent.c.late, "recorded_by", notifications_sent.c.recorded_by,
                               "recorded_at", notifications_sent.c.recorded_at),
        notifications_sent.c.duty, notifications_sent.c.recipient)), func.json_build_array(), type_=JSON))
    .where(notifications_sent.c.case_id == incidents.c.case_id)
    .scalar_subquery()
    .label("sent_json")
)


def _sent(duty: str, recipient: int, sent_date: dt.date, reference: str, late: bool, recorded_by: str,
          recorded_at: dt.datetime) -> intake_pb2.NotificationSent:
    sent = intake_pb2.NotificationSent(duty=duty, recipient=recipient, sent_date=sent_date.isoformat(), reference=reference,
                                       late=late, recorded_by=recorded_by)
    sent.recorded_at.FromDatetime(recorded_at)
    return sent


class _ListedClock:
    """A clock aggregated by `list_rows`, read like a `clocks` row."""

    def __init__(self, case_id: str, doc: dict) -> None:  # type: ignore[type-arg]
        self.case_id = case_id
        self.clock_id = doc["clock_id"]
        self.starts_from = dt.date.fromisoformat(doc["starts_from"])
        self.due = dt.date.fromisoformat(doc["due"])
        self.completed_on = dt.date.fromisoformat(doc["completed_on"]) if doc["completed_on"] else None
        self.extensions_json = doc["extensions_json"]


# One incident's UPDATE: the columns it sets come from the parameters.
_UPDATE_INCIDENT = incidents.update().where(incidents.c.case_id == bindparam("b_case_id")).values(updated_at=func.now())
_UPDATE_INCIDENT_RETURNING = _UPDATE_INCIDENT.returning(incidents)
_DELETE_CLOCK = clocks.delete().where(and_(clocks.c.case_id == bindparam("b_case_id"), clocks.c.clock_id == bindparam("b_clock_id")))
_NOTIFICATIONS_SENT = (select(notifications_sent).where(notifications_sent.c.case_id == bindparam("b_case_id"))
                       .order_by(notifications_sent.c.duty, notifications_sent.c.recipient))
_RECORD_SENT = notifications_sent.insert()
_AMENDMENTS = (select(amendments).where(amendments.c.case_id == bindparam("b_case_id")).order_by(amendments.c.version))
_RECORD_AMENDMENT = amendments.insert()


# -- the two commands of every case, each written with one statement ---------------------------
# Values are named bindparams (a prefix and the column): parameters named as columns would also be
# taken as values of the tables the statement's other parts (CTEs) write.
_INCIDENT_VALUES = ("case_id", "partnership", "status", "edition", "edition_version", "notifying_la", "incident_date",
                    "la_aware_date", "child_ref_index", "child_ref_enc", "harm_description_enc", "notification_pb",
                    "duties_json")
# What a notification reads before it writes: the transaction's time (what now() stores as the
# incident's creation and update time), its idempotency key if used already, and the partnership's
# incidents of the same child and date (its possible duplicates), in the order they are listed.
_KEY_HASH = select(idempotency.c.request_hash).where(and_(
    idempotency.c.partnership == bindparam("b_partnership"), idempotency.c.idempotency_key == bindparam("b_key")))
_KEY_CASE = select(idempotency.c.case_id).where(and_(
    idempotency.c.partnership == bindparam("b_partnership"), idempotency.c.idempotency_key == bindparam("b_key")))
# Notifications of one child and incident date wait for each other from here to their commit, so
# the later one reads the earlier one as a possible duplicate (and flags both); without it two sent
# at the same moment, with different keys, each read "none" (a statement of its own: read in the
# same statement as the duplicates, they would come from the snapshot taken before the wait).
_LOCK_SAME_CHILD = advisory_xact_lock()
_BEFORE_NOTIFY = select(
    func.now().label("now"),
    _KEY_HASH.scalar_subquery().label("request_hash"),
    _KEY_CASE.scalar_subquery().label("key_case_id"),
    select(func.coalesce(func.array_agg(aggregate_order_by(incidents.c.case_id, incidents.c.case_id)),
                         literal([], ARRAY(String))))
    .where(and_(incidents.c.partnership == bindparam("b_partnership"),
                incidents.c.child_ref_index == bindparam("b_child_ref_index"),
                incidents.c.incident_date == bindparam("b_incident_date")))
    .scalar_subquery().label("same_child"),
)
# A case's clocks as they now stand, from one array per column (any number of clocks, one
# statement built once): a new clock is inserted (deadline events not yet emitted), an existing
# one gets these values, and its emitted flags stay as they are unless it is named in `c_reset`
# (a clock whose due date moved is reported again). Clocks named in `c_stop` are deleted.
_CLOCK_ARRAYS = func.unnest(
    bindparam("c_clock_id", type_=ARRAY(String)), bindparam("c_starts_from", type_=ARRAY(Date)),
    bindparam("c_due", type_=ARRAY(Date)), bindparam("c_effective_due", type_=ARRAY(Date)),
    bindparam("c_completed_on", type_=ARRAY(Date)), bindparam("c_extensions_json", type_=ARRAY(Text)),
).table_valued("clock_id", "starts_from", "due", "effective_due", "completed_on", "extensions_json").render_derived("clock_rows")
_CLOCK_ROWS = pg_insert(clocks).from_select(
    ["case_id", "clock_id", "starts_from", "due", "effective_due", "completed_on", "extensions_json",
     "due_soon_emitted", "overdue_emitted"],
    select(bindparam("c_case_id", type_=String), _CLOCK_ARRAYS.c.clock_id, _CLOCK_ARRAYS.c.starts_from, _CLOCK_ARRAYS.c.due,
           _CLOCK_ARRAYS.c.effective_due, _CLOCK_ARRAYS.c.completed_on, _CLOCK_ARRAYS.c.extensions_json,
           literal(False), literal(False)),
)
_RESET = clocks.c.clock_id == any_(bindparam("c_reset", type_=ARRAY(String)))
_CLOCKS_SAVED = _CLOCK_ROWS.on_conflict_do_update(
    index_elements=[clocks.c.case_id, clocks.c.clock_id],
    set_={**{name: _CLOCK_ROWS.excluded[name] for name in _CLOCK_VALUES},
          "due_soon_emitted": case((_RESET, False), else_=clocks.c.due_soon_emitted),
          "overdue_emitted": case((_RESET, False), else_=clocks.c.overdue_emitted)},
).cte("clocks_saved")
_CLOCKS_STOPPED = clocks.delete().where(and_(
    clocks.c.case_id == bindparam("c_case_id"), clocks.c.clock_id == any_(bindparam("c_stop", type_=ARRAY(String))),
)).cte("clocks_stopped")
# A new incident, its possible duplicates (flagged both ways) and its idempotency key.
# (Column defaults on the Python side are not applied to a CTE's INSERT: given here.)
_INCIDENT_ADDED = incidents.insert().values(
    **{name: bindparam(f"i_{name}", type_=incidents.c[name].type) for name in _INCIDENT_VALUES},
    withdrawal_reason_enc=literal(""),
).cte("incident_added")
_OTHERS = func.unnest(bindparam("d_others", type_=ARRAY(String))).table_valued("other").render_derived("others")
_DUPLICATES_FLAGGED = possible_duplicates.insert().from_select(
    ["case_id", "other_case_id"],
    union_all(select(bindparam("d_case_id", type_=String), _OTHERS.c.other),
              select(_OTHERS.c.other, bindparam("d_case_id", type_=String))),
).cte("duplicates_flagged")
_KEY_RECORDED = idempotency.insert().values(
    partnership=bindparam("k_partnership"), idempotency_key=bindparam("k_idempotency_key"),
    request_hash=bindparam("k_request_hash"), case_id=bindparam("k_case_id"))
# A Panel notification: the incident's Panel columns, duties and status, and its "sent" record.
_PANEL_RECORDED = incidents.update().where(incidents.c.case_id == bindparam("p_case_id")).values(
    panel_reference=bindparam("p_panel_reference"), panel_sent_date=bindparam("p_panel_sent_date"),
    panel_late=bindparam("p_panel_late"), status=bindparam("p_status"), duties_json=bindparam("p_duties_json"),
    updated_at=func.now())
_SENT_RECORDED = notifications_sent.insert().values(
    case_id=bindparam("s_case_id"), duty=bindparam("s_duty"), recipient=bindparam("s_recipient"),
    sent_date=bindparam("s_sent_date"), reference=bindparam("s_reference"), late=bindparam("s_late"),
    recorded_by=bindparam("s_recorded_by")).cte("sent_recorded")
# An incident with everything its API form shows besides amendments: its clocks, its first
# possible duplicates (as `duplicates_of` lists them), the notifications sent, and the time of
# the transaction reading it (what now() stores in it from here on).
_DUPLICATES_LISTED = func.array(
    select(possible_duplicates.c.other_case_id).where(possible_duplicates.c.case_id == incidents.c.case_id)
    .order_by(possible_duplicates.c.other_case_id).limit(MAX_DUPLICATES_LISTED).scalar_subquery(),
    type_=ARRAY(String)).label("duplicate_ids")
# The clock watcher's mark that a clock's deadline event is written (`m_overdue` None: as it was),
# made with the event's outbox row.
_EMITTED_MARKED = clocks.update().where(and_(
    clocks.c.case_id == bindparam("m_case_id"), clocks.c.clock_id == bindparam("m_clock_id"),
)).values(due_soon_emitted=True,
          overdue_emitted=func.coalesce(bindparam("m_overdue", type_=Boolean), clocks.c.overdue_emitted))
_GET_WHOLE = (select(incidents, _CLOCKS_AGGREGATE, _DUPLICATES_LISTED, _SENT_AGGREGATE, func.now().label("now"))
              .where(incidents.c.case_id == bindparam("b_case_id")))
# The same without the incident's own columns (for a row already read).
_GET_PARTS = (select(incidents.c.case_id, _CLOCKS_AGGREGATE, _DUPLICATES_LISTED, _SENT_AGGREGATE)
              .where(incidents.c.case_id == bindparam("b_case_id")))


_COMPOSED: dict[tuple[int, ...], tuple[tuple[object, ...], object]] = {}


def _composed(main, *ctes):  # type: ignore[no-untyped-def]
    """`main` with `ctes`, built once per combination (the outbox builds its INSERT once): a
    statement built anew would have its cache key derived again on every execution."""
    key = (id(main), *(id(c) for c in ctes))
    cached = _COMPOSED.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], (main, *ctes), strict=True)):
        cached = _COMPOSED[key] = ((main, *ctes), main.add_cte(*ctes))
    return cached[1]


def _outbox_part(deferred: Deferred | None) -> tuple[tuple[object, ...], dict[str, object], list[tuple[object, object]]]:
    """The CTE (and its parameters) of what `deferred` kept first when it is the outbox row,
    and what else it kept, to run after the statement, in order."""
    cte, parameters, later = first_row_as_cte(deferred)
    return ((cte,) if cte is not None else ()), parameters, later


@dataclass
class BeforeNotify:
    """What a notification read before writing (`IncidentRepository.before_notify`)."""

    now: dt.datetime
    request_hash: str | None
    key_case_id: str | None
    same_child: list[str]
    child_ref_index: str


class IncidentRepository:
    """Reads and writes incidents in the caller's transaction."""

    def __init__(self, session: Transaction, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    # -- writes -------------------------------------------------------------
    def child_index(self, partnership: str, child_ref: str) -> str:
        return self.cipher.blind_index(child_ref.strip().lower(), f"child_ref:{partnership}")

    async def update(self, case_id: str, **values: object) -> None:
        await self.session.execute(_UPDATE_INCIDENT, self._update_values(case_id, values))

    async def updated_row(self, case_id: str, **values: object):  # type: ignore[no-untyped-def]
        """`update`, returning the row as updated (as `get_row` would read it next)."""
        return (await self.session.execute(_UPDATE_INCIDENT_RETURNING, self._update_values(case_id, values))).one()

    def _update_values(self, case_id: str, values: dict[str, object]) -> dict[str, object]:
        if "withdrawal_reason" in values:
            values["withdrawal_reason_enc"] = self.cipher.seal(str(values.pop("withdrawal_reason")), f"incident:{case_id}:withdrawal_reason")
        if "referral_rationale" in values:
            values["referral_rationale_enc"] = self.cipher.seal(str(values.pop("referral_rationale")), f"incident:{case_id}:referral_rationale")
        if "notification" in values:
            n = intake_pb2.Notification()
            n.CopyFrom(values.pop("notification"))  # type: ignore[arg-type]
            child_ref, harm = n.child.child_ref, n.harm_description
            n.child.child_ref = ""
            n.harm_description = ""
            partnership = str(values.pop("partnership"))
            values.update(
                notifying_la=n.notifying_la,
                incident_date=dt.date.fromisoformat(n.incident_date),
                la_aware_date=dt.date.fromisoformat(n.la_aware_date),
                child_ref_index=self.child_index(partnership, child_ref),
                child_ref_enc=self.cipher.seal(child_ref, f"incident:{case_id}:child_ref"),
                harm_description_enc=self.cipher.seal(harm, f"incident:{case_id}:harm_description"),
                notification_pb=n.SerializeToString(deterministic=True),
            )
        if "duties" in values:
            duties = values.pop("duties")
            values["duties_json"] = self.cipher.seal(json.dumps([json_format.MessageToDict(d) for d in duties]),  # type: ignore[attr-defined]
                                                     f"incident:{case_id}:duties")
        return {**values, "b_case_id": case_id}

    async def delete_clock(self, case_id: str, clock_id: str) -> None:
        await self.session.execute(_DELETE_CLOCK, {"b_case_id": case_id, "b_clock_id": clock_id})

    async def record_sent(self, case_id: str, sent: intake_pb2.NotificationSent) -> None:
        await self.session.execute(_RECORD_SENT, dict(
            case_id=case_id, duty=sent.duty, recipient=sent.recipient, sent_date=dt.date.fromisoformat(sent.sent_date),
            reference=sent.reference, late=sent.late, recorded_by=sent.recorded_by))

    async def notifications_sent(self, case_id: str) -> list[intake_pb2.NotificationSent]:
        return [_sent(r.duty, r.recipient, r.sent_date, r.reference, r.late, r.recorded_by, r.recorded_at)
                for r in await self.session.execute(_NOTIFICATIONS_SENT, {"b_case_id": case_id})]

    @staticmethod
    def sent_of_listed(row) -> list[intake_pb2.NotificationSent]:  # type: ignore[no-untyped-def]
        """The notifications sent of a row read by `list_rows` (no query)."""
        return [_sent(d["duty"], d["recipient"], dt.date.fromisoformat(d["sent_date"]), d["reference"], d["late"],
                      d["recorded_by"], dt.datetime.fromisoformat(d["recorded_at"]))
                for d in row.sent_json or []]

    async def record_amendment(self, case_id: str, amendment: intake_pb2.NotificationAmendment,
                               previous: intake_pb2.Notification) -> None:
        version = amendment.version
        await self.session.execute(_RECORD_AMENDMENT, dict(
            case_id=case_id, version=version,
            reason_enc=self.cipher.seal(amendment.reason, f"amendment:{case_id}:{version}:reason"),
            changed_fields_json=json.dumps(list(amendment.changed_fields)),
            duties_changed_json=json.dumps(list(amendment.duties_changed)),
            clocks_started_json=json.dumps(list(amendment.clocks_started)),
            clocks_stopped_json=json.dumps(list(amendment.clocks_stopped)),
            previous_notification_enc=self.cipher.seal(
                base64.b64encode(previous.SerializeToString(deterministic=True)).decode("ascii"),
                f"amendment:{case_id}:{version}:previous_notification"),
            amended_by=amendment.amended_by,
        ))

    async def amendment_rows(self, case_id: str):  # type: ignore[no-untyped-def]
        return (await self.session.execute(_AMENDMENTS, {"b_case_id": case_id})).all()

    def amendment_of(self, row) -> intake_pb2.NotificationAmendment:  # type: ignore[no-untyped-def]
        amendment = intake_pb2.NotificationAmendment(
            version=row.version, reason=self.cipher.open(row.reason_enc, f"amendment:{row.case_id}:{row.version}:reason"),
            changed_fields=json.loads(row.changed_fields_json), duties_changed=json.loads(row.duties_changed_json),
            clocks_started=json.loads(row.clocks_started_json), clocks_stopped=json.loads(row.clocks_stopped_json),
            amended_by=row.amended_by)
        amendment.amended_at.FromDatetime(row.amended_at)
        return amendment

    def previous_notification_of(self, row) -> intake_pb2.Notification:  # type: ignore[no-untyped-def]
        """The notification this amendment replaced (version `row.version - 1`)."""
        sealed = self.cipher.open(row.previous_notification_enc, f"amendment:{row.case_id}:{row.version}:previous_notification")
        return intake_pb2.Notification.FromString(base64.b64decode(sealed))

    def referral_rationale_of(self, row) -> str:  # type: ignore[no-untyped-def]
        return self.cipher.open(row.referral_rationale_enc, f"incident:{row.case_id}:referral_rationale")

    async def save_clock(self, case_id: str, state: ClockState) -> None:
        values = dict(
            starts_from=state.starts_from,
            due=state.due,
            effective_due=state.effective_due,
            completed_on=state.completed_on,
            extensions_json=self._extensions_json(case_id, state),
        )
        # One upsert: a new clock is inserted (deadline events not yet emitted), an existing
        # one gets these values (its emitted flags stay as they are).
        await self.session.execute(_SAVE_CLOCK, dict(case_id=case_id, clock_id=state.clock_id, **values))

    def _extensions_json(self, case_id: str, state: ClockState) -> str:
        return json.dumps([
            {
                "extended_to": e.extended_to.isoformat(),
                "reason": self.cipher.seal(e.reason, f"clock:{case_id}:{state.clock_id}:{i}"),
                "recorded_by": e.recorded_by,
            }
            for i, e in enumerate(state.extensions)
        ])

    # -- the commands of every case, one statement each ------------------------------------
    async def before_notify(self, partnership: str, key: str, child_ref: str, incident_date: str) -> BeforeNotify:
        """What a notification reads before it writes, in one statement (see `_BEFORE_NOTIFY`)."""
        index = self.child_index(partnership, child_ref)
        await self.session.execute(_LOCK_SAME_CHILD, {"l_key": f"intake.same_child:{partnership}:{index}:{incident_date}"})
        row = (await self.session.execute(_BEFORE_NOTIFY, {
            "b_partnership": partnership, "b_key": key, "b_child_ref_index": index,
            "b_incident_date": dt.date.fromisoformat(incident_date),
        })).one()
        return BeforeNotify(row.now, row.request_hash, row.key_case_id, list(row.same_child), index)

    def new_incident(self, *, case_id: str, partnership: str, status: int, edition: str, edition_version: str,
                     notification: intake_pb2.Notification, duties: list[common_pb2.RuleOutcome], child_ref_index: str,
                     now: dt.datetime):  # type: ignore[no-untyped-def]
        """The values `write_notified` inserts, and the row as it will be stored (as `get_row` would
        read it after the commit: created and updated at `now`, the transaction's time)."""
        n = intake_pb2.Notification()
        n.CopyFrom(notification)
        child_ref, harm = n.child.child_ref, n.harm_description
        n.child.child_ref = ""
        n.harm_description = ""
        values = dict(
            case_id=case_id, partnership=partnership, status=status, edition=edition, edition_version=edition_version,
            notifying_la=notification.notifying_la,
            incident_date=dt.date.fromisoformat(notification.incident_date),
            la_aware_date=dt.date.fromisoformat(notification.la_aware_date),
            child_ref_index=child_ref_index,
            child_ref_enc=self.cipher.seal(child_ref, f"incident:{case_id}:child_ref"),
            harm_description_enc=self.cipher.seal(harm, f"incident:{case_id}:harm_description"),
            notification_pb=n.SerializeToString(deterministic=True),
            # Rationales quote the child reference: sealed like the other personal data.
            duties_json=self.cipher.seal(json.dumps([json_format.MessageToDict(d) for d in duties]), f"incident:{case_id}:duties"),
        )
        row = SimpleNamespace(**{c.name: None for c in incidents.c})
        row.__dict__.update(values, withdrawal_reason_enc="", referral_rationale_enc="", notification_version=1,
                            created_at=now, updated_at=now)
        return row, values

    async def write_notified(self, values: dict[str, object], clocks: list[ClockState], duplicates: list[str],
                             key: str, request_hash: str, deferred: Deferred | None = None) -> None:
        """Stores a new incident (`new_incident`'s values), its clocks, its possible duplicates (both
        ways), its idempotency key and what `deferred` kept first (the outbox row) with one
        statement; anything else `deferred` kept runs after it, in order."""
        case_id = str(values["case_id"])
        outbox_cte, outbox_parameters, later = _outbox_part(deferred)
        await self.session.execute(
            _composed(_KEY_RECORDED, _INCIDENT_ADDED, _CLOCKS_SAVED, _DUPLICATES_FLAGGED, *outbox_cte),
            dict(
                outbox_parameters,
                **{f"i_{name}": value for name, value in values.items()},
                **self._clock_parameters(case_id, clocks),
                d_case_id=case_id, d_others=duplicates,
                k_partnership=values["partnership"], k_idempotency_key=key, k_request_hash=request_hash, k_case_id=case_id,
            ),
        )
        for written, parameters in later:
            await self.session.execute(written, parameters)

    async def write_panel_notified(self, row, sent: intake_pb2.NotificationSent, clocks: list[ClockState],  # type: ignore[no-untyped-def]
                                   reset: list[str], stop: list[str], deferred: Deferred | None = None) -> None:
        """Stores a Panel notification with one statement: the incident's Panel columns, status and
        duties as in `row` (`as_updated`), the notification `sent`, the clocks as they now stand
        (`reset`: clocks whose deadline events are to be reported again; `stop`: clocks deleted)
        and what `deferred` kept first (the outbox row); anything else it kept runs after it."""
        outbox_cte, outbox_parameters, later = _outbox_part(deferred)
        await self.session.execute(
            _composed(_PANEL_RECORDED, _CLOCKS_SAVED, _CLOCKS_STOPPED, _SENT_RECORDED, *outbox_cte),
            dict(
                outbox_parameters,
                **self._clock_parameters(row.case_id, clocks, reset=reset, stop=stop),
                p_case_id=row.case_id, p_panel_reference=row.panel_reference, p_panel_sent_date=row.panel_sent_date,
                p_panel_late=row.panel_late, p_status=row.status, p_duties_json=row.duties_json,
                s_case_id=row.case_id, s_duty=sent.duty, s_recipient=sent.recipient,
                s_sent_date=dt.date.fromisoformat(sent.sent_date), s_reference=sent.reference, s_late=sent.late,
                s_recorded_by=sent.recorded_by,
            ),
        )
        for written, parameters in later:
            await self.session.execute(written, parameters)

    def as_updated(self, row, *, duties: list[common_pb2.RuleOutcome] | None = None, **values: object):  # type: ignore[no-untyped-def]
        """`row` (one read by `whole`) with `values` (and `duties`, sealed) as an UPDATE in this
        transaction stores them: updated at the transaction's time."""
        updated = SimpleNamespace(**{c.name: getattr(row, c.name) for c in incidents.c})
        updated.__dict__.update(values, updated_at=row.now)
        if duties is not None:
            updated.duties_json = self.cipher.seal(json.dumps([json_format.MessageToDict(d) for d in duties]),
                                                   f"incident:{row.case_id}:duties")
        return updated

    def _clock_parameters(self, case_id: str, states: list[ClockState], *, reset: list[str] = (),  # type: ignore[assignment]
                          stop: list[str] = ()) -> dict[str, object]:  # type: ignore[assignment]
        """`_CLOCKS_SAVED`'s (and `_CLOCKS_STOPPED`'s) parameters: `states` as `save_clock` stores each."""
        return dict(
            c_case_id=case_id,
            c_clock_id=[s.clock_id for s in states],
            c_starts_from=[s.starts_from for s in states],
            c_due=[s.due for s in states],
            c_effective_due=[s.effective_due for s in states],
            c_completed_on=[s.completed_on for s in states],
            c_extensions_json=[self._extensions_json(case_id, s) for s in states],
            c_reset=list(reset),
            c_stop=list(stop),
        )

    async def parts(self, case_id: str):  # type: ignore[no-untyped-def]
        """`whole` without the incident's own columns: its clocks, first possible duplicates and
        notifications sent, in one statement."""
        return (await self.session.execute(_GET_PARTS, {"b_case_id": case_id})).one()

    async def whole(self, case_id: str):  # type: ignore[no-untyped-def]
        """The incident with its clocks (`clocks_of_listed`), its first possible duplicates
        (`duplicate_ids`, as `duplicates_of` lists them), its notifications sent (`sent_of_listed`)
        and the transaction's time (`now`), in one statement; None when there is no such case.
        A command reads it after locking the row (`get_row(for_update=True)`): read together with
        the lock, the clocks would come from before a concurrent writer's commit it waited for."""
        return (await self.session.execute(_GET_WHOLE, {"b_case_id": case_id})).first()

    # -- reads --------------------------------------------------------------
    async def find_key(self, partnership: str, key: str) -> tuple[str, str] | None:
        row = (await self.session.execute(_FIND_KEY, {"b_partnership": partnership, "b_key": key})).first()
        return (row.request_hash, row.case_id) if row else None

    async def get_row(self, case_id: str, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        return (await self.session.execute(_GET_ROW_FOR_UPDATE if for_update else _GET_ROW, {"b_case_id": case_id})).first()

    async def get_clocks(self, case_id: str) -> list[ClockState]:
        rows = await self.session.execute(_GET_CLOCKS, {"b_case_id": case_id})
        return [self._clock(row) for row in rows]

    def _clock(self, row) -> ClockState:  # type: ignore[no-untyped-def]
        return ClockState(
            clock_id=row.clock_id,
            starts_from=row.starts_from,
            due=row.due,
            completed_on=row.completed_on,
            extensions=[
                Extension(
                    dt.date.fromisoformat(e["extended_to"]),
                    self.cipher.open(e["reason"], f"clock:{row.case_id}:{row.clock_id}:{i}"),
                    e["recorded_by"],
                )
                for i, e in enumerate(json.loads(row.extensions_json))
            ],
        )

    async def duplicates_of(self, case_id: str) -> list[str]:
        rows = await self.session.execute(_DUPLICATES_OF, {"b_case_id": case_id})
        return [r.other_case_id for r in rows]

    async def list_rows(self, *, partnership: str | None, status: int, notifying_la: str, overdue_before: dt.date | None,
                        due_by: dt.date | None, after: tuple[dt.datetime, str] | None, limit: int):  # type: ignore[no-untyped-def]
        """One page of incidents, newest first, in ONE statement: each row also carries its
        clocks (`clocks_json`, for `clocks_of_listed`) and possible duplicates (`duplicate_ids`),
        aggregated by correlated subqueries, so a page of 200 costs one round trip, not 400."""
        query = select(incidents, _CLOCKS_AGGREGATE, _DUPLICATES_AGGREGATE, _SENT_AGGREGATE)
        conditions = []
        if partnership is not None:
            conditions.append(incidents.c.partnership == partnership)
        if status:
            conditions.append(incidents.c.status == status)
        if notifying_la:
            conditions.append(incidents.c.notifying_la == notifying_la)
        open_clock = and_(clocks.c.case_id == incidents.c.case_id, clocks.c.completed_on.is_(None))
        if overdue_before is not None:
            conditions.append(select(clocks.c.clock_id).where(and_(open_clock, clocks.c.effective_due < overdue_before)).exists())
        if due_by is not None:
            conditions.append(select(clocks.c.clock_id).where(and_(open_clock, clocks.c.effective_due <= due_by)).exists())
        if after is not None:
            created, case_id = after
            conditions.append(or_(incidents.c.created_at < created, and_(incidents.c.created_at == created, incidents.c.case_id < case_id)))
        if conditions:
            query = query.where(and_(*conditions))
        query = query.order_by(incidents.c.created_at.desc(), incidents.c.case_id.desc()).limit(limit)
        return (await self.session.execute(query)).all()

    async def open_clocks_for_watch(self, survive_withdrawal: tuple[str, ...] = (), limit: int = 500):  # type: ignore[no-untyped-def]
        """Open clocks of live incidents (and the clocks in `survive_withdrawal` of
        withdrawn ones), locked for this watcher (replica-safe)."""
        live = incidents.c.status != intake_pb2.INCIDENT_STATUS_WITHDRAWN
        if survive_withdrawal:
            live = or_(live, clocks.c.clock_id.in_(survive_withdrawal))
        query = (
            select(clocks, incidents.c.partnership)
            .join(incidents, incidents.c.case_id == clocks.c.case_id)
            .where(and_(clocks.c.completed_on.is_(None), live,
                        or_(clocks.c.due_soon_emitted.is_(False), clocks.c.overdue_emitted.is_(False))))
            .limit(limit)
            .with_for_update(of=clocks, skip_locked=True)
        )
        return (await self.session.execute(query)).all()

    async def mark_reported(self, case_id: str, clock_id: str, *, overdue: bool, deferred: Deferred) -> None:
        """Marks the clock's due-soon event written (and its overdue event, when `overdue`) with
        one statement that also writes what `deferred` kept first (the event's outbox row);
        anything else `deferred` kept runs after it, in order."""
        outbox_cte, outbox_parameters, later = _outbox_part(deferred)
        await self.session.execute(_composed(_EMITTED_MARKED, *outbox_cte), dict(
            outbox_parameters, m_case_id=case_id, m_clock_id=clock_id, m_overdue=True if overdue else None))
        for written, parameters in later:
            await self.session.execute(written, parameters)

    async def mark_emitted(self, case_id: str, clock_id: str, **flags: bool) -> None:
        await self.session.execute(
            clocks.update().where(and_(clocks.c.case_id == case_id, clocks.c.clock_id == clock_id)).values(**flags)
        )

    def clocks_of_listed(self, row) -> list[ClockState]:
        """The clocks of a row read by `list_rows` (no query)."""
        return [self._clock(_ListedClock(row.case_id, c)) for c in row.clocks_json or []]

    def notification_of(self, row) -> intake_pb2.Notification:  # type: ignore[no-untyped-def]
        n = intake_pb2.Notification()
        n.ParseFromString(row.notification_pb)
        n.child.child_ref = self.cipher.open(row.child_ref_enc, f"incident:{row.case_id}:child_ref")
        n.harm_description = self.cipher.open(row.harm_description_enc, f"incident:{row.case_id}:harm_description")
        return n

    def duties_of(self, row) -> list[common_pb2.RuleOutcome]:  # type: ignore[no-untyped-def]
        stored = row.duties_json
        if not stored.startswith("["):  # rows written before duties were sealed hold plain JSON
            stored = self.cipher.open(stored, f"incident:{row.case_id}:duties")
        return [json_format.ParseDict(d, common_pb2.RuleOutcome()) for d in json.loads(stored)]

    def withdrawal_reason_of(self, row) -> str:  # type: ignore[no-untyped-def]
        return self.cipher.open(row.withdrawal_reason_enc, f"incident:{row.case_id}:withdrawal_reason")


# -- key rotation ---------------------------------------------------------------
def _extension_reasons(row, ring) -> str:  # type: ignore[no-untyped-def]
    extensions = json.loads(row.extensions_json)
    for i, extension in enumerate(extensions):
        if extension.get("reason"):
            extension["reason"] = ring.reencrypt(extension["reason"], f"clock:{row.case_id}:{row.clock_id}:{i}")
    return json.dumps(extensions)


#: Every column holding ciphertexts, with the associated data each was sealed with.
SEALED_COLUMNS = (
    SealedColumn(incidents, "child_ref_enc", associated=lambda r: f"incident:{r.case_id}:child_ref"),
    SealedColumn(incidents, "harm_description_enc", associated=lambda r: f"incident:{r.case_id}:harm_description"),
    SealedColumn(incidents, "withdrawal_reason_enc", associated=lambda r: f"incident:{r.case_id}:withdrawal_reason"),
    SealedColumn(incidents, "duties_json", associated=lambda r: f"incident:{r.case_id}:duties", legacy_plaintext=True),
    SealedColumn(incidents, "referral_rationale_enc", associated=lambda r: f"incident:{r.case_id}:referral_rationale"),
    SealedColumn(clocks, "extensions_json", rewrite=_extension_reasons),
    SealedColumn(amendments, "reason_enc", associated=lambda r: f"amendment:{r.case_id}:{r.version}:reason"),
    SealedColumn(amendments, "previous_notification_enc",
                 associated=lambda r: f"amendment:{r.case_id}:{r.version}:previous_notification"),
)


async def rotate_keys(session: AsyncSession, cipher: FieldCipher) -> int:
    """Re-encrypts every sealed value under the cipher's current key, one
    transaction per batch; returns how many values changed (0: nothing left)."""
    return await rotate_columns(session, cipher, SEALED_COLUMNS)
