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

from google.protobuf import json_format
from sqlalchemy import (
    Boolean, Column, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Table, Text, and_, bindparam, func, literal,
    or_, select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSON, aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.intake.domain.clocks import ClockState, Extension
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import Transaction, service_metadata
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
_INSERT_INCIDENT = incidents.insert().returning(incidents)
_GET_ROW = select(incidents).where(incidents.c.case_id == bindparam("b_case_id"))
_GET_ROW_FOR_UPDATE = _GET_ROW.with_for_update()
_GET_CLOCKS = (select(clocks).where(clocks.c.case_id == bindparam("b_case_id"))
               .order_by(clocks.c.starts_from, clocks.c.clock_id))
_CLOCK_VALUES = ("starts_from", "due", "effective_due", "completed_on", "extensions_json")
_NEW_CLOCK = pg_insert(clocks)
# Inserts a clock, or updates these columns of the existing one (its emitted flags stay).
_SAVE_CLOCK = _NEW_CLOCK.on_conflict_do_update(index_elements=[clocks.c.case_id, clocks.c.clock_id],
                                               set_={name: _NEW_CLOCK.excluded[name] for name in _CLOCK_VALUES})
_RECORD_KEY = idempotency.insert()
_FIND_KEY = select(idempotency.c.request_hash, idempotency.c.case_id).where(
    and_(idempotency.c.partnership == bindparam("b_partnership"), idempotency.c.idempotency_key == bindparam("b_key")))
_FLAG_DUPLICATE = possible_duplicates.insert()
_SAME_CHILD_AND_DATE = select(incidents.c.case_id).where(and_(
    incidents.c.partnership == bindparam("b_partnership"),
    incidents.c.child_ref_index == bindparam("b_child_ref_index"),
    incidents.c.incident_date == bindparam("b_incident_date"),
))
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


class IncidentRepository:
    """Reads and writes incidents in the caller's transaction."""

    def __init__(self, session: Transaction, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    # -- writes -------------------------------------------------------------
    async def insert(self, *, case_id: str, partnership: str, status: int, edition: str, edition_version: str,
                     notification: intake_pb2.Notification, duties: list[common_pb2.RuleOutcome]):  # type: ignore[no-untyped-def]
        """Inserts the incident; returns its row as stored (as `get_row` would read it)."""
        n = intake_pb2.Notification()
        n.CopyFrom(notification)
        child_ref, harm = n.child.child_ref, n.harm_description
        n.child.child_ref = ""
        n.harm_description = ""
        result = await self.session.execute(
            _INSERT_INCIDENT,
            dict(
                case_id=case_id,
                partnership=partnership,
                status=status,
                edition=edition,
                edition_version=edition_version,
                notifying_la=notification.notifying_la,
                incident_date=dt.date.fromisoformat(notification.incident_date),
                la_aware_date=dt.date.fromisoformat(notification.la_aware_date),
                child_ref_index=self.child_index(partnership, child_ref),
                child_ref_enc=self.cipher.seal(child_ref, f"incident:{case_id}:child_ref"),
                harm_description_enc=self.cipher.seal(harm, f"incident:{case_id}:harm_description"),
                notification_pb=n.SerializeToString(deterministic=True),
                # Rationales quote the child reference: sealed like the other personal data.
                duties_json=self.cipher.seal(json.dumps([json_format.MessageToDict(d) for d in duties]), f"incident:{case_id}:duties"),
            ),
        )
        return result.one()

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
            extensions_json=json.dumps([
                {
                    "extended_to": e.extended_to.isoformat(),
                    "reason": self.cipher.seal(e.reason, f"clock:{case_id}:{state.clock_id}:{i}"),
                    "recorded_by": e.recorded_by,
                }
                for i, e in enumerate(state.extensions)
            ]),
        )
        # One upsert: a new clock is inserted (deadline events not yet emitted), an existing
        # one gets these values (its emitted flags stay as they are).
        await self.session.execute(_SAVE_CLOCK, dict(case_id=case_id, clock_id=state.clock_id, **values))

    async def record_key(self, partnership: str, key: str, request_hash: str, case_id: str) -> None:
        await self.session.execute(
            _RECORD_KEY, dict(partnership=partnership, idempotency_key=key, request_hash=request_hash, case_id=case_id)
        )

    async def flag_duplicates(self, case_id: str, others: list[str]) -> None:
        for other in others:
            await self.session.execute(_FLAG_DUPLICATE, dict(case_id=case_id, other_case_id=other))
            await self.session.execute(_FLAG_DUPLICATE, dict(case_id=other, other_case_id=case_id))

    # -- reads --------------------------------------------------------------
    async def find_key(self, partnership: str, key: str) -> tuple[str, str] | None:
        row = (await self.session.execute(_FIND_KEY, {"b_partnership": partnership, "b_key": key})).first()
        return (row.request_hash, row.case_id) if row else None

    async def find_same_child_and_date(self, partnership: str, child_ref: str, incident_date: str) -> list[str]:
        rows = await self.session.execute(_SAME_CHILD_AND_DATE, {
            "b_partnership": partnership,
            "b_child_ref_index": self.child_index(partnership, child_ref),
            "b_incident_date": dt.date.fromisoformat(incident_date),
        })
        return [r.case_id for r in rows]

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
