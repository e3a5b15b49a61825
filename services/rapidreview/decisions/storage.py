"""Decisions' tables (schema `decisions`) and the repository that maps them.

Every record (recommendation, decision, Panel submission...) is stored as its
API message in proto3 JSON, encrypted as a whole (`body_enc`, associated data
"<table>:<id>:body" binds it to its row), next to the few clear columns needed
to order and query it. So every free-text field is encrypted at rest without a
column per field. Audit entries keep who/when/what in clear and the
before -> after change encrypted ("audit:<case>:<sequence>:change").
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from functools import lru_cache
from typing import Any, TypeVar

from google.protobuf import json_format, message
from sqlalchemy import (
    BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Integer, Select, String, Table, Text, Update, and_, bindparam,
    func, literal_column, or_, select, tuple_, union_all,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.decisions.domain.audit import GENESIS_HASH, Change, Entry, StoredEntry, canonical_json
from rapidreview.decisions.domain.clocks import ClockState, Extension
from rapidreview.decisions.domain.lifecycle import Progress, Step
from rapidreview.kernel.crypto import DecryptionError, FieldCipher
from rapidreview.kernel.db import Transaction, service_metadata
from rapidreview.kernel.rotation import SealedColumn, rotate_columns
from rapidreview.kernel.tables import add_kernel_tables
from rapidreview.v1 import decisions_pb2 as D

SCHEMA = "decisions"
metadata = service_metadata(SCHEMA)
M = TypeVar("M", bound=message.Message)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("partnership", String(64), nullable=False, index=True),
    Column("child_ref_enc", Text, nullable=False),
    Column("agencies_json", Text, nullable=False),  # [{"agency_id", "name"}]: organisations only
    Column("withdrawn", Boolean, nullable=False, default=False),
    Column("rr_starts_from", Date, nullable=True),
    Column("rr_due", Date, nullable=True),
    # How many extensions the RR.DEADLINE clock the case follows had: extensions only accumulate,
    # so a clock event with fewer is of an earlier moment (delivered out of order) and changes nothing.
    Column("rr_extensions", Integer, nullable=False, server_default="0"),
    # When intake's event that gave the RR.DEADLINE the case follows happened (its occurred_at):
    # a clock event of an earlier moment changes nothing, even with as many extensions (an
    # amendment that moved the clock, then an extension's event delivered after it). NULL: not known.
    Column("rr_clock_at", DateTime(timezone=True), nullable=True),
    # The rule edition the case is pinned to (from intake): its files give the section 4 deadlines.
    Column("edition", String(16), nullable=True),
    Column("edition_version", String(32), nullable=True),
    Column("audit_sequence", BigInteger, nullable=False, default=0),
    Column("audit_head", String(64), nullable=False, default=GENESIS_HASH),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The version of the notification the case follows (incident.notified: 1, each amendment its
    # own): an older amendment delivered after a newer one changes nothing (its child reference
    # above all, the one publishable texts are checked against). 0: not known (a case opened
    # before this was kept), and any amendment applies.
    Column("notification_version", Integer, nullable=False, server_default="0"),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("evaluation_id", String(64), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("partnership", String(64), nullable=False),
    Column("edition_version", String(64), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


def _record_table(name: str, *extra: Column, unique_case: bool = False) -> Table:
    """A record table: id, case, encrypted API message, when recorded, and `extra` clear columns."""
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        Column("case_id", String(36), ForeignKey(f"{SCHEMA}.cases.case_id"), nullable=False, index=not unique_case,
               unique=unique_case),
        Column("body_enc", Text, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
        *extra,
    )


recommendations = _record_table("recommendations", Column("round", Integer, nullable=False),
                                 Column("kind", Integer, nullable=False), Column("evaluation_id", String(64), nullable=False))
decisions = _record_table("decisions", Column("recommendation_id", String(36), nullable=False, unique=True),
                          Column("round", Integer, nullable=False), Column("kind", Integer, nullable=False),
                          Column("decided_on", Date, nullable=False))
panel_submissions = _record_table("panel_submissions", Column("decision_id", String(36), nullable=False, unique=True),
                                  Column("sent_date", Date, nullable=False))
panel_responses = _record_table("panel_responses", Column("submission_id", String(36), nullable=False, unique=True),
                                Column("kind", Integer, nullable=False))
reviews = _record_table("reviews", Column("decision_id", String(36), nullable=False),
                        Column("commissioned_on", Date, nullable=False), Column("progress_check_weeks", Integer, nullable=False),
                        unique_case=True)
milestones = _record_table("milestones", Column("kind", Integer, nullable=False), Column("occurred_on", Date, nullable=False))
extensions = _record_table("extensions", Column("extended_to", Date, nullable=False))
progress_checks = _record_table("progress_checks", Column("checked_on", Date, nullable=False))
identifying_details = _record_table("identifying_details", Column("kind", Integer, nullable=False))
publications = _record_table("publications", Column("published_on", Date, nullable=False),
                             Column("text_enc", Text, nullable=False), unique_case=True)
actions = _record_table("actions", Column("status", Integer, nullable=False), Column("due_date", Date, nullable=False))
disseminations = _record_table("disseminations", Column("occurred_on", Date, nullable=False))
# Rendered rapid review reports: the RapidReviewReport record (body), the model both renderings
# were made from and the documents themselves, each sealed (they quote the agencies' returns).
reports = _record_table("rapid_review_reports", Column("decision_id", String(36), nullable=False, index=True),
                        Column("model_enc", Text, nullable=False), Column("pdf_enc", Text, nullable=True),
                        Column("docx_enc", Text, nullable=True))

clocks = Table(
    "clocks",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
    Column("clock_id", String(40), primary_key=True),
    Column("subject_ref", String(64), primary_key=True),
    Column("starts_from", Date, nullable=False),
    Column("due", Date, nullable=False),
    Column("effective_due", Date, nullable=False, index=True),
    Column("completed_on", Date, nullable=True),
    Column("due_soon_emitted", Boolean, nullable=False, default=False),
    Column("overdue_emitted", Boolean, nullable=False, default=False),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
    Column("sequence", BigInteger, primary_key=True),
    Column("entry_id", String(36), nullable=False, unique=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("actor_role", String(40), nullable=False),
    Column("action", String(80), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(64), nullable=False),
    Column("causation_id", String(64), nullable=False),
    Column("change_enc", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

idempotency = Table(
    "idempotency_keys",
    metadata,
    Column("partnership", String(64), primary_key=True),
    Column("rpc", String(64), primary_key=True),
    Column("idempotency_key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("result_id", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

_kernel = add_kernel_tables(metadata)
outbox = _kernel.outbox
inbox = _kernel.inbox

# -- statements of every case, built once --------------------------------------------------
# Executed with a parameter dict: bindparam names for the WHERE clauses, column names for
# what an INSERT or UPDATE writes.
_CASE_ROW = select(cases).where(cases.c.case_id == bindparam("b_case_id"))
_CASE_ROW_FOR_UPDATE = _CASE_ROW.with_for_update()
# A new case, or nothing when the case is known already; RETURNING the row as stored.
_EVALUATION = select(evaluations).where(evaluations.c.evaluation_id == bindparam("b_evaluation_id"))
_CLOCK_KEY = and_(clocks.c.case_id == bindparam("b_case_id"), clocks.c.clock_id == bindparam("b_clock_id"),
                  clocks.c.subject_ref == bindparam("b_subject_ref"))
_CLOCK_DUE = select(clocks.c.effective_due).where(_CLOCK_KEY)
_INSERT_CLOCK = clocks.insert()
_UPDATE_CLOCK = clocks.update().where(_CLOCK_KEY)  # the columns it sets come from the parameters
_CLOCKS_OF = select(clocks).where(clocks.c.case_id == bindparam("b_case_id")).order_by(clocks.c.starts_from, clocks.c.clock_id)
_FIND_KEY = select(idempotency.c.request_hash, idempotency.c.result_id).where(and_(
    idempotency.c.partnership == bindparam("b_partnership"), idempotency.c.rpc == bindparam("b_rpc"),
    idempotency.c.idempotency_key == bindparam("b_key")))
_RECORD_KEY = idempotency.insert()
# Keys per IN list: well under PostgreSQL's 32,767 parameters a statement, (case, sequence) pairs included.
_IN_CHUNK = 5000


# -- a handler's audit entries and the case's new head, in one statement -----------------------
# Bind names: "a<i>_<column>" for the i-th entry, "s_<column>" for what the case row is set to,
# "n_<column>" for a new case, "v_<column>" for an evaluation.
_AUDIT_COLUMNS = tuple(c.name for c in audit_entries.c)
_NEW_CASE_COLUMNS = ("case_id", "partnership", "child_ref_enc", "agencies_json", "withdrawn", "rr_starts_from", "rr_due",
                     "edition", "edition_version", "audit_sequence", "audit_head", "notification_version",
                     "rr_extensions", "rr_clock_at")
_EVALUATION_COLUMNS = ("evaluation_id", "case_id", "partnership", "edition_version", "evaluated_at")


def _entry_binds(i: int) -> dict[str, Any]:
    return {name: bindparam(f"a{i}_{name}", type_=audit_entries.c[name].type) for name in _AUDIT_COLUMNS}


def _entries_if(count: int, gate=None):  # type: ignore[no-untyped-def]
    """The INSERT of `count` entries, as a CTE; with `gate` (a CTE), one that inserts them only
    when the gate returned a row: the case was new, the evaluation was not known. Written as
    INSERT ... SELECT of bound values rather than a multi-row `insert().values([...])`, which
    SQLAlchemy cannot cache (it would compile the whole statement again for every event)."""
    rows = [select(*_entry_binds(i).values()) for i in range(count)]
    if gate is not None:
        rows = [row.where(select(literal_column("1")).select_from(gate).exists()) for row in rows]
    return audit_entries.insert().from_select(list(_AUDIT_COLUMNS), rows[0] if count == 1 else union_all(*rows)).cte("appended")


@lru_cache(maxsize=None)
def _write_case(entries: int, columns: tuple[str, ...], evaluation: bool) -> Update:
    """UPDATE of the case row (`columns`, and updated_at) RETURNING it as it now stands, with
    `entries` audit entries INSERTed as a CTE of the same statement. With `evaluation`, the
    evaluation is INSERTed first (ON CONFLICT DO NOTHING) and the entries and the UPDATE happen
    only when it was new (no row returned: it was known, nothing written). Built once per shape."""
    update = (cases.update().where(cases.c.case_id == bindparam("b_case_id"))
              .values(updated_at=func.now(), **{name: bindparam(f"s_{name}", type_=cases.c[name].type) for name in columns})
              .returning(*cases.c))
    if evaluation:
        added = (pg_insert(evaluations).values(**{name: bindparam(f"v_{name}", type_=evaluations.c[name].type)
                                                  for name in _EVALUATION_COLUMNS})
                 .on_conflict_do_nothing().returning(evaluations.c.evaluation_id).cte("evaluation_added"))
        update = update.where(select(added.c.evaluation_id).exists())
        return update.add_cte(added, _entries_if(entries, added)) if entries else update.add_cte(added)
    if entries:
        update = update.add_cte(_entries_if(entries))
    return update


@lru_cache(maxsize=None)
def _open_case(entries: int) -> Select:
    """A new case with its first `entries` audit entries and its head in one statement:
    RETURNING the row as stored, or no row (and nothing written) when the case is known."""
    new_case = (pg_insert(cases).values(**{name: bindparam(f"n_{name}", type_=cases.c[name].type) for name in _NEW_CASE_COLUMNS})
                .on_conflict_do_nothing(index_elements=[cases.c.case_id]).returning(*cases.c).cte("new_case"))
    statement = select(*new_case.c)
    return statement.add_cte(new_case, _entries_if(entries, new_case)) if entries else statement.add_cte(new_case)


@lru_cache(maxsize=None)
def _records_of(table: Table) -> Select:
    """A case's records of one kind, oldest first (one statement per record table)."""
    return select(table).where(table.c.case_id == bindparam("b_case_id")).order_by(table.c.recorded_at, table.c.id)


@lru_cache(maxsize=None)
def _record_of(table: Table) -> Select:
    """One record of a case by id (one statement per record table)."""
    return select(table).where(and_(table.c.id == bindparam("b_id"), table.c.case_id == bindparam("b_case_id")))


def to_json(msg: message.Message) -> dict[str, Any]:
    """proto3 JSON of a record with the .proto field names: the form stored,
    audited and hashed."""
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


class DecisionRepository:
    """Reads and writes one partnership's cases in the caller's transaction."""

    def __init__(self, session: Transaction, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    # -- cases ----------------------------------------------------------------
    async def case_row(self, case_id: str, *, for_update: bool = False):  # type: ignore[no-untyped-def]
        """The case row; with `for_update` it is locked until the transaction
        ends, which serialises every writer of the case and its audit chain."""
        return (await self.session.execute(_CASE_ROW_FOR_UPDATE if for_update else _CASE_ROW, {"b_case_id": case_id})).first()

    def sealed_child_ref(self, case_id: str, child_ref: str) -> str:
        return self.cipher.seal(child_ref, f"case:{case_id}:child_ref")

    async def open_case(self, entries: list[Entry], *, case_id: str, partnership: str, child_ref: str,
                        agencies: list[dict[str, str]], edition: str | None = None, edition_version: str | None = None,
                        notification_version: int = 1, **columns: object):  # type: ignore[no-untyped-def]
        """Inserts a new case with its first audit `entries` (its head the last of them) and
        `columns` (rr_due, rr_starts_from) in one statement; returns its row as stored (as
        `case_row` would read it; a row inserted in this transaction is locked until it ends),
        or None, with nothing written, when the case exists."""
        head = entries[-1] if entries else None
        values = dict(case_id=case_id, partnership=partnership, child_ref_enc=self.sealed_child_ref(case_id, child_ref),
                      agencies_json=json.dumps(agencies, sort_keys=True), withdrawn=False, rr_starts_from=None, rr_due=None,
                      edition=edition, edition_version=edition_version, audit_sequence=head.sequence if head else 0,
                      audit_head=head.hash if head else GENESIS_HASH, notification_version=notification_version,
                      rr_extensions=0, rr_clock_at=None)
        values.update(columns)
        params = {f"n_{name}": values[name] for name in _NEW_CASE_COLUMNS}
        params.update(self._entry_params(entries))
        return (await self.session.execute(_open_case(len(entries)), params)).first()

    async def write_case(self, case_id: str, entries: list[Entry], columns: dict[str, object],
                         evaluation: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
        """Appends `entries` to the case's audit chain and sets `columns` of its row (the head
        among them) in one statement; the caller holds the row lock. Returns the row as it now
        stands. With `evaluation` (its columns), the evaluation is stored first and the rest
        only when it is new: None, with nothing written, when it was known already."""
        params: dict[str, object] = {"b_case_id": case_id, **{f"s_{name}": value for name, value in columns.items()}}
        params.update(self._entry_params(entries))
        if evaluation is not None:
            params.update({f"v_{name}": evaluation[name] for name in _EVALUATION_COLUMNS})
        statement = _write_case(len(entries), tuple(columns), evaluation is not None)
        return (await self.session.execute(statement, params)).first()

    def child_ref_of(self, row) -> str:  # type: ignore[no-untyped-def]
        return self.cipher.open(row.child_ref_enc, f"case:{row.case_id}:child_ref")

    @staticmethod
    def agencies_of(row) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
        return list(json.loads(row.agencies_json))

    async def case_ids(self, partnership: str | None) -> list[tuple[str, int, str]]:
        """(case id, audit sequence, audit head) of every case, or of one partnership's."""
        query = select(cases.c.case_id, cases.c.audit_sequence, cases.c.audit_head).order_by(cases.c.case_id)
        if partnership is not None:
            query = query.where(cases.c.partnership == partnership)
        return [(r.case_id, r.audit_sequence, r.audit_head) for r in await self.session.execute(query)]

    async def existing_cases(self, case_ids: list[str]) -> set[str]:
        """Which of `case_ids` still have a case row (for the audit checkpoints)."""
        found: set[str] = set()
        for i in range(0, len(case_ids), _IN_CHUNK):
            chunk = case_ids[i : i + _IN_CHUNK]
            found.update(r.case_id for r in await self.session.execute(select(cases.c.case_id).where(cases.c.case_id.in_(chunk))))
        return found

    async def entry_hashes(self, entries: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
        """The stored hash of each audit entry (case id, sequence) of `entries` that exists."""
        found: dict[tuple[str, int], str] = {}
        for i in range(0, len(entries), _IN_CHUNK):
            chunk = entries[i : i + _IN_CHUNK]
            rows = await self.session.execute(
                select(audit_entries.c.case_id, audit_entries.c.sequence, audit_entries.c.hash)
                .where(tuple_(audit_entries.c.case_id, audit_entries.c.sequence).in_(chunk)))
            found.update(((r.case_id, int(r.sequence)), r.hash) for r in rows)
        return found

    # -- evaluations ----------------------------------------------------------
    async def evaluation(self, evaluation_id: str):  # type: ignore[no-untyped-def]
        return (await self.session.execute(_EVALUATION, {"b_evaluation_id": evaluation_id})).first()

    async def evaluations_of(self, case_id: str):  # type: ignore[no-untyped-def]
        return (await self.session.execute(
            select(evaluations).where(evaluations.c.case_id == case_id)
            .order_by(evaluations.c.evaluated_at.nulls_first(), evaluations.c.received_at))).all()

    # -- records --------------------------------------------------------------
    def _seal(self, table: Table, record_id: str, msg: message.Message) -> str:
        return self.cipher.seal(canonical_json(to_json(msg)), f"{table.name}:{record_id}:body")

    async def insert_record(self, table: Table, record_id: str, case_id: str, msg: message.Message,
                            recorded_at: dt.datetime, **columns: object) -> None:
        await self.session.execute(table.insert().values(
            id=record_id, case_id=case_id, body_enc=self._seal(table, record_id, msg), recorded_at=recorded_at, **columns))

    async def update_record(self, table: Table, record_id: str, msg: message.Message, **columns: object) -> None:
        await self.session.execute(table.update().where(table.c.id == record_id).values(
            body_enc=self._seal(table, record_id, msg), **columns))

    def open_record(self, table: Table, row, message_type: type[M]) -> M:  # type: ignore[no-untyped-def]
        body = self.cipher.open(row.body_enc, f"{table.name}:{row.id}:body")
        return json_format.ParseDict(json.loads(body), message_type())

    async def records(self, table: Table, case_id: str, message_type: type[M]) -> list[M]:
        """The case's records of one kind, oldest first."""
        rows = await self.session.execute(_records_of(table), {"b_case_id": case_id})
        return [self.open_record(table, row, message_type) for row in rows]

    async def record(self, table: Table, record_id: str, message_type: type[M], *, case_id: str):  # type: ignore[no-untyped-def]
        """One record of the case by id, or None."""
        row = (await self.session.execute(_record_of(table), {"b_id": record_id, "b_case_id": case_id})).first()
        return None if row is None else self.open_record(table, row, message_type)

    async def publication_text(self, case_id: str) -> str:
        row = (await self.session.execute(select(publications).where(publications.c.case_id == case_id))).first()
        return "" if row is None else self.cipher.open(row.text_enc, f"publications:{row.id}:text")

    def seal_publication_text(self, record_id: str, text: str) -> str:
        return self.cipher.seal(text, f"publications:{record_id}:text")

    # -- a partnership's records (yearly figures) -------------------------------------
    async def partnership_records(self, table: Table, partnership: str, message_type: type[M]) -> list[tuple[M, dt.datetime]]:
        """Every record of one kind of the partnership's cases, with when each was recorded; one statement."""
        rows = await self.session.execute(
            select(table).join(cases, cases.c.case_id == table.c.case_id).where(cases.c.partnership == partnership)
            .order_by(table.c.recorded_at, table.c.id))
        return [(self.open_record(table, row, message_type), row.recorded_at) for row in rows]

    async def partnership_clocks(self, partnership: str, clock_id: str) -> dict[str, ClockState]:
        """One clock of every case of the partnership (subject "review" for POST.SIX_MONTHS), by case id."""
        rows = await self.session.execute(
            select(clocks).join(cases, cases.c.case_id == clocks.c.case_id)
            .where(and_(cases.c.partnership == partnership, clocks.c.clock_id == clock_id)))
        return {r.case_id: ClockState(r.clock_id, r.subject_ref, r.starts_from, r.due, r.completed_on,
                                      [] if r.effective_due == r.due else [Extension(r.effective_due, "", "")]) for r in rows}

    # -- rapid review reports ---------------------------------------------------------
    async def insert_report(self, report: D.RapidReviewReport, recorded_at: dt.datetime, model_json: str,
                            documents: dict[str, bytes]) -> None:
        """Stores a rendered report: its record, model and documents ("pdf", "docx"), each sealed to its row."""
        rid = report.report_id
        sealed = {f"{kind}_enc": self.cipher.seal(base64.b64encode(content).decode("ascii"), f"rapid_review_reports:{rid}:{kind}")
                  for kind, content in documents.items()}
        await self.insert_record(reports, rid, report.case_id, report, recorded_at, decision_id=report.decision_id,
                                 model_enc=self.cipher.seal(model_json, f"rapid_review_reports:{rid}:model"), **sealed)

    async def report_documents(self, case_id: str, report_id: str) -> dict[str, bytes]:
        row = (await self.session.execute(select(reports.c.id, reports.c.pdf_enc, reports.c.docx_enc)
                                          .where(and_(reports.c.id == report_id, reports.c.case_id == case_id)))).first()
        if row is None:
            return {}
        return {kind: base64.b64decode(self.cipher.open(getattr(row, f"{kind}_enc"), f"rapid_review_reports:{row.id}:{kind}"))
                for kind in ("pdf", "docx") if getattr(row, f"{kind}_enc")}

    async def latest_report_id(self, case_id: str) -> str | None:
        return (await self.session.execute(select(reports.c.id).where(reports.c.case_id == case_id)
                                           .order_by(reports.c.recorded_at.desc(), reports.c.id.desc()).limit(1))).scalar_one_or_none()

    # -- ordering ---------------------------------------------------------------
    async def progress(self, case_id: str, *, withdrawn: bool) -> Progress:
        """What the case has recorded, from the clear columns only (nothing decrypted)."""

        async def first(query):  # type: ignore[no-untyped-def]
            return (await self.session.execute(query.limit(1))).first()

        rec = await first(select(recommendations.c.id, recommendations.c.kind, recommendations.c.round)
                          .where(recommendations.c.case_id == case_id)
                          .order_by(recommendations.c.recorded_at.desc(), recommendations.c.id.desc()))
        dec = sub = resp = None
        if rec is not None:
            dec = await first(select(decisions.c.id, decisions.c.kind).where(decisions.c.recommendation_id == rec.id))
        if dec is not None:
            sub = await first(select(panel_submissions.c.id).where(panel_submissions.c.decision_id == dec.id))
        if sub is not None:
            resp = await first(select(panel_responses.c.id, panel_responses.c.kind).where(panel_responses.c.submission_id == sub.id))
        cspr = await first(select(decisions.c.id, decisions.c.kind)
                           .where(and_(decisions.c.case_id == case_id, decisions.c.kind == D.REVIEW_DECISION_CSPR))
                           .order_by(decisions.c.recorded_at.desc()))
        review = await first(select(reviews.c.id).where(reviews.c.case_id == case_id))
        published = await first(select(publications.c.id).where(publications.c.case_id == case_id))
        kinds = {r.kind for r in await self.session.execute(select(milestones.c.kind).where(milestones.c.case_id == case_id))}
        return Progress(
            withdrawn=withdrawn,
            round=rec.round if rec else 0,
            recommendation=Step(rec.id, rec.kind) if rec else None,
            decision=Step(dec.id, dec.kind) if dec else None,
            submission=Step(sub.id) if sub else None,
            response=Step(resp.id, resp.kind) if resp else None,
            review_id=review.id if review else "",
            published=published is not None,
            milestones=frozenset(kinds),
            last_cspr_decision=Step(cspr.id, cspr.kind) if cspr else None,
        )

    # -- clocks ---------------------------------------------------------------
    async def save_clock(self, case_id: str, state: ClockState) -> None:
        """Inserts or updates a clock; a changed due date re-arms its deadline events."""
        key = {"b_case_id": case_id, "b_clock_id": state.clock_id, "b_subject_ref": state.subject_ref}
        existing = (await self.session.execute(_CLOCK_DUE, key)).first()
        values = dict(starts_from=state.starts_from, due=state.due, effective_due=state.effective_due, completed_on=state.completed_on)
        if existing is None:
            await self.session.execute(_INSERT_CLOCK, dict(case_id=case_id, clock_id=state.clock_id, subject_ref=state.subject_ref,
                                                           due_soon_emitted=False, overdue_emitted=False, **values))
        else:
            if existing.effective_due != state.effective_due:
                values.update(due_soon_emitted=False, overdue_emitted=False)
            await self.session.execute(_UPDATE_CLOCK, {**values, **key})

    async def delete_clock(self, case_id: str, clock_id: str, subject_ref: str) -> None:
        await self.session.execute(clocks.delete().where(and_(
            clocks.c.case_id == case_id, clocks.c.clock_id == clock_id, clocks.c.subject_ref == subject_ref)))

    async def clocks_of(self, case_id: str) -> list[ClockState]:
        rows = await self.session.execute(_CLOCKS_OF, {"b_case_id": case_id})
        return [ClockState(r.clock_id, r.subject_ref, r.starts_from, r.due, r.completed_on,
                           [] if r.effective_due == r.due else [Extension(r.effective_due, "", "")]) for r in rows]

    async def open_clocks_for_watch(self, limit: int = 500):  # type: ignore[no-untyped-def]
        """Open clocks of live cases whose deadline events are not all emitted,
        locked for this watcher (replica-safe)."""
        query = (
            select(clocks, cases.c.partnership)
            .join(cases, cases.c.case_id == clocks.c.case_id)
            .where(and_(clocks.c.completed_on.is_(None), cases.c.withdrawn.is_(False),
                        or_(clocks.c.due_soon_emitted.is_(False), clocks.c.overdue_emitted.is_(False))))
            .order_by(clocks.c.effective_due)
            .limit(limit)
            .with_for_update(of=clocks, skip_locked=True)
        )
        return (await self.session.execute(query)).all()

    async def mark_emitted(self, case_id: str, clock_id: str, subject_ref: str, **flags: bool) -> None:
        await self.session.execute(clocks.update().where(and_(
            clocks.c.case_id == case_id, clocks.c.clock_id == clock_id, clocks.c.subject_ref == subject_ref)).values(**flags))

    # -- audit ----------------------------------------------------------------
    def _entry_params(self, entries: list[Entry]) -> dict[str, object]:
        """The bind parameters of `entries` (the i-th entry's as "a<i>_<column>"), each change sealed."""
        params: dict[str, object] = {}
        for i, entry in enumerate(entries):
            change = {"before": entry.change.before, "after": entry.change.after}
            values = dict(
                case_id=entry.case_id, sequence=entry.sequence, entry_id=entry.entry_id, recorded_at=entry.recorded_at,
                actor=entry.change.actor, actor_role=entry.change.actor_role, action=entry.change.action,
                entity=entry.change.entity, entity_id=entry.change.entity_id, causation_id=entry.change.causation_id,
                change_enc=self.cipher.seal(canonical_json(change), f"audit:{entry.case_id}:{entry.sequence}:change"),
                previous_hash=entry.previous_hash, hash=entry.hash)
            params.update({f"a{i}_{name}": value for name, value in values.items()})
        return params

    async def audit_entries(self, case_id: str, *, after_sequence: int = 0, limit: int | None = None) -> list[StoredEntry]:
        query = (select(audit_entries).where(and_(audit_entries.c.case_id == case_id, audit_entries.c.sequence > after_sequence))
                 .order_by(audit_entries.c.sequence))
        if limit is not None:
            query = query.limit(limit)
        return [self._stored_entry(r) for r in await self.session.execute(query)]

    def _stored_entry(self, row) -> StoredEntry:  # type: ignore[no-untyped-def]
        try:
            change_doc = json.loads(self.cipher.open(row.change_enc, f"audit:{row.case_id}:{row.sequence}:change"))
            change: Change | None = Change(row.actor, row.actor_role, row.action, row.entity, row.entity_id,
                                           change_doc["before"], change_doc["after"], row.causation_id)
        except (DecryptionError, ValueError, KeyError, TypeError):
            change = None
        return StoredEntry(row.case_id, row.sequence, row.entry_id, row.recorded_at, change, row.previous_hash, row.hash)

    # -- idempotency ----------------------------------------------------------
    async def find_key(self, partnership: str, rpc: str, key: str) -> tuple[str, str] | None:
        row = (await self.session.execute(_FIND_KEY, {"b_partnership": partnership, "b_rpc": rpc, "b_key": key})).first()
        return (row.request_hash, row.result_id) if row else None

    async def record_key(self, partnership: str, rpc: str, key: str, request_hash: str, result_id: str) -> None:
        await self.session.execute(_RECORD_KEY, dict(
            partnership=partnership, rpc=rpc, idempotency_key=key, request_hash=request_hash, result_id=result_id))


# -- key rotation ---------------------------------------------------------------
def _record_body(table: Table) -> SealedColumn:
    return SealedColumn(table, "body_enc", associated=lambda r: f"{table.name}:{r.id}:body")


#: Every column holding ciphertexts, with the associated data each was sealed with. Audit
#: entries are append-only (a trigger refuses updates); re-encryption keeps the plaintext
#: and so the hash chain, and lifts the trigger only inside its own batch transactions.
SEALED_COLUMNS = (
    SealedColumn(cases, "child_ref_enc", associated=lambda r: f"case:{r.case_id}:child_ref"),
    *(_record_body(t) for t in metadata.sorted_tables if "body_enc" in t.c),
    SealedColumn(publications, "text_enc", associated=lambda r: f"publications:{r.id}:text"),
    *(SealedColumn(reports, f"{kind}_enc", associated=lambda r, kind=kind: f"rapid_review_reports:{r.id}:{kind}")
      for kind in ("model", "pdf", "docx")),
    SealedColumn(audit_entries, "change_enc", associated=lambda r: f"audit:{r.case_id}:{r.sequence}:change",
                 lifted_trigger="audit_entries_append_only"),
)


async def rotate_keys(session: AsyncSession, cipher: FieldCipher) -> int:
    """Re-encrypts every sealed value under the cipher's current key, one
    transaction per batch; returns how many values changed (0: nothing left)."""
    return await rotate_columns(session, cipher, SEALED_COLUMNS)
