"""Gathering's tables (schema `gathering`) and the repository that maps them to the domain.

A return is personal data from end to end (chronology summaries, decisions,
practitioner roles, narratives), so each version is stored as one sealed
blob bound to its row ("return:<case>:<agency>:v<n>:body"); only what the
service must query or count on stays in clear columns. Reopening reasons are
sealed the same way. Nothing is ever updated in place: a resubmission is a
new row.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Table, Text, UniqueConstraint, and_,
    bindparam, case, cast, func, or_, select, tuple_,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.dml import Insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.gathering.domain.requests import RequestState
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import Transaction, service_metadata
from rapidreview.kernel.outbox import Deferred, is_single_row_insert, row_cte
from rapidreview.kernel.rotation import SealedColumn, rotate_columns
from rapidreview.kernel.tables import add_kernel_tables
from rapidreview.v1 import common_pb2, gathering_pb2

SCHEMA = "gathering"
metadata = service_metadata(SCHEMA)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("partnership", String(64), nullable=False, index=True),
    Column("status", Integer, nullable=False),
    Column("la_aware_date", Date, nullable=False),
    Column("panel_sent_date", Date, nullable=True),
    Column("return_working_days", Integer, nullable=False),
    # What the returns' due date counts from (RR.AGENCIES counts_from when the gathering opened).
    Column("return_counts_from", String(40), nullable=False, server_default="panel_notification_sent_date"),
    Column("collation_version", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The version of the notification the case follows (incident.notified: 1, each amendment its
    # own): an older amendment delivered after a newer one changes nothing. 0: not known (a case
    # opened before this was kept), and any amendment applies.
    Column("notification_version", Integer, nullable=False, server_default="0"),
)

requests = Table(
    "requests",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
    Column("agency_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("agency_pb", LargeBinary, nullable=False),  # organisation details only, no personal data
    Column("source", Integer, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("starts_from", Date, nullable=False),
    Column("due", Date, nullable=False, index=True),
    Column("due_basis", Integer, nullable=False),
    Column("first_returned_on", Date, nullable=True),
    Column("latest_version", Integer, nullable=False, default=0),
    Column("due_soon_emitted", Boolean, nullable=False, default=False),
    Column("overdue_emitted", Boolean, nullable=False, default=False),
    Column("opened_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_chased_on", Date, nullable=True),
    Column("chase_count", Integer, nullable=False, default=0, server_default="0"),
)

returns = Table(
    "returns",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("agency_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("submitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("submitted_by", String(200), nullable=False),
    Column("submitted_on", Date, nullable=False),
    Column("late", Boolean, nullable=False),
    Column("involvement", Integer, nullable=False),
    Column("body_digest", String(64), nullable=False),  # keyed hash: detects an identical resubmission
    Column("body_enc", Text, nullable=False),
)

collations = Table(
    "collations",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("trigger", Integer, nullable=False),
    Column("partial", Boolean, nullable=False),
    Column("missing", Integer, nullable=False),
    Column("closed_by", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reopenings = Table(
    "reopenings",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("reopened_by", String(200), nullable=False),
    Column("reason_enc", Text, nullable=False),
    Column("reopened_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

chases = Table(
    "chases",
    metadata,
    Column("chase_id", String(36), primary_key=True),
    Column("case_id", String(36), nullable=False),
    Column("agency_id", String(64), nullable=False),
    Column("chased_on", Date, nullable=False),
    Column("chased_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("chased_by", String(200), nullable=False),
    Column("delivery_status", Integer, nullable=False),  # gathering_pb2.ChaseDeliveryStatus
    Column("delivery_reason", String(200), nullable=False, default=""),
    Column("recipients", Integer, nullable=False, default=0),  # how many addresses; the addresses are not kept
    Column("message_id", String(255), nullable=False, default=""),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    # At most one chase per request and day: a second one the same day is answered with the first.
    UniqueConstraint("case_id", "agency_id", "chased_on", name="uq_chases_once_a_day"),
)

_kernel = add_kernel_tables(metadata)
outbox, inbox = _kernel.outbox, _kernel.inbox


# Statements on every case's path, built once (SQLAlchemy then skips rebuilding them and
# deriving their cache keys on each call) and executed with parameters.
_GET_CASE = select(cases).where(cases.c.case_id == bindparam("case_id"))
_GET_CASE_FOR_UPDATE = _GET_CASE.with_for_update()
_OPEN_CASE = (
    pg_insert(cases)
    .values({c: bindparam(c) for c in ("case_id", "partnership", "status", "la_aware_date", "panel_sent_date",
                                        "return_working_days", "return_counts_from", "collation_version",
                                        "notification_version")})
    .on_conflict_do_nothing(index_elements=[cases.c.case_id])
    .returning(*cases.c)
)
_GET_REQUESTS = select(requests).where(requests.c.case_id == bindparam("case_id")).order_by(requests.c.position)
_GET_REQUEST = select(requests).where(and_(requests.c.case_id == bindparam("case_id"), requests.c.agency_id == bindparam("agency_id")))
_INSERT_RETURN = (
    returns.insert()
    .values({c: bindparam(c) for c in ("case_id", "agency_id", "version", "submitted_by", "submitted_on", "late", "involvement",
                                        "body_digest", "body_enc")})
    .returning(returns.c.submitted_at)
)
_RECORD_SUBMISSION = (
    requests.update()
    .where(and_(requests.c.case_id == bindparam("b_case_id"), requests.c.agency_id == bindparam("b_agency_id")))
    .values(latest_version=bindparam("new_latest_version"), first_returned_on=bindparam("new_first_returned_on"))
)
# A provisional due date (counted from awareness) moves to count from the Panel notification;
# a request whose due date changes may need its deadline events again.
_MOVE_PROVISIONAL = (
    requests.update()
    .where(and_(requests.c.case_id == bindparam("b_case_id"), requests.c.due_basis == gathering_pb2.DUE_BASIS_AWARENESS))
    .values(
        starts_from=bindparam("new_starts_from", type_=Date), due=bindparam("new_due", type_=Date),
        due_basis=gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION,
        due_soon_emitted=case((requests.c.due == bindparam("new_due", type_=Date), requests.c.due_soon_emitted), else_=False),
        overdue_emitted=case((requests.c.due == bindparam("new_due", type_=Date), requests.c.overdue_emitted), else_=False),
    )
)

_MOVE_AWARENESS = _MOVE_PROVISIONAL.values(due_basis=gathering_pb2.DUE_BASIS_AWARENESS)

@dataclass(frozen=True)
class StoredVersion:
    """A version of a return as stored (body decrypted on demand)."""

    version: int
    submitted_at: dt.datetime
    submitted_by: str
    submitted_on: dt.date
    late: bool
    involvement: int


# -- SubmitAgencyReturn ------------------------------------------------------------------
# Every value is a named bindparam with a prefix: a parameter named as a column would also be
# taken as a value of the tables the statement's CTEs write.
#
# After the case is locked, one read: the case's requests in order; for the submitting agency its
# latest stored version (a replay is answered from it, its digest tells one); and, when no other
# agency is still awaited (this return completes the set and the collation follows), every other
# agency's latest body.
_others_awaited = requests.alias("awaited")
_OTHERS_AWAITED = (
    select(_others_awaited.c.agency_id)
    .where(and_(_others_awaited.c.case_id == bindparam("q_case_id"), _others_awaited.c.latest_version == 0,
                _others_awaited.c.agency_id != bindparam("q_agency_id")))
    .exists()
)
_REQUESTS_FOR_RETURN = (
    select(
        requests, returns.c.submitted_at.label("r_submitted_at"), returns.c.submitted_by.label("r_submitted_by"),
        returns.c.submitted_on.label("r_submitted_on"), returns.c.late.label("r_late"),
        returns.c.involvement.label("r_involvement"), returns.c.body_digest.label("r_body_digest"),
        case((requests.c.agency_id != bindparam("q_agency_id"), returns.c.body_enc)).label("r_body_enc"),
    )
    .select_from(requests.outerjoin(returns, and_(
        returns.c.case_id == requests.c.case_id, returns.c.agency_id == requests.c.agency_id,
        returns.c.version == requests.c.latest_version,
        or_(requests.c.agency_id == bindparam("q_agency_id"), ~_OTHERS_AWAITED))))
    .where(requests.c.case_id == bindparam("q_case_id"))
    .order_by(requests.c.position)
)
# The requests of a case in one statement: with RETURNING, a list of parameters is sent as one
# multi-row INSERT (SQLAlchemy's "insertmanyvalues"), compiled once and cached, where a multi-row
# `insert().values([...])` would be compiled again on every call.
_INSERT_REQUESTS = requests.insert().returning(requests.c.agency_id)

# The return's write, one statement: the new version (its timestamp back) with, as CTEs, the
# request's new latest version, the outbox row of agency.return_submitted and, for a return that
# completes the set, the case's next collation version and the collation's record.
_RETURN_ADDED = returns.insert().values(
    {c: bindparam(f"rt_{c}", type_=returns.c[c].type) for c in (
        "case_id", "agency_id", "version", "submitted_by", "submitted_on", "late", "involvement", "body_digest", "body_enc")},
).returning(returns.c.submitted_at)
_SUBMISSION_RECORDED = _RECORD_SUBMISSION.cte("submission_recorded")
_CASE_COLLATED = (
    cases.update().where(cases.c.case_id == bindparam("k_case_id"))
    .values(collation_version=bindparam("k_collation_version", type_=Integer), updated_at=func.now())
    .cte("case_collated")
)
_COLLATION_RECORDED = collations.insert().values(
    {c: bindparam(f"k_{c}", type_=collations.c[c].type) for c in ("case_id", "version", "trigger", "partial", "missing", "closed_by")},
).cte("collation_recorded")

_OUTBOX_PAIRS: dict[tuple[int, tuple[str, ...]], tuple[Insert, tuple[object, object] | None]] = {}


def _outbox_pair_ctes(statement: Insert, names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """Two rows of the outbox's single-row INSERT as CTEs of one statement, in order: the first
    returning its id, the second an `INSERT … SELECT` from it, so that it is written after the
    first (its id the greater, as the relay publishes them) with its values bound as "ob2_" and the
    column. None when the INSERT's parameters are not named "ob_" and the column. Built once."""
    key = (id(statement), names)
    cached = _OUTBOX_PAIRS.get(key)
    if cached is None or cached[0] is not statement:
        table = statement.table
        columns = [name.removeprefix("ob_") for name in names]
        ctes = None
        if all(name.startswith("ob_") for name in names) and all(c in table.c for c in columns):
            first = statement.returning(table.c.id).cte("outbox_row")
            after = table.insert().from_select(
                columns, select(*(cast(bindparam(f"ob2_{c}"), table.c[c].type) for c in columns)).select_from(first),
            ).cte("outbox_row_after")
            ctes = (first, after)
        cached = _OUTBOX_PAIRS[key] = (statement, ctes)  # type: ignore[assignment]
    return cached[1]


_RETURN_STATEMENTS: dict[tuple[int, ...], tuple[tuple[object, ...], object]] = {}


def _return_statement(ctes: tuple):  # type: ignore[no-untyped-def, type-arg]
    """The return's INSERT with `ctes`, built once per combination."""
    key = tuple(id(c) for c in ctes)
    cached = _RETURN_STATEMENTS.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], ctes, strict=True)):
        cached = _RETURN_STATEMENTS[key] = (ctes, _RETURN_ADDED.add_cte(*ctes))
    return cached[1]


# -- incident.panel_notified ---------------------------------------------------------------
_PANEL_SENT = (cases.update().where(cases.c.case_id == bindparam("p_case_id"))
               .values(panel_sent_date=bindparam("p_panel_sent_date", type_=Date), updated_at=func.now())
               .returning(*cases.c))
# The Panel notification's date and, in the same statement, the provisional due dates moved to count from it.
_PANEL_SENT_MOVING = _PANEL_SENT.add_cte(_MOVE_PROVISIONAL.cte("provisional_moved"))


@dataclass(frozen=True)
class CollationRecord:
    """A collation a return publishes, as its statement records it."""

    version: int
    trigger: int
    partial: bool
    missing: int
    closed_by: str


@dataclass
class ReturnContext:
    """What `SubmitAgencyReturn` reads once the case is locked."""

    states: list[RequestState]
    latest: StoredVersion | None  #: the agency's latest stored version, if any
    latest_digest: str | None  #: its body's digest
    bodies: dict[str, gathering_pb2.AgencyReturn]  #: the other agencies' latest bodies, when none is awaited


class GatheringRepository:
    """Reads and writes gatherings in the caller's transaction."""

    def __init__(self, session: Transaction, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    # -- cases ----------------------------------------------------------------
    async def open_case(self, *, case_id: str, partnership: str, status: int, la_aware_date: dt.date,
                        panel_sent_date: dt.date | None, return_working_days: int,
                        return_counts_from: str = "panel_notification_sent_date",
                        notification_version: int = 1):  # type: ignore[no-untyped-def]
        """Inserts the case and returns its row, or None when the case already exists
        (one statement: no read before, none after)."""
        return (await self.session.execute(_OPEN_CASE, {
            "case_id": case_id, "partnership": partnership, "status": status, "la_aware_date": la_aware_date,
            "panel_sent_date": panel_sent_date, "return_working_days": return_working_days,
            "return_counts_from": return_counts_from, "collation_version": 0,
            "notification_version": notification_version})).first()

    async def get_case(self, case_id: str, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        return (await self.session.execute(_GET_CASE_FOR_UPDATE if for_update else _GET_CASE, {"case_id": case_id})).first()

    async def update_case(self, case_id: str, **values: object) -> None:
        await self.session.execute(cases.update().where(cases.c.case_id == case_id).values(updated_at=func.now(), **values))

    async def update_case_returning(self, case_id: str, **values: object):  # type: ignore[no-untyped-def]
        """Updates the case and returns the row as updated (one statement)."""
        return (await self.session.execute(
            cases.update().where(cases.c.case_id == case_id).values(updated_at=func.now(), **values).returning(*cases.c))).one()

    # -- requests -------------------------------------------------------------
    async def insert_requests(self, states: list[RequestState], first_position: int = 0) -> None:
        """Inserts new requests of one case in one statement, in the given order
        (positions from `first_position`)."""
        if not states:
            return
        await self.session.execute(_INSERT_REQUESTS, [
            {"case_id": s.case_id, "agency_id": s.agency_id, "position": first_position + i,
             "agency_pb": s.agency.SerializeToString(deterministic=True), "source": s.source, "opened_on": s.opened_on,
             "starts_from": s.starts_from, "due": s.due, "due_basis": s.due_basis, "latest_version": 0,
             "due_soon_emitted": False, "overdue_emitted": False}
            for i, s in enumerate(states)])

    async def get_requests(self, case_id: str) -> list[RequestState]:
        """The case's requests in the order they were opened."""
        return [self.request_state(row) for row in await self.session.execute(_GET_REQUESTS, {"case_id": case_id})]

    async def get_request(self, case_id: str, agency_id: str) -> RequestState | None:
        row = (await self.session.execute(_GET_REQUEST, {"case_id": case_id, "agency_id": agency_id})).first()
        return self.request_state(row) if row else None

    @staticmethod
    def request_state(row) -> RequestState:  # type: ignore[no-untyped-def]
        agency = common_pb2.Agency()
        agency.ParseFromString(row.agency_pb)
        return RequestState(
            case_id=row.case_id, agency=agency, source=row.source, opened_on=row.opened_on, starts_from=row.starts_from,
            due=row.due, due_basis=row.due_basis, first_returned_on=row.first_returned_on, latest_version=row.latest_version,
            last_chased_on=row.last_chased_on, chase_count=row.chase_count)

    async def update_request(self, case_id: str, agency_id: str, **values: object) -> None:
        await self.session.execute(
            requests.update().where(and_(requests.c.case_id == case_id, requests.c.agency_id == agency_id)).values(**values))

    async def record_submission(self, case_id: str, agency_id: str, *, latest_version: int, first_returned_on: dt.date) -> None:
        await self.session.execute(_RECORD_SUBMISSION, {"b_case_id": case_id, "b_agency_id": agency_id,
                                                        "new_latest_version": latest_version, "new_first_returned_on": first_returned_on})

    async def record_panel_notification(self, case_id: str, sent: dt.date, *, move_due: dt.date | None):  # type: ignore[no-untyped-def]
        """Sets the case's Panel notification date and returns the case as updated; with
        `move_due`, also moves its provisional due dates as `move_provisional_due_dates` does
        (starting from `sent`, due on `move_due`), in the same statement."""
        parameters: dict[str, object] = {"p_case_id": case_id, "p_panel_sent_date": sent}
        if move_due is None:
            return (await self.session.execute(_PANEL_SENT, parameters)).one()
        parameters.update(b_case_id=case_id, new_starts_from=sent, new_due=move_due)
        return (await self.session.execute(_PANEL_SENT_MOVING, parameters)).one()

    async def move_provisional_due_dates(self, case_id: str, *, starts_from: dt.date, due: dt.date) -> int:
        """Every request of the case still due by the awareness date now counts from the
        Panel notification (`starts_from`) and is due on `due`; where the due date
        changes, its deadline events become due again. One statement; returns how many moved."""
        result = await self.session.execute(_MOVE_PROVISIONAL, {"b_case_id": case_id, "new_starts_from": starts_from, "new_due": due})
        return result.rowcount

    async def move_awareness_due_dates(self, case_id: str, *, starts_from: dt.date, due: dt.date) -> int:
        """Every request of the case due by the awareness date counts from the amended
        awareness date (`starts_from`) and is due on `due`; its deadline events become
        due again where the date changes. Returns how many moved."""
        result = await self.session.execute(_MOVE_AWARENESS, {"b_case_id": case_id, "new_starts_from": starts_from, "new_due": due})
        return result.rowcount

    async def overdue_requests(self, *, partnership: str | None, agency_id: str | None, today: dt.date,
                               after: tuple[dt.date, str, str] | None, limit: int):  # type: ignore[no-untyped-def]
        """Requests of open gatherings without a return, due before `today`, by due date."""
        query = (
            select(requests, cases.c.status)
            .join(cases, cases.c.case_id == requests.c.case_id)
            .where(and_(cases.c.status == gathering_pb2.GATHERING_STATUS_OPEN, requests.c.latest_version == 0,
                        requests.c.due < today))
        )
        if partnership is not None:
            query = query.where(cases.c.partnership == partnership)
        if agency_id is not None:
            query = query.where(requests.c.agency_id == agency_id)
        if after is not None:
            query = query.where(tuple_(requests.c.due, requests.c.case_id, requests.c.agency_id) > tuple_(*after))
        query = query.order_by(requests.c.due, requests.c.case_id, requests.c.agency_id).limit(limit)
        return (await self.session.execute(query)).all()

    async def requests_for_watch(self, limit: int = 500):  # type: ignore[no-untyped-def]
        """Awaiting requests of open gatherings with a deadline event still to emit,
        locked for this watcher (replica-safe)."""
        query = (
            select(requests, cases.c.partnership)
            .join(cases, cases.c.case_id == requests.c.case_id)
            .where(and_(cases.c.status == gathering_pb2.GATHERING_STATUS_OPEN, requests.c.latest_version == 0,
                        or_(requests.c.due_soon_emitted.is_(False), requests.c.overdue_emitted.is_(False))))
            .order_by(requests.c.due)
            .limit(limit)
            .with_for_update(of=requests, skip_locked=True)
        )
        return (await self.session.execute(query)).all()

    # -- chases ---------------------------------------------------------------
    async def record_chase(self, *, chase_id: str, case_id: str, agency_id: str, chased_on: dt.date, chased_by: str,
                           delivery_status: int):  # type: ignore[no-untyped-def]
        """Records a chase and counts it on the request; returns its row, or None when the
        request was chased that day already (nothing changed)."""
        row = (await self.session.execute(
            pg_insert(chases).values(chase_id=chase_id, case_id=case_id, agency_id=agency_id, chased_on=chased_on, chased_by=chased_by,
                                     delivery_status=delivery_status, delivery_reason="", recipients=0, message_id="")
            .on_conflict_do_nothing(index_elements=[chases.c.case_id, chases.c.agency_id, chases.c.chased_on])
            .returning(*chases.c))).first()
        if row is not None:
            await self.session.execute(requests.update().where(and_(requests.c.case_id == case_id, requests.c.agency_id == agency_id))
                                       .values(last_chased_on=chased_on, chase_count=requests.c.chase_count + 1))
        return row

    async def chase_on(self, case_id: str, agency_id: str, chased_on: dt.date):  # type: ignore[no-untyped-def]
        return (await self.session.execute(select(chases).where(and_(
            chases.c.case_id == case_id, chases.c.agency_id == agency_id, chases.c.chased_on == chased_on)))).first()

    async def get_chase(self, chase_id: str, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        query = select(chases).where(chases.c.chase_id == chase_id)
        return (await self.session.execute(query.with_for_update() if for_update else query)).first()

    async def update_chase(self, chase_id: str, **values: object) -> None:
        await self.session.execute(chases.update().where(chases.c.chase_id == chase_id).values(**values))

    # -- returns --------------------------------------------------------------
    def _body_ad(self, case_id: str, agency_id: str, version: int) -> str:
        return f"return:{case_id}:{agency_id}:v{version}:body"

    def body_digest(self, agency_return: gathering_pb2.AgencyReturn) -> str:
        """Keyed digest of a return's content (equal bodies, equal digests; reveals nothing)."""
        raw = hashlib.sha256(agency_return.SerializeToString(deterministic=True)).hexdigest()
        return self.cipher.blind_index(raw, "return-body")

    async def insert_return(self, *, case_id: str, agency_id: str, version: int, agency_return: gathering_pb2.AgencyReturn,
                            submitted_by: str, submitted_on: dt.date, late: bool) -> StoredVersion:
        """Stores a new version of a return; returns it as stored (its timestamp is the database's)."""
        body = base64.b64encode(agency_return.SerializeToString(deterministic=True)).decode("ascii")
        submitted_at = (await self.session.execute(_INSERT_RETURN, {
            "case_id": case_id, "agency_id": agency_id, "version": version, "submitted_by": submitted_by,
            "submitted_on": submitted_on, "late": late, "involvement": agency_return.involvement,
            "body_digest": self.body_digest(agency_return),
            "body_enc": self.cipher.seal(body, self._body_ad(case_id, agency_id, version))})).scalar_one()
        return StoredVersion(version, submitted_at, submitted_by, submitted_on, late, agency_return.involvement)

    async def read_for_return(self, case_id: str, agency_id: str) -> ReturnContext:
        """The case's requests in order, `agency_id`'s latest stored version and digest, and,
        when no other agency is awaited, the others' latest bodies (one statement; run it with
        the case locked, so that it sees every return committed before)."""
        rows = (await self.session.execute(_REQUESTS_FOR_RETURN, {"q_case_id": case_id, "q_agency_id": agency_id})).all()
        states = [self.request_state(row) for row in rows]
        latest = digest = None
        bodies: dict[str, gathering_pb2.AgencyReturn] = {}
        for row in rows:
            if row.r_submitted_at is None:
                continue
            if row.agency_id == agency_id:
                latest = StoredVersion(row.latest_version, row.r_submitted_at, row.r_submitted_by, row.r_submitted_on, row.r_late,
                                       row.r_involvement)
                digest = row.r_body_digest
            else:
                bodies[row.agency_id] = self._open_body(case_id, row.agency_id, row.latest_version, row.r_body_enc)
        return ReturnContext(states, latest, digest, bodies)

    async def add_return(self, *, case_id: str, agency_id: str, version: int, agency_return: gathering_pb2.AgencyReturn,
                         submitted_by: str, submitted_on: dt.date, late: bool, first_returned_on: dt.date,
                         collation: CollationRecord | None, deferred: Deferred) -> StoredVersion:
        """Stores a new version of a return and records it on its request; in the same statement
        (data-modifying CTEs, one round trip) also what `deferred` kept first when it is a
        single-row INSERT (the outbox row; two rows of it, in order, when it kept two) and, with
        `collation`, the case's next collation version and the collation's record. Anything else `deferred` kept runs after it, in
        order, as it would have. Returns the version as stored (its timestamp is the database's)."""
        body = base64.b64encode(agency_return.SerializeToString(deterministic=True)).decode("ascii")
        parameters: dict[str, object] = {
            "rt_case_id": case_id, "rt_agency_id": agency_id, "rt_version": version, "rt_submitted_by": submitted_by,
            "rt_submitted_on": submitted_on, "rt_late": late, "rt_involvement": agency_return.involvement,
            "rt_body_digest": self.body_digest(agency_return),
            "rt_body_enc": self.cipher.seal(body, self._body_ad(case_id, agency_id, version)),
            "b_case_id": case_id, "b_agency_id": agency_id, "new_latest_version": version, "new_first_returned_on": first_returned_on,
        }
        ctes: list[object] = [_SUBMISSION_RECORDED]
        later = deferred.take()
        if later and is_single_row_insert(later[0]):  # the outbox row(s) as part of the statement
            written, values = later[0]
            pair = None
            if len(later) > 1 and later[1][0] is written and isinstance(later[1][1], dict) and later[1][1].keys() == values.keys():
                pair = _outbox_pair_ctes(written, tuple(values))
            if pair is not None:  # the return's event and the collation's, in that order
                ctes += pair
                parameters.update(values)
                parameters.update({f"ob2_{name.removeprefix('ob_')}": value for name, value in later[1][1].items()})
                del later[:2]
            else:
                ctes.append(row_cte(written))
                parameters.update(values)
                del later[0]
        if collation is not None:
            ctes += [_CASE_COLLATED, _COLLATION_RECORDED]
            parameters.update(k_case_id=case_id, k_collation_version=collation.version, k_version=collation.version,
                              k_trigger=collation.trigger, k_partial=collation.partial, k_missing=collation.missing,
                              k_closed_by=collation.closed_by)
        submitted_at = (await self.session.execute(_return_statement(tuple(ctes)), parameters)).scalar_one()
        for written, values in later:
            await self.session.execute(written, values)
        return StoredVersion(version, submitted_at, submitted_by, submitted_on, late, agency_return.involvement)

    async def latest_digest(self, case_id: str, agency_id: str, version: int) -> str | None:
        row = (await self.session.execute(select(returns.c.body_digest).where(and_(
            returns.c.case_id == case_id, returns.c.agency_id == agency_id, returns.c.version == version)))).first()
        return row.body_digest if row else None

    async def versions(self, case_id: str, agency_id: str) -> list[StoredVersion]:
        rows = await self.session.execute(
            select(returns.c.version, returns.c.submitted_at, returns.c.submitted_by, returns.c.submitted_on, returns.c.late,
                   returns.c.involvement)
            .where(and_(returns.c.case_id == case_id, returns.c.agency_id == agency_id)).order_by(returns.c.version))
        return [StoredVersion(r.version, r.submitted_at, r.submitted_by, r.submitted_on, r.late, r.involvement) for r in rows]

    async def return_body(self, case_id: str, agency_id: str, version: int) -> gathering_pb2.AgencyReturn | None:
        row = (await self.session.execute(select(returns.c.body_enc).where(and_(
            returns.c.case_id == case_id, returns.c.agency_id == agency_id, returns.c.version == version)))).first()
        return self._open_body(case_id, agency_id, version, row.body_enc) if row else None

    async def latest_bodies(self, case_id: str) -> dict[str, gathering_pb2.AgencyReturn]:
        """The latest version of every agency's return on the case, by agency id."""
        latest = (
            select(requests.c.agency_id, requests.c.latest_version)
            .where(and_(requests.c.case_id == case_id, requests.c.latest_version > 0))
            .subquery()
        )
        rows = await self.session.execute(
            select(returns.c.agency_id, returns.c.version, returns.c.body_enc).join(
                latest, and_(latest.c.agency_id == returns.c.agency_id, latest.c.latest_version == returns.c.version))
            .where(returns.c.case_id == case_id))
        return {r.agency_id: self._open_body(case_id, r.agency_id, r.version, r.body_enc) for r in rows}

    def _open_body(self, case_id: str, agency_id: str, version: int, token: str) -> gathering_pb2.AgencyReturn:
        body = gathering_pb2.AgencyReturn()
        body.ParseFromString(base64.b64decode(self.cipher.open(token, self._body_ad(case_id, agency_id, version))))
        return body

    # -- key rotation ----------------------------------------------------------
    async def reencrypt_batch(self, limit: int = 100) -> int:
        """Moves up to `limit` sealed values still under an older key to the
        current key (rows claimed with SKIP LOCKED); returns how many moved."""
        ring = self.cipher.ring
        current = f"v1:{ring.current}:"
        moved = 0
        rows = (await self.session.execute(
            select(returns.c.case_id, returns.c.agency_id, returns.c.version, returns.c.body_enc)
            .where(~returns.c.body_enc.startswith(current)).limit(limit).with_for_update(skip_locked=True))).all()
        for r in rows:
            token = ring.reencrypt(r.body_enc, self._body_ad(r.case_id, r.agency_id, r.version))
            await self.session.execute(returns.update().where(and_(
                returns.c.case_id == r.case_id, returns.c.agency_id == r.agency_id, returns.c.version == r.version)).values(body_enc=token))
            moved += 1
        rows = (await self.session.execute(
            select(reopenings.c.case_id, reopenings.c.seq, reopenings.c.reason_enc)
            .where(and_(reopenings.c.reason_enc != "", ~reopenings.c.reason_enc.startswith(current)))
            .limit(limit).with_for_update(skip_locked=True))).all()
        for r in rows:
            token = ring.reencrypt(r.reason_enc, f"reopening:{r.case_id}:{r.seq}:reason")
            await self.session.execute(reopenings.update().where(and_(
                reopenings.c.case_id == r.case_id, reopenings.c.seq == r.seq)).values(reason_enc=token))
            moved += 1
        return moved

    # -- collations and reopenings --------------------------------------------
    async def record_collation(self, *, case_id: str, version: int, trigger: int, partial: bool, missing: int, closed_by: str) -> None:
        await self.session.execute(collations.insert().values(
            case_id=case_id, version=version, trigger=trigger, partial=partial, missing=missing, closed_by=closed_by))

    async def record_reopening(self, *, case_id: str, reopened_by: str, reason: str) -> None:
        seq = (await self.session.execute(
            select(func.count()).select_from(reopenings).where(reopenings.c.case_id == case_id))).scalar_one() + 1
        await self.session.execute(reopenings.insert().values(
            case_id=case_id, seq=seq, reopened_by=reopened_by,
            reason_enc=self.cipher.seal(reason, f"reopening:{case_id}:{seq}:reason")))

    async def reopening_reasons(self, case_id: str) -> list[str]:
        rows = await self.session.execute(
            select(reopenings.c.seq, reopenings.c.reason_enc).where(reopenings.c.case_id == case_id).order_by(reopenings.c.seq))
        return [self.cipher.open(r.reason_enc, f"reopening:{case_id}:{r.seq}:reason") for r in rows]


# -- key rotation ---------------------------------------------------------------
#: Every column holding ciphertexts, with the associated data each was sealed with.
SEALED_COLUMNS = (
    SealedColumn(returns, "body_enc", associated=lambda r: f"return:{r.case_id}:{r.agency_id}:v{r.version}:body"),
    SealedColumn(reopenings, "reason_enc", associated=lambda r: f"reopening:{r.case_id}:{r.seq}:reason"),
)


async def rotate_keys(session: AsyncSession, cipher: FieldCipher) -> int:
    """Re-encrypts every sealed value under the cipher's current key, one
    transaction per batch; returns how many values changed (0: nothing left)."""
    return await rotate_columns(session, cipher, SEALED_COLUMNS)
