"""The unit of work of every change to a case, and the case's API view.

`CaseFile` is one case opened for change inside one transaction: its row is
locked (so two writers of the same case queue up and can never fork its audit
chain), every change goes through `audit()` which chains an entry to the head,
events go to the outbox, and `flush()` writes the entries, the new head and the
row's other changes in one statement before the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from google.protobuf import message, timestamp_pb2

from rapidreview.decisions import storage as T
from rapidreview.decisions.domain import audit as chain
from rapidreview.decisions.domain import clocks as C
from rapidreview.decisions.domain import lifecycle
from rapidreview.decisions.storage import DecisionRepository, to_json
from rapidreview.kernel.auth import Grant
from rapidreview.kernel.errors import AlreadyExists, InvalidArgument, NotFound
from rapidreview.kernel.events import new_event
from rapidreview.kernel.runtime import Infrastructure
from rapidreview.v1 import common_pb2
from rapidreview.v1 import decisions_pb2 as D

PRODUCER = "decisions"


def timestamp(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def request_hash(request: message.Message) -> str:
    return hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a caller, or another service through an event."""

    subject: str
    role: str
    causation_id: str = ""
    correlation_id: str = ""

    @classmethod
    def of(cls, grant: Grant, correlation_id: str = "") -> Actor:
        return cls(grant.principal.subject, grant.principal.role.value, "", correlation_id)

    @classmethod
    def event(cls, producer: str, event_id: str, correlation_id: str = "") -> Actor:
        return cls(f"event:{producer or 'unknown'}", "service", event_id, correlation_id)


@dataclass
class CaseFile:
    """One case opened for change in the current transaction."""

    infra: Infrastructure
    repo: DecisionRepository
    row: Any
    actor: Actor
    #: The section 4 deadlines of the case's edition (from its rule files).
    deadlines: C.Deadlines | None = None
    sequence: int = 0
    head: str = chain.GENESIS_HASH
    events: int = 0
    _entries: list[chain.Entry] = field(default_factory=list, repr=False)
    _staged: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def case_id(self) -> str:
        return str(self.row.case_id)

    @property
    def partnership(self) -> str:
        return str(self.row.partnership)

    @property
    def calendar(self):  # type: ignore[no-untyped-def]
        return self.infra.calendar

    async def progress(self) -> lifecycle.Progress:
        return await self.repo.progress(self.case_id, withdrawn=bool(self.row.withdrawn))

    async def audit(self, action: str, entity: str, entity_id: str, before: Mapping[str, Any] | message.Message | None,
                    after: Mapping[str, Any] | message.Message | None) -> None:
        """Chains one entry (who, when, what, before -> after) to the case's head."""
        change = chain.Change(
            actor=self.actor.subject, actor_role=self.actor.role, action=action, entity=entity, entity_id=entity_id,
            before=to_json(before) if isinstance(before, message.Message) else before,
            after=to_json(after) if isinstance(after, message.Message) else after,
            causation_id=self.actor.causation_id,
        )
        entry = chain.chain(self.case_id, self.sequence, self.head, new_id(), now(), change)
        self._entries.append(entry)  # written by the next `flush`, with the head
        self.sequence, self.head = entry.sequence, entry.hash

    async def emit(self, event_type: str, payload: message.Message) -> None:
        envelope = new_event(event_type, payload, producer=PRODUCER, case_id=self.case_id, partnership=self.partnership,
                             correlation_id=self.actor.correlation_id, causation_id=self.actor.causation_id)
        await self.infra.outbox.add(self.repo.session, envelope)
        self.events += 1

    async def replayed(self, rpc: str, request: message.Message) -> str | None:
        """The result id stored for this request's idempotency key, or None when
        the key is new (or absent); ALREADY_EXISTS when used with another body."""
        key = getattr(request, "idempotency_key", "")
        if not key:
            return None
        found = await self.repo.find_key(self.partnership, rpc, key)
        if found is None:
            return None
        stored_hash, result_id = found
        if stored_hash != request_hash(request):
            raise AlreadyExists("this idempotency key was already used with a different request")
        return result_id

    async def remember(self, rpc: str, request: message.Message, result_id: str) -> None:
        key = getattr(request, "idempotency_key", "")
        if key:
            await self.repo.record_key(self.partnership, rpc, key, request_hash(request), result_id)

    def stage(self, **values: Any) -> None:
        """Columns of the case row to write with the next `flush` (in the same statement
        as the audit entries and head), for changes nothing in this transaction reads back."""
        self._staged.update(values)

    def _columns(self) -> dict[str, Any]:
        columns = dict(self._staged)
        if self._entries:
            columns.update(audit_sequence=self.sequence, audit_head=self.head)
        return columns

    def _written(self, row) -> None:  # type: ignore[no-untyped-def]
        self.row = row
        self._entries.clear()
        self._staged.clear()
        hold(self.repo, row)

    async def flush(self) -> None:
        """Writes the entries chained since the last flush, the head and the staged columns of
        the case row in one statement (nothing when there are none)."""
        if self._entries or self._staged:
            self._written(await self.repo.write_case(self.case_id, list(self._entries), self._columns()))

    async def flush_with_evaluation(self, **evaluation: Any) -> bool:
        """`flush` when the evaluation (its columns) is new, stored in the same statement;
        False, with nothing written and the entries chained since the last flush dropped,
        when it was known already."""
        row = await self.repo.write_case(self.case_id, list(self._entries), self._columns(), evaluation)
        if row is None:
            self.sequence, self.head = int(self.row.audit_sequence), str(self.row.audit_head)
            self._entries.clear()
            self._staged.clear()
            return False
        self._written(row)
        return True

    async def flush_new(self, **case: Any) -> bool:
        """Inserts this case, new (`case`: the arguments of `DecisionRepository.open_case`), with
        its entries, head and staged columns in one statement; False, with nothing written,
        when the case exists."""
        row = await self.repo.open_case(list(self._entries), **case, **self._staged)
        if row is None:
            return False
        self._written(row)
        return True


#: The case rows each open transaction holds (inserted, or locked FOR UPDATE) as it last wrote
#: them: the events of a consumer's group share a transaction, and an event about a case an
#: earlier one of the group holds needs not read and lock it again. Keyed weakly by the
#: transaction, so a committed or rolled-back one takes its rows with it.
_HELD: WeakKeyDictionary = WeakKeyDictionary()  # type: ignore[type-arg]


def _transaction(repo: DecisionRepository):  # type: ignore[no-untyped-def]
    connection = getattr(repo.session, "sync_connection", None)
    return connection.get_transaction() if connection is not None else None


def hold(repo: DecisionRepository, row) -> None:  # type: ignore[no-untyped-def]
    transaction = _transaction(repo)
    if transaction is not None:
        _HELD.setdefault(transaction, {})[str(row.case_id)] = row


def held_row(repo: DecisionRepository, case_id: str):  # type: ignore[no-untyped-def]
    """The case row as this transaction holds it (locked, and as written), or None."""
    transaction = _transaction(repo)
    held = _HELD.get(transaction) if transaction is not None else None
    return held.get(case_id) if held else None


def clock_json(clock: C.ClockState) -> dict[str, str]:
    """A clock as it appears in the audit trail."""
    return {"clock_id": clock.clock_id, "subject_ref": clock.subject_ref, "starts_from": clock.starts_from.isoformat(),
            "due": clock.due.isoformat(), "effective_due": clock.effective_due.isoformat(),
            "completed_on": clock.completed_on.isoformat() if clock.completed_on else ""}


def check_case_id(case_id: str) -> None:
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise InvalidArgument([("case_id", "must be a case id (UUID)")]) from None


DeadlinesOf = Callable[[Any], C.Deadlines]


async def attach_case(infra: Infrastructure, repo: DecisionRepository, case_id: str, actor: Actor,
                      deadlines_of: DeadlinesOf | None = None) -> CaseFile | None:
    """A locked case in the caller's transaction (event handlers), or None when unknown.
    The caller must `flush()` it before committing."""
    row = held_row(repo, case_id)
    if row is None:
        row = await repo.case_row(case_id, for_update=True)
        if row is None:
            return None
        hold(repo, row)
    return case_file(infra, repo, row, actor, deadlines_of)


def case_file(infra: Infrastructure, repo: DecisionRepository, row, actor: Actor,  # type: ignore[no-untyped-def]
              deadlines_of: DeadlinesOf | None = None) -> CaseFile:
    """The case of a row this transaction holds locked (read FOR UPDATE, or inserted by it)."""
    return CaseFile(infra, repo, row, actor, deadlines_of(row) if deadlines_of else None, int(row.audit_sequence),
                    str(row.audit_head))


@asynccontextmanager
async def open_case(infra: Infrastructure, case_id: str, grant: Grant | None, actor: Actor,
                    deadlines_of: DeadlinesOf | None = None) -> AsyncIterator[CaseFile]:
    """A locked case in a new transaction. NOT_FOUND when this service does not
    know the case (yet); PERMISSION_DENIED for another partnership's case."""
    check_case_id(case_id)
    async with infra.db.transaction() as session:
        repo = DecisionRepository(session, infra.cipher)
        row = await repo.case_row(case_id, for_update=True)
        if row is None:
            raise NotFound("no such case (decisions learns of a case from intake's incident.notified)")
        if grant is not None:
            grant.require_partnership(row.partnership)
        case = case_file(infra, repo, row, actor, deadlines_of)
        yield case
        await case.flush()
    if case.events:
        infra.outbox.wake()


# -- the API view -------------------------------------------------------------------

async def case_state(case: CaseFile) -> D.CaseState:
    """The decision state of the case as of now (in the caller's transaction)."""
    assert case.deadlines is not None, "open the case with its deadlines"
    return await render_case(case.repo, case.row, case.calendar, case.deadlines)


async def render_case(repo: DecisionRepository, row, calendar, deadlines: C.Deadlines) -> D.CaseState:  # type: ignore[no-untyped-def]
    case_id = row.case_id
    progress = await repo.progress(case_id, withdrawn=bool(row.withdrawn))
    review_list = await repo.records(T.reviews, case_id, D.Review)
    publication_list = await repo.records(T.publications, case_id, D.Publication)
    today = calendar.today()
    actions = await repo.records(T.actions, case_id, D.Action)
    for action in actions:
        action.overdue = (action.status not in (D.ACTION_STATUS_COMPLETED, D.ACTION_STATUS_CANCELLED)
                          and dt.date.fromisoformat(action.due_date) < today)
    state = D.CaseState(
        case_id=case_id,
        partnership=row.partnership,
        stage=lifecycle.stage(progress),
        next_step=lifecycle.next_step(progress),
        round=progress.round,
        agency_ids=[a["agency_id"] for a in repo.agencies_of(row)],
        evaluations=[D.EvaluationRef(evaluation_id=e.evaluation_id, edition_version=e.edition_version,
                                     evaluated_at=timestamp(e.evaluated_at) if e.evaluated_at else None)
                     for e in await repo.evaluations_of(case_id)],
        recommendations=await repo.records(T.recommendations, case_id, D.Recommendation),
        decisions=await repo.records(T.decisions, case_id, D.Decision),
        panel_submissions=await repo.records(T.panel_submissions, case_id, D.PanelSubmission),
        panel_responses=await repo.records(T.panel_responses, case_id, D.PanelResponse),
        actions=actions,
        disseminations=await repo.records(T.disseminations, case_id, D.Dissemination),
        identifying_details=len(await repo.records(T.identifying_details, case_id, D.IdentifyingDetail)) + 1,
        withdrawn=bool(row.withdrawn),
        audit_sequence=int(row.audit_sequence),
    )
    decided_ids = {d.recommendation_id for d in state.decisions}
    latest = state.recommendations[-1].recommendation_id if state.recommendations else ""
    for rec in state.recommendations:
        rec.superseded = rec.recommendation_id != latest and rec.recommendation_id not in decided_ids
    review_extensions: list[D.ReviewExtension] = []
    if review_list:
        review = review_list[0]
        review.milestones.extend(await repo.records(T.milestones, case_id, D.Milestone))
        review_extensions = await repo.records(T.extensions, case_id, D.ReviewExtension)
        review.extensions.extend(review_extensions)
        review.progress_checks.extend(await repo.records(T.progress_checks, case_id, D.ProgressCheck))
        sent = [m.occurred_on for m in review.milestones if m.kind == D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS]
        if sent:
            review.earliest_publication_date = C.earliest_publication(dt.date.fromisoformat(sent[-1]), calendar,
                                                                      deadlines.presend_working_days).isoformat()
        state.review.CopyFrom(review)
    if publication_list:
        state.publication.CopyFrom(publication_list[0])
    state.clocks.extend(_clocks(await repo.clocks_of(case_id), review_extensions, row, state, calendar))
    return state


def _clocks(stored: list[C.ClockState], review_extensions: list[D.ReviewExtension], row, state: D.CaseState,  # type: ignore[no-untyped-def]
            calendar) -> list[common_pb2.Clock]:
    rendered = []
    if row.rr_due is not None:
        sent = [s.sent_date for s in state.panel_submissions]
        rr = C.ClockState(C.RR_DEADLINE, "case", row.rr_starts_from or row.rr_due, row.rr_due,
                          dt.date.fromisoformat(sent[0]) if sent else None)
        rendered.append(C.render_clock(rr, calendar))
    for clock in stored:
        if clock.clock_id == C.ACTION_PLAN:
            continue  # shown on each action
        if clock.clock_id == C.PROGRESS_CHECKS and not clock.is_open():
            continue  # only the next check is a clock; the checks done are in the review
        if clock.clock_id == C.SIX_MONTHS:
            clock.extensions = [C.Extension(dt.date.fromisoformat(e.extended_to), e.explanation, e.recorded_by)
                                for e in review_extensions]
        rendered.append(C.render_clock(clock, calendar))
    return rendered
