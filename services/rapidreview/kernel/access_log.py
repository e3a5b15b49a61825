"""The access log: who called which RPC about which case, and the result.

The interceptor hands every finished call to `AccessLog.record`; entries are
written in batches by a background task (a call never waits for its log row),
and flushed on shutdown. Auditors read them through AccessLogService.

One entry can never hold up the others: values are made storable when recorded
(text PostgreSQL refuses, or longer than its column, is replaced and the entry
flagged `values_replaced`), and a batch the database refuses for its data (not
for being away) is written entry by entry, an entry refused on its own being
written with its caller values replaced and flagged, or else dropped with an
error log line and a metric.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import grpc
from google.protobuf import timestamp_pb2
from sqlalchemy import BigInteger, Boolean, Column, DateTime, MetaData, String, Table, and_, false, select

from rapidreview.kernel import metrics
from rapidreview.kernel.auth import Principal, current_grant
from rapidreview.kernel.db import Database, advisory_xact_lock
from rapidreview.kernel.errors import InvalidArgument
from rapidreview.kernel.grpc_errors import database_unavailable
from rapidreview.kernel.logging import get_logger
from rapidreview.kernel.pagination import bigint, decode_page_token, encode_page_token
from rapidreview.v1 import access_log_pb2, access_log_pb2_grpc

log = get_logger(__name__)
SERVICE_NAME = "rapidreview.v1.AccessLogService"
# Case ids are UUIDs. Anything else a caller put in `case_id` is not recorded:
# it is not a case, and it could be anything (a child's name typed by mistake).
_CASE_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def access_log_table(metadata: MetaData) -> Table:
    return Table(
        "access_log",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False, index=True),
        Column("subject", String(200), nullable=False, index=True),
        Column("role", String(32), nullable=False),
        Column("partnership", String(64), nullable=False, index=True),
        Column("agency", String(64), nullable=False),
        Column("method", String(200), nullable=False),
        Column("case_id", String(64), nullable=False, index=True),
        Column("code", String(32), nullable=False),
        Column("request_id", String(64), nullable=False),
        # True when a value could not be stored as given (see `storable`).
        Column("values_replaced", Boolean, nullable=False, server_default=false()),
    )


#: What an unstorable character becomes, and what a whole value becomes when the
#: database refused the entry anyway.
REPLACEMENT = "\ufffd"
#: Text columns of an entry and their lengths (the table's).
_TEXT_COLUMNS = {"subject": 200, "role": 32, "partnership": 64, "agency": 64, "method": 200, "case_id": 64, "code": 32,
                 "request_id": 64}
#: The values an entry takes from its caller (the others the service makes itself).
_CALLER_COLUMNS = ("subject", "role", "partnership", "agency", "case_id", "request_id")


def storable(value: object, length: int) -> tuple[str, bool]:
    """`value` as text PostgreSQL accepts in a column of `length` characters, and
    whether it had to change: characters that are not printable (NUL, controls,
    lone surrogates...) become U+FFFD, and the text is cut to the column."""
    text = value if isinstance(value, str) else str(value)
    clean = "".join(c if c.isprintable() else REPLACEMENT for c in text) if not text.isprintable() else text
    clean = clean[:length]
    return clean, clean != text


class AccessLog:
    """Buffers entries and writes them in the background."""

    def __init__(self, db: Database, table: Table, flush_interval: float = 0.2, service: str = "") -> None:
        self.db = db
        self.table = table
        # With RETURNING, a flush's entries go as one multi-row INSERT (SQLAlchemy's
        # "insertmanyvalues"); without it the driver runs one INSERT per entry.
        self._insert = table.insert().returning(table.c.id)
        # Entries' ids are taken and committed in the same order, across replicas: a flush holds
        # this lock from before its INSERT to its COMMIT. Without it, a flush that took lower ids
        # could commit after a reader had paged past them (ListAccessLog pages by id, newest
        # first), and those entries were never listed to that reader.
        self._in_id_order = advisory_xact_lock()
        self._lock_key = {"l_key": f"access_log:{table.schema or ''}.{table.name}"}
        self.service = service
        self.flush_interval = flush_interval
        self._pending: list[dict[str, object]] = []
        self._flushing = asyncio.Lock()

    MAX_PENDING = 10_000

    def record(self, method: str, principal: Principal | None, request: object, code: str, request_id: str) -> None:
        if len(self._pending) >= self.MAX_PENDING:
            # The database has been away for long: keep memory bounded, say so.
            log.warning("access log buffer full; entry dropped")
            metrics.ACCESS_LOG_DROPPED.labels(self.service).inc()
            return
        case_id = getattr(request, "case_id", "") if request is not None else ""
        if not isinstance(case_id, str) or not _CASE_ID.match(case_id):
            case_id = ""
        entry: dict[str, object] = {
            "at": dt.datetime.now(dt.UTC),
            "subject": principal.subject if principal else "",
            "role": principal.role.value if principal else "",
            "partnership": principal.partnership if principal else "",
            "agency": principal.agency if principal else "",
            "method": method,
            "case_id": case_id,
            "code": code,
            "request_id": request_id,
        }
        replaced = False
        for name, length in _TEXT_COLUMNS.items():
            entry[name], changed = storable(entry[name], length)
            replaced = replaced or changed
        entry["values_replaced"] = replaced
        self._pending.append(entry)

    async def flush(self) -> None:
        """Writes what is pending. Flushes run one at a time, so a reader that flushes first
        (ListAccessLog) also waits for a background flush already under way."""
        async with self._flushing:
            await self._flush()

    async def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            async with self.db.transaction() as session:
                await session.execute(self._in_id_order, self._lock_key)
                await session.execute(self._insert, batch)
        except Exception as exc:  # noqa: BLE001
            if await self._database_away(exc):
                # The database is away: keep the entries for the next round.
                self._pending[:0] = batch
                log.warning("access log flush failed", exc_type=type(exc).__name__, count=len(batch))
                return
            # The database refused the data: no entry may hold up the others.
            log.warning("access log batch refused; writing its entries one by one", exc_type=type(exc).__name__, count=len(batch))
            await self._write_one_by_one(batch)

    async def _write_one_by_one(self, batch: list[dict[str, object]]) -> None:
        for n, entry in enumerate(batch):
            for attempt in (entry, self._replaced(entry)):
                try:
                    async with self.db.transaction() as session:
                        await session.execute(self._in_id_order, self._lock_key)
                        await session.execute(self.table.insert(), [attempt])
                    if attempt is not entry:
                        log.error("access log entry refused; written with its caller values replaced", method=entry["method"])
                        metrics.ACCESS_LOG_REPLACED.labels(self.service).inc()
                    break
                except Exception as exc:  # noqa: BLE001
                    if await self._database_away(exc):
                        self._pending[:0] = batch[n:]
                        return
            else:
                log.error("access log entry refused even with its values replaced; dropped", method=entry["method"])
                metrics.ACCESS_LOG_DROPPED.labels(self.service).inc()

    async def _database_away(self, exc: BaseException) -> bool:
        """Whether a failed insert failed for the database being away rather than for the
        data: entries are only ever given up when the database answers and refuses them."""
        return database_unavailable(exc) or not await self.db.ping()

    @staticmethod
    def _replaced(entry: dict[str, object]) -> dict[str, object]:
        """The entry with every value that came from the caller replaced, flagged."""
        return {**entry, **{name: REPLACEMENT for name in _CALLER_COLUMNS if entry.get(name)}, "values_replaced": True}

    async def run(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.flush_interval)
                await self.flush()
        finally:
            await self.flush()


class AccessLogServicer(access_log_pb2_grpc.AccessLogServiceServicer):
    """Lists the entries of the caller's partnership (auditors only, per the access table)."""

    def __init__(self, access_log: AccessLog) -> None:
        self.access_log = access_log

    async def ListAccessLog(self, request: access_log_pb2.ListAccessLogRequest, context: grpc.aio.ServicerContext) -> access_log_pb2.ListAccessLogResponse:
        grant = current_grant()
        violations = []
        if not 0 <= request.page_size <= 500:
            violations.append(("page_size", "must be between 1 and 500 (0 means 100)"))
        if request.case_id and not _CASE_ID.match(request.case_id):
            violations.append(("case_id", "must be a case id (UUID)"))
        if len(request.subject) > 200 or not request.subject.isprintable():
            violations.append(("subject", "at most 200 printable characters"))
        since = _instant(request, "since", violations)
        until = _instant(request, "until", violations)
        if since and until and until <= since:
            violations.append(("until", "must be after since"))
        if violations:
            raise InvalidArgument(violations)
        limit = request.page_size or 100
        table = self.access_log.table
        conditions = [table.c.partnership == grant.principal.partnership]
        if request.case_id:
            conditions.append(table.c.case_id == request.case_id)
        if request.subject:
            conditions.append(table.c.subject == request.subject)
        if since:
            conditions.append(table.c.at >= since)
        if until:
            conditions.append(table.c.at < until)
        if request.page_token:
            try:
                last_id = bigint(decode_page_token(request.page_token)[0], minimum=1)  # a row id (BIGINT)
            except ValueError:
                raise InvalidArgument([("page_token", "not a token from a previous response")]) from None
            conditions.append(table.c.id < last_id)
        await self.access_log.flush()
        async with self.access_log.db.transaction() as session:
            rows = (await session.execute(select(table).where(and_(*conditions)).order_by(table.c.id.desc()).limit(limit + 1))).all()
        response = access_log_pb2.ListAccessLogResponse()
        for row in rows[:limit]:
            at = timestamp_pb2.Timestamp()
            at.FromDatetime(row.at)
            response.entries.append(access_log_pb2.AccessLogEntry(
                at=at, subject=row.subject, role=row.role, partnership=row.partnership, agency=row.agency,
                method=row.method, case_id=row.case_id, code=row.code, request_id=row.request_id,
                values_replaced=row.values_replaced))
        if len(rows) > limit:
            response.next_page_token = encode_page_token(str(rows[limit - 1].id))
        return response


# 0001-01-01 to 9999-12-31, the range of Timestamp (and of PostgreSQL's timestamptz that matters here).
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799


def _instant(request: access_log_pb2.ListAccessLogRequest, name: str, violations: list[tuple[str, str]]) -> dt.datetime | None:
    """The UTC time of a Timestamp filter when set (a violation when it is out of Timestamp's range)."""
    if not request.HasField(name):
        return None
    value = getattr(request, name)
    if not (_MIN_SECONDS <= value.seconds <= _MAX_SECONDS and 0 <= value.nanos < 1_000_000_000):
        violations.append((name, "must be a time between the years 1 and 9999"))
        return None
    return value.ToDatetime(tzinfo=dt.UTC)
