"""The criteria service's tables (schema `criteria`) and the repository that maps them.

Everything about a child or family is sealed at rest with the field cipher:
a case's current facts, each evaluation's inputs and checklist (rationales
quote the child reference and agencies), each collation, and re-evaluation
reasons. What stays in clear is what queries need and what identifies nobody:
ids, partnership, edition and version, trigger, dates, fired rule IDs and the
vocabulary themes of earlier reviews.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from google.protobuf import message as pb_message
from sqlalchemy import (
    Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint, and_, bindparam, func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.db import Transaction, advisory_xact_lock, service_metadata
from rapidreview.kernel.outbox import Deferred, first_row_as_cte
from rapidreview.kernel.rotation import SealedColumn, rotate_columns
from rapidreview.delivery.storage import delivery_tables
from rapidreview.kernel.tables import add_kernel_tables
from rapidreview.v1 import criteria_pb2, facts_pb2, gathering_pb2

SCHEMA = "criteria"
metadata = service_metadata(SCHEMA)

OPEN, WITHDRAWN, DECIDED = "open", "withdrawn", "decided"

cases = Table(
    "cases",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("partnership", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),
    # The edition version the case is pinned to (first used; changed only by ReevaluateCase).
    Column("pinned_edition", String(16), nullable=False),
    Column("pinned_version", String(32), nullable=False),
    Column("facts_enc", Text, nullable=False),  # CaseFacts without earlier reviews
    Column("collation_version", Integer, nullable=False, default=0),
    Column("partial", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The version of the notification the facts are of (incident.notified: 1, each amendment its
    # own): an older amendment delivered after a newer one changes nothing. 0: not known (a case
    # stored before this was kept), and any amendment applies.
    Column("notification_version", Integer, nullable=False, server_default="0"),
    # When decisions recorded the Panel response the facts hold (its event's occurred_at): an
    # earlier response delivered after a later one changes nothing. NULL: none, or not known.
    Column("panel_response_at", DateTime(timezone=True), nullable=True),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("evaluation_id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.cases.case_id"), nullable=False),
    Column("sequence", Integer, nullable=False),  # 1, 2, ... per case
    Column("partnership", String(64), nullable=False),
    Column("trigger", Integer, nullable=False),
    Column("edition", String(16), nullable=False),
    Column("edition_version", String(32), nullable=False),
    # The durable-rules ruleset name: edition, version and a digest of the compiled conditions.
    Column("ruleset", String(100), nullable=False),
    Column("evaluated_at", DateTime(timezone=True), nullable=False),
    Column("evaluated_on", Date, nullable=False),  # the calendar's today for the clocks
    Column("fired_rules", Text, nullable=False),  # space-separated rule ids
    Column("collation_version", Integer, nullable=False, default=0),
    Column("causation_id", String(36), nullable=True),  # the event that caused it, if any
    Column("facts_enc", Text, nullable=False),  # CaseFacts exactly as evaluated
    Column("checklist_enc", Text, nullable=False),  # Checklist as stored (with reason)
    UniqueConstraint("case_id", "sequence", name="uq_evaluations_case_id_sequence"),
)

collations = Table(
    "collations",
    metadata,
    Column("case_id", String(36), ForeignKey(f"{SCHEMA}.cases.case_id"), primary_key=True),
    Column("collation_version", Integer, primary_key=True),
    Column("payload_enc", Text, nullable=False),  # InformationCollated as received
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

earlier_reviews = Table(
    "earlier_reviews",
    metadata,
    Column("partnership", String(64), primary_key=True),
    Column("review_id", String(64), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("themes_json", Text, nullable=False),  # vocabulary tags, not narrative
    Column("source", String(16), nullable=False),  # "import" or "decisions"
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("title", Text, nullable=True),  # the review's title, when recorded (public)
)

# Every version of the national themes list this database has used: what each version held
# (public data, in clear), so a changed list under a known version is refused and the history
# of the lists evaluations were compared with is kept.
national_theme_lists = Table(
    "national_theme_lists",
    metadata,
    Column("version", String(16), primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content_json", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

summaries = Table(
    "summaries",
    metadata,
    Column("summary_id", String(36), primary_key=True),
    Column("evaluation_id", String(36), ForeignKey(f"{SCHEMA}.evaluations.evaluation_id"), nullable=False, index=True),
    Column("case_id", String(36), nullable=False),
    Column("format", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rendered_by", String(200), nullable=False),
    Column("rendered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

delivery = delivery_tables(metadata)  # advisory-group e-mail delivery records (rapidreview.delivery)
_kernel = add_kernel_tables(metadata)

# -- statements of every event, built once -------------------------------------------------
# Executed with a parameter dict: bindparam names for the WHERE clauses, column names for
# what an INSERT or UPDATE writes.
_GET_CASE = select(cases).where(cases.c.case_id == bindparam("b_case_id"))
_GET_CASE_FOR_UPDATE = _GET_CASE.with_for_update()
# The case's next sequence number (1, 2, ...) is counted in the INSERT itself. Every value is a
# named bindparam ("e_" and the column): parameters named as columns would also be taken as
# values of the tables the CTEs added to it write.
_EVALUATION_COLUMNS = ("evaluation_id", "case_id", "partnership", "trigger", "edition", "edition_version", "ruleset",
                       "evaluated_at", "evaluated_on", "fired_rules", "collation_version", "causation_id", "facts_enc",
                       "checklist_enc")
_ADD_EVALUATION = evaluations.insert().values(
    sequence=select(func.count() + 1).select_from(evaluations)
    .where(evaluations.c.case_id == bindparam("e_case_id")).scalar_subquery(),
    **{name: bindparam(f"e_{name}", type_=evaluations.c[name].type) for name in _EVALUATION_COLUMNS},
)
# decision.recorded: the case decided when open, and whether it is known (the CTE's UPDATE does
# not change what the statement's own SELECT sees).
_DECIDED = (cases.update().where(and_(cases.c.case_id == bindparam("d_case_id"), cases.c.status == OPEN))
            .values(status=DECIDED, updated_at=func.now()).cte("decided"))
_MARK_DECIDED = (select(select(cases.c.case_id).where(cases.c.case_id == bindparam("d_case_id")).exists())
                 .add_cte(_DECIDED))
_NOTE_NOTIFICATION_VERSION = (cases.update().where(cases.c.case_id == bindparam("v_case_id"))
                              .values(notification_version=bindparam("v_version"), updated_at=func.now()))
# A partnership's earlier reviews as a new case reads them (shared) and as an import or a review's
# themes change them and re-evaluate the open cases (exclusive). Without it, a case notified while
# reviews were imported read them before the import committed, and the import read the open cases
# before the case committed: the case was evaluated without the new reviews and not re-evaluated.
_HOLD_REVIEWS_SHARED = advisory_xact_lock(shared=True)
_HOLD_REVIEWS = advisory_xact_lock()
_NOTE_PANEL_RESPONSE_AT = (cases.update().where(cases.c.case_id == bindparam("p_case_id"))
                           .values(panel_response_at=bindparam("p_at"), updated_at=func.now()))
_EARLIER_REVIEWS = (select(earlier_reviews).where(earlier_reviews.c.partnership == bindparam("b_partnership"))
                    .order_by(earlier_reviews.c.year, earlier_reviews.c.review_id))
# A new case and its partnership's earlier reviews in one statement: no row when the case was
# known already (nothing inserted), else one row per review (one row of NULLs when none).
_NEW_CASE = (insert(cases).values(
    case_id=bindparam("n_case_id"), partnership=bindparam("n_partnership"), status=bindparam("n_status"),
    pinned_edition=bindparam("n_pinned_edition"), pinned_version=bindparam("n_pinned_version"),
    facts_enc=bindparam("n_facts_enc"), collation_version=bindparam("n_collation_version"), partial=bindparam("n_partial"),
    notification_version=bindparam("n_notification_version"),
).on_conflict_do_nothing(index_elements=["case_id"]).returning(cases.c.partnership).cte("new_case"))
_INSERT_CASE_READING_REVIEWS = (
    select(_NEW_CASE.c.partnership, earlier_reviews.c.review_id, earlier_reviews.c.year, earlier_reviews.c.themes_json,
           earlier_reviews.c.title)
    .select_from(_NEW_CASE.outerjoin(earlier_reviews, earlier_reviews.c.partnership == _NEW_CASE.c.partnership))
    .order_by(earlier_reviews.c.year, earlier_reviews.c.review_id)
)
# What an evaluation may write together with its own row, as parts of the same statement:
# the case as it now stands and the collation it evaluates.
_CASE_WRITTEN = (cases.update().where(cases.c.case_id == bindparam("w_case_id")).values(
    status=bindparam("w_status"), pinned_edition=bindparam("w_pinned_edition"), pinned_version=bindparam("w_pinned_version"),
    facts_enc=bindparam("w_facts_enc"), collation_version=bindparam("w_collation_version"), partial=bindparam("w_partial"),
    notification_version=bindparam("w_notification_version"), panel_response_at=bindparam("w_panel_response_at"),
    updated_at=func.now(),
).cte("case_written"))
_COLLATION_ADDED = collations.insert().values(
    case_id=bindparam("k_case_id"), collation_version=bindparam("k_collation_version"), payload_enc=bindparam("k_payload_enc"),
).cte("collation_added")


_WITH_CTES: dict[tuple[int, ...], tuple[tuple[object, ...], object]] = {}


def _with_ctes(ctes: tuple):  # type: ignore[no-untyped-def, type-arg]
    """The evaluation's INSERT with `ctes`, built once per combination: a statement built anew
    would have its cache key derived again on every execution (about 40 µs)."""
    key = tuple(id(c) for c in ctes)
    cached = _WITH_CTES.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], ctes, strict=True)):
        cached = _WITH_CTES[key] = (ctes, _ADD_EVALUATION.add_cte(*ctes))
    return cached[1]


@dataclass
class StoredCase:
    """A case as the criteria service knows it."""

    case_id: str
    partnership: str
    status: str
    pinned_edition: str
    pinned_version: str
    facts: facts_pb2.CaseFacts
    collation_version: int
    partial: bool
    #: The notification version the facts are of (0: not known).
    notification_version: int = 0
    #: When the Panel response the facts hold was recorded (None: none, or not known).
    panel_response_at: dt.datetime | None = None


@dataclass
class StoredEvaluation:
    """One stored evaluation: its inputs and its checklist."""

    evaluation_id: str
    case_id: str
    partnership: str
    edition: str
    edition_version: str
    ruleset: str
    evaluated_on: dt.date
    collation_version: int
    facts: facts_pb2.CaseFacts
    checklist: criteria_pb2.Checklist


class CriteriaRepository:
    """Reads and writes the criteria tables in the caller's transaction."""

    def __init__(self, session: Transaction, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    # -- sealing ------------------------------------------------------------
    def _seal(self, msg: pb_message.Message, associated: str) -> str:
        return self.cipher.seal(base64.b64encode(msg.SerializeToString(deterministic=True)).decode("ascii"), associated)

    def _open(self, token: str, message_type: type, associated: str):  # type: ignore[no-untyped-def]
        out = message_type()
        out.ParseFromString(base64.b64decode(self.cipher.open(token, associated)))
        return out

    # -- cases --------------------------------------------------------------
    async def insert_case_reading_reviews(self, case: StoredCase) -> list[facts_pb2.EarlierReview] | None:
        """Inserts the case unless it is known already, and reads its partnership's earlier
        reviews (as `earlier_reviews`), in one statement: None when the case was known (nothing
        inserted, nothing read)."""
        rows = (await self.session.execute(
            _INSERT_CASE_READING_REVIEWS,
            dict(
                n_case_id=case.case_id, n_partnership=case.partnership, n_status=case.status,
                n_pinned_edition=case.pinned_edition, n_pinned_version=case.pinned_version,
                n_facts_enc=self._seal(case.facts, f"case:{case.case_id}:facts"),
                n_collation_version=case.collation_version, n_partial=case.partial,
                n_notification_version=case.notification_version,
            ),
        )).all()
        if not rows:
            return None
        return [facts_pb2.EarlierReview(review_id=r.review_id, year=r.year, themes=json.loads(r.themes_json), title=r.title or "")
                for r in rows if r.review_id is not None]

    async def hold_earlier_reviews(self, partnership: str, *, to_change: bool) -> None:
        """Until the transaction ends: the partnership's earlier reviews are read by new cases
        (`to_change` False, shared) or changed, with the open cases re-evaluated (`to_change`
        True, exclusive: it waits for the new cases being stored and they wait for it)."""
        await self.session.execute(_HOLD_REVIEWS if to_change else _HOLD_REVIEWS_SHARED,
                                   {"l_key": f"criteria.earlier_reviews:{partnership}"})

    async def note_panel_response_at(self, case_id: str, at: dt.datetime) -> None:
        """The Panel response the case's facts hold was recorded at `at` (a later response of the same kind)."""
        await self.session.execute(_NOTE_PANEL_RESPONSE_AT, {"p_case_id": case_id, "p_at": at})

    async def mark_decided(self, case_id: str) -> bool:
        """An open case becomes decided (one not open stays as it is), in one statement that
        also says whether the case is known at all."""
        return bool((await self.session.execute(_MARK_DECIDED, {"d_case_id": case_id})).scalar_one())

    async def note_notification_version(self, case_id: str, version: int) -> None:
        """The case's facts are of notification `version` (an amendment that changed none of them)."""
        await self.session.execute(_NOTE_NOTIFICATION_VERSION, {"v_case_id": case_id, "v_version": version})

    async def get_case(self, case_id: str, *, for_update: bool = False) -> StoredCase | None:
        row = (await self.session.execute(_GET_CASE_FOR_UPDATE if for_update else _GET_CASE, {"b_case_id": case_id})).first()
        return self._case(row) if row else None

    async def open_cases(self, partnership: str | None) -> list[StoredCase]:
        """Open cases (not withdrawn, not decided) of a partnership, or of every
        partnership when None; locked, oldest first."""
        query = select(cases).where(cases.c.status == OPEN)
        if partnership is not None:
            query = query.where(cases.c.partnership == partnership)
        rows = await self.session.execute(query.order_by(cases.c.created_at, cases.c.case_id).with_for_update())
        return [self._case(r) for r in rows]

    async def latest_facts(self, case_ids: list[str]):  # type: ignore[no-untyped-def]
        """(case id, partnership, pinned edition, pinned version, latest evaluation id, facts of that evaluation)
        of each known case, one statement for all of them."""
        latest = (select(evaluations.c.case_id, func.max(evaluations.c.sequence).label("sequence"))
                  .where(evaluations.c.case_id.in_(case_ids)).group_by(evaluations.c.case_id).subquery())
        rows = await self.session.execute(
            select(cases.c.case_id, cases.c.partnership, cases.c.pinned_edition, cases.c.pinned_version,
                   evaluations.c.evaluation_id, evaluations.c.facts_enc)
            .select_from(cases.outerjoin(latest, latest.c.case_id == cases.c.case_id)
                         .outerjoin(evaluations, and_(evaluations.c.case_id == latest.c.case_id,
                                                      evaluations.c.sequence == latest.c.sequence)))
            .where(cases.c.case_id.in_(case_ids)))
        out = []
        for r in rows:
            facts = (self._open(r.facts_enc, facts_pb2.CaseFacts, f"evaluation:{r.evaluation_id}:facts")
                     if r.evaluation_id else None)
            out.append((r.case_id, r.partnership, r.pinned_edition, r.pinned_version, r.evaluation_id or "", facts))
        return out

    def _case(self, row) -> StoredCase:  # type: ignore[no-untyped-def]
        return StoredCase(
            case_id=row.case_id, partnership=row.partnership, status=row.status,
            pinned_edition=row.pinned_edition, pinned_version=row.pinned_version,
            facts=self._open(row.facts_enc, facts_pb2.CaseFacts, f"case:{row.case_id}:facts"),
            collation_version=row.collation_version, partial=row.partial,
            notification_version=row.notification_version, panel_response_at=row.panel_response_at,
        )

    # -- evaluations --------------------------------------------------------
    async def add_evaluation(self, evaluation: StoredEvaluation, *, trigger: int, evaluated_at: dt.datetime,
                             causation_id: str | None, case: StoredCase | None = None,
                             collation: gathering_pb2.InformationCollated | None = None, deferred: Deferred | None = None) -> None:
        """Stores the evaluation; in the same statement (data-modifying CTEs, one round trip) also
        `case` as it now stands (an UPDATE), `collation` (an INSERT, sealed as received) and what
        `deferred` kept first when it is a single-row INSERT (the outbox row); anything else it
        kept runs after it, in order, as it would have."""
        eid = evaluation.evaluation_id
        statement = _ADD_EVALUATION  # sequence: the case's evaluations so far + 1
        extra: dict[str, object] = {}
        ctes = []
        if case is not None:
            ctes.append(_CASE_WRITTEN)
            extra.update(
                w_case_id=case.case_id, w_status=case.status, w_pinned_edition=case.pinned_edition,
                w_pinned_version=case.pinned_version, w_facts_enc=self._seal(case.facts, f"case:{case.case_id}:facts"),
                w_collation_version=case.collation_version, w_partial=case.partial,
                w_notification_version=case.notification_version, w_panel_response_at=case.panel_response_at,
            )
        if collation is not None:
            version = collation.collation_version
            ctes.append(_COLLATION_ADDED)
            extra.update(k_case_id=evaluation.case_id, k_collation_version=version,
                         k_payload_enc=self._seal(collation, f"collation:{evaluation.case_id}:{version}"))
        outbox_row, outbox_parameters, later = first_row_as_cte(deferred)
        if outbox_row is not None:
            ctes.append(outbox_row)
            extra.update(outbox_parameters)
        if ctes:
            statement = _with_ctes(tuple(ctes))
        await self.session.execute(
            statement,
            dict(
                extra,
                e_evaluation_id=eid, e_case_id=evaluation.case_id, e_partnership=evaluation.partnership,
                e_trigger=trigger,
                e_edition=evaluation.edition, e_edition_version=evaluation.edition_version, e_ruleset=evaluation.ruleset,
                e_evaluated_at=evaluated_at, e_evaluated_on=evaluation.evaluated_on,
                e_fired_rules=" ".join(evaluation.checklist.fired_rules),
                e_collation_version=evaluation.collation_version, e_causation_id=causation_id or None,
                e_facts_enc=self._seal(evaluation.facts, f"evaluation:{eid}:facts"),
                e_checklist_enc=self._seal(evaluation.checklist, f"evaluation:{eid}:checklist"),
            ),
        )
        for written, parameters in later:
            await self.session.execute(written, parameters)

    async def get_evaluation(self, case_id: str, evaluation_id: str = "") -> StoredEvaluation | None:
        """The evaluation `evaluation_id` of the case, or its latest when empty."""
        query = select(evaluations).where(evaluations.c.case_id == case_id)
        if evaluation_id:
            query = query.where(evaluations.c.evaluation_id == evaluation_id)
        query = query.order_by(evaluations.c.sequence.desc()).limit(1)
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        return StoredEvaluation(
            evaluation_id=row.evaluation_id, case_id=row.case_id, partnership=row.partnership, edition=row.edition,
            edition_version=row.edition_version, ruleset=row.ruleset, evaluated_on=row.evaluated_on,
            collation_version=row.collation_version,
            facts=self._open(row.facts_enc, facts_pb2.CaseFacts, f"evaluation:{row.evaluation_id}:facts"),
            checklist=self._open(row.checklist_enc, criteria_pb2.Checklist, f"evaluation:{row.evaluation_id}:checklist"),
        )

    async def list_evaluations(self, case_id: str):  # type: ignore[no-untyped-def]
        """Rows (without sealed columns) of a case's evaluations, newest first."""
        rows = await self.session.execute(
            select(evaluations.c.evaluation_id, evaluations.c.trigger, evaluations.c.edition, evaluations.c.edition_version,
                   evaluations.c.evaluated_at, evaluations.c.evaluated_on, evaluations.c.fired_rules,
                   evaluations.c.collation_version)
            .where(evaluations.c.case_id == case_id)
            .order_by(evaluations.c.sequence.desc())
        )
        return rows.all()

    # -- collations ---------------------------------------------------------
    async def get_collation(self, case_id: str, version: int) -> gathering_pb2.InformationCollated | None:
        if version <= 0:
            return None
        row = (await self.session.execute(
            select(collations.c.payload_enc).where(and_(collations.c.case_id == case_id, collations.c.collation_version == version))
        )).first()
        if row is None:
            return None
        return self._open(row.payload_enc, gathering_pb2.InformationCollated, f"collation:{case_id}:{version}")

    # -- earlier reviews ----------------------------------------------------
    async def upsert_earlier_review(self, partnership: str, review: facts_pb2.EarlierReview, source: str) -> None:
        values = dict(year=review.year, themes_json=json.dumps(list(review.themes)), source=source, title=review.title or None)
        await self.session.execute(
            insert(earlier_reviews).values(partnership=partnership, review_id=review.review_id, **values)
            .on_conflict_do_update(index_elements=["partnership", "review_id"], set_=dict(values, updated_at=func.now()))
        )

    async def earlier_reviews(self, partnership: str) -> list[facts_pb2.EarlierReview]:
        """The partnership's earlier reviews, oldest year first then by id."""
        rows = await self.session.execute(_EARLIER_REVIEWS, {"b_partnership": partnership})
        return [facts_pb2.EarlierReview(review_id=r.review_id, year=r.year, themes=json.loads(r.themes_json), title=r.title or "")
                for r in rows]

    # -- the national themes list -------------------------------------------------
    async def record_national_list(self, version: str, as_of: dt.date, sha256: str, content_json: str) -> tuple[bool, str]:
        """Records a version of the national themes list. Returns (whether this
        database had an earlier version and this one is new, the digest stored
        under this version — another one means the list changed without a new version)."""
        inserted = (await self.session.execute(
            insert(national_theme_lists).values(version=version, as_of=as_of, sha256=sha256, content_json=content_json)
            .on_conflict_do_nothing().returning(national_theme_lists.c.version))).first()
        if inserted is None:
            stored = (await self.session.execute(
                select(national_theme_lists.c.sha256).where(national_theme_lists.c.version == version))).scalar_one()
            return False, stored
        others = (await self.session.execute(
            select(func.count()).select_from(national_theme_lists).where(national_theme_lists.c.version != version))).scalar_one()
        return others > 0, sha256

    async def national_list_content(self, version: str) -> str | None:
        return (await self.session.execute(
            select(national_theme_lists.c.content_json).where(national_theme_lists.c.version == version))).scalar_one_or_none()

    # -- summaries ----------------------------------------------------------
    async def record_summary(self, *, summary_id: str, evaluation_id: str, case_id: str, fmt: int, sha256: str,
                             rendered_by: str) -> None:
        await self.session.execute(
            summaries.insert().values(summary_id=summary_id, evaluation_id=evaluation_id, case_id=case_id, format=fmt,
                                      sha256=sha256, rendered_by=rendered_by)
        )


# -- key rotation ---------------------------------------------------------------
#: Every column holding ciphertexts, with the associated data each was sealed with.
SEALED_COLUMNS = (
    SealedColumn(cases, "facts_enc", associated=lambda r: f"case:{r.case_id}:facts"),
    SealedColumn(evaluations, "facts_enc", associated=lambda r: f"evaluation:{r.evaluation_id}:facts"),
    SealedColumn(evaluations, "checklist_enc", associated=lambda r: f"evaluation:{r.evaluation_id}:checklist"),
    SealedColumn(collations, "payload_enc", associated=lambda r: f"collation:{r.case_id}:{r.collation_version}"),
)


async def rotate_keys(session: AsyncSession, cipher: FieldCipher) -> int:
    """Re-encrypts every sealed value under the cipher's current key, one
    transaction per batch; returns how many values changed (0: nothing left)."""
    return await rotate_columns(session, cipher, SEALED_COLUMNS)
