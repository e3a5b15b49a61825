"""Reconciliation across every service's store and the event streams.

Reads each service's schema directly with SQL in read-only transactions, the whole
RR_EVENTS and RR_DEAD_LETTERS streams and every durable consumer's state, and checks
each case the driver pushed has exactly the effects it should: nothing lost, nothing
doubled, every statutory clock where the working-day calendar puts it.

Problems are sorted into "lost" (an effect missing), "doubled" (an effect twice) and
"wrong" (present once but not as it should be); the suites require all three empty.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import nats
import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from rapidreview.decisions.consumers import agency_not_from_notification
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.events import DLQ_STREAM, EVENTS_STREAM, UndecodableEvent, decode_envelope, unpack
from rapidreview.stack.supervisor import EmbeddedStack
from rapidreview.v1 import criteria_pb2, events_pb2, gathering_pb2, intake_pb2
from tests.reliability.pipeline import PANEL_SENT, CasePlan

SCHEMAS = ("intake", "gathering", "criteria", "decisions")
T = criteria_pb2
NOTIFY_WORKING_DAYS, RR_WORKING_DAYS = 5, 15  # Working Together: notify the Panel, decide on the rapid review
RETURN_WORKING_DAYS = 10  # RR.AGENCIES, the partnership default
INFORM_WORKING_DAYS = 5  # POST.INFORM after a CSPR decision
AWARE = dt.date(2024, 6, 4)  # Child K's awareness date (docs/examples/notification.json)


# -- reading --------------------------------------------------------------------------------------
@dataclass
class StreamMessage:
    seq: int
    subject: str
    msg_id: str
    data: bytes
    envelope: events_pb2.EventEnvelope | None


async def read_stream(connect_options: dict[str, Any], stream: str, timeout: float = 120.0) -> list[StreamMessage]:
    """Every message in `stream`, oldest first, through an ephemeral consumer (bounded)."""
    nc = await nats.connect(**connect_options, connect_timeout=5, max_reconnect_attempts=10)
    try:
        js = nc.jetstream(timeout=10)
        info = await js.stream_info(stream)
        last, expected = info.state.last_seq, info.state.messages
        out: list[StreamMessage] = []
        if expected == 0:
            return out
        sub = await js.pull_subscribe(">", durable=None, stream=stream, config=ConsumerConfig(
            ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=60.0))
        deadline = time.monotonic() + timeout
        while len(out) < expected and time.monotonic() < deadline:
            try:
                msgs = await sub.fetch(1000, timeout=2.0)
            except (nats.errors.TimeoutError, TimeoutError):
                continue
            for msg in msgs:
                seq = msg.metadata.sequence.stream
                if seq > last:
                    continue
                try:
                    envelope: events_pb2.EventEnvelope | None = decode_envelope(msg.data)
                except UndecodableEvent:
                    envelope = None
                out.append(StreamMessage(seq, msg.subject, (msg.headers or {}).get("Nats-Msg-Id", ""), msg.data, envelope))
        await sub.unsubscribe()
        assert len(out) >= expected, f"read {len(out)} of {expected} messages of {stream}"
        return out
    finally:
        await nc.close()


async def consumer_states(connect_options: dict[str, Any]) -> dict[str, Any]:
    """ConsumerInfo of every durable on RR_EVENTS (the suites' own watchers excluded)."""
    nc = await nats.connect(**connect_options, connect_timeout=5, max_reconnect_attempts=10)
    try:
        js = nc.jetstream(timeout=10)
        return {c.name: c for c in await js.consumers_info(EVENTS_STREAM) if not c.name.startswith("rel-")}
    finally:
        await nc.close()


TABLES = {
    "intake": ("incidents", "clocks", "idempotency_keys", "outbox", "inbox"),
    "gathering": ("cases", "requests", "returns", "collations", "outbox", "inbox"),
    "criteria": ("cases", "evaluations", "collations", "outbox", "inbox"),
    "decisions": ("cases", "evaluations", "recommendations", "decisions", "clocks", "audit_entries", "idempotency_keys",
                  "outbox", "inbox"),
}
# Sealed columns are not needed and stay unread.
SKIP_COLUMNS = {"child_ref_enc", "harm_description_enc", "withdrawal_reason_enc", "notification_pb", "duties_json", "body_enc",
                "facts_enc", "checklist_enc", "payload_enc", "change_enc", "extensions_json", "agency_pb", "reason_enc",
                "text_enc"}


async def read_stores(dsn: str) -> dict[str, dict[str, list[asyncpg.Record]]]:
    """Every table the reconciliation needs, per schema, read in read-only transactions."""
    conn = await asyncpg.connect(dsn, server_settings={"default_transaction_read_only": "on"}, timeout=30)
    try:
        out: dict[str, dict[str, list[asyncpg.Record]]] = {}
        for schema, tables in TABLES.items():
            out[schema] = {}
            async with conn.transaction(readonly=True, isolation="repeatable_read"):
                for table in tables:
                    columns = [r["column_name"] for r in await conn.fetch(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
                        "ORDER BY ordinal_position", schema, table)]
                    wanted = ", ".join(f'"{c}"' for c in columns if c not in SKIP_COLUMNS)
                    out[schema][table] = await conn.fetch(f'SELECT {wanted} FROM "{schema}"."{table}"')
        return out
    finally:
        await conn.close()


async def unpublished_outbox_rows(dsn: str) -> int:
    conn = await asyncpg.connect(dsn, server_settings={"default_transaction_read_only": "on"}, timeout=30)
    try:
        total = 0
        for schema in SCHEMAS:
            total += await conn.fetchval(f'SELECT count(*) FROM "{schema}".outbox WHERE published_at IS NULL')
        return total
    finally:
        await conn.close()


async def wait_quiescent(stack: EmbeddedStack, timeout: float = 300.0, calm_for: float = 3.0) -> float:
    """Waits until every outbox is published, every durable consumer has nothing pending or
    unacknowledged and the stream has not grown for `calm_for` seconds (clock watchers run
    every second). Returns the seconds waited. Bounded by `timeout`."""
    dsn = stack.postgres.url("rapidreview", driver="postgresql")
    options = stack.nats_connect_options()
    started = time.monotonic()
    calm_since: float | None = None
    last_seq = -1
    state = ""
    while True:
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            raise AssertionError(f"the pipeline did not settle within {timeout:.0f}s: {state}")
        try:
            unpublished = await unpublished_outbox_rows(dsn)
            consumers = await consumer_states(options)
            busy = {n: (c.num_pending, c.num_ack_pending) for n, c in consumers.items() if c.num_pending or c.num_ack_pending}
            nc = await nats.connect(**options, connect_timeout=5, max_reconnect_attempts=3)
            try:
                seq = (await nc.jetstream(timeout=10).stream_info(EVENTS_STREAM)).state.last_seq
            finally:
                await nc.close()
            state = f"unpublished outbox rows {unpublished}, busy consumers {busy}, stream at {seq}"
        except Exception as exc:  # noqa: BLE001 - a component may still be coming back
            state = f"not reachable yet ({type(exc).__name__})"
            unpublished, busy, seq = 1, {"?": 1}, -1
        if unpublished == 0 and not busy and seq == last_seq:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= calm_for:
                return time.monotonic() - started
        else:
            calm_since = None
        last_seq = seq
        await asyncio.sleep(0.5)  # polling interval of a bounded wait


# -- checking -------------------------------------------------------------------------------------
@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    snapshot: Any = None

    def summary(self) -> dict[str, Any]:
        return {"lost": len(self.lost), "doubled": len(self.doubled), "wrong": len(self.wrong), **self.figures}

    def assert_clean(self) -> None:
        problems = [f"LOST {p}" for p in self.lost] + [f"DOUBLED {p}" for p in self.doubled] + [f"WRONG {p}" for p in self.wrong]
        assert not problems, f"{len(problems)} problems, first 40:\n" + "\n".join(problems[:40])


def subject_matches(pattern: str, subject: str) -> bool:
    want, got = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(got) > i
        if i >= len(got) or (token != "*" and token != got[i]):
            return False
    return len(want) == len(got)


def _count(f: Findings, what: str, actual: int, expected: int) -> None:
    if actual < expected:
        f.lost.append(f"{what}: {actual} instead of {expected}")
    elif actual > expected:
        f.doubled.append(f"{what}: {actual} instead of {expected}")


def _same(f: Findings, what: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        f.wrong.append(f"{what}: {actual!r} instead of {expected!r}")


#: Events a durable acknowledges without recording them in its inbox, because its route does not
#: want them (`Route.wanted`): durable -> event type -> (payload type, wanted).
NOT_RECORDED: dict[str, dict[str, tuple[type, Any]]] = {
    "decisions-events": {"agency.request_opened": (gathering_pb2.AgencyRequestOpened, agency_not_from_notification)},
}


def _recorded(durable: str, envelope: events_pb2.EventEnvelope) -> bool:
    """Whether `durable` records `envelope` in its inbox when it handles it."""
    route = NOT_RECORDED.get(durable, {}).get(envelope.event_type)
    return route is None or route[1](unpack(envelope, route[0]))


def check_streams(f: Findings, stores: dict[str, dict[str, list[Any]]], events: list[StreamMessage],
                  dead_letters: list[StreamMessage], consumers: dict[str, Any], *, foreign_events: int = 0):  # type: ignore[no-untyped-def]
    """What holds whatever the cases were: every event once in the stream, every outbox row
    published once, nothing dead-lettered, every durable consumer caught up with each of its
    events in its inbox. Returns (outbox event ids, the services' events by case, inboxes)."""

    def rows(schema: str, table: str) -> list[Any]:
        return stores[schema][table]

    # ---- the streams: every event once, every outbox row published once, nothing dead-lettered
    outbox_ids: set[str] = set()
    for schema in SCHEMAS:
        for row in rows(schema, "outbox"):
            if row["event_id"] in outbox_ids:
                f.doubled.append(f"{schema} outbox event {row['event_id']} twice")
            outbox_ids.add(row["event_id"])
    stream_ids: Counter[str] = Counter()
    msg_ids: Counter[str] = Counter()
    stream_by_case: dict[str, list[events_pb2.EventEnvelope]] = defaultdict(list)  # the services' events only
    for m in events:
        msg_ids[m.msg_id] += 1
        if m.envelope is not None:
            stream_ids[m.envelope.event_id] += 1
            if m.envelope.event_id in outbox_ids:
                stream_by_case[m.envelope.case_id].append(m.envelope)
    for event_id, n in stream_ids.items():
        if n > 1:
            f.doubled.append(f"event {event_id} is {n} times in {EVENTS_STREAM}")
    for msg_id, n in msg_ids.items():
        if n > 1 and msg_id:
            f.doubled.append(f"Nats-Msg-Id {msg_id} is {n} times in {EVENTS_STREAM}")
    for schema in SCHEMAS:
        for row in rows(schema, "outbox"):
            if row["published_at"] is None:
                f.lost.append(f"{schema} outbox event {row['event_id']} ({row['event_type']}) never published")
            elif row["event_id"] not in stream_ids:
                f.lost.append(f"{schema} outbox event {row['event_id']} ({row['event_type']}) marked published but not in the stream")
    strays = [i for i in stream_ids if i not in outbox_ids]
    if len(strays) != foreign_events:
        f.wrong.append(f"{len(strays)} events in the stream come from no outbox (expected {foreign_events})")
    for letter in dead_letters:
        reason = events_pb2.DeadLetter.FromString(letter.data).reason if letter.data else ""
        f.lost.append(f"dead letter on {letter.subject}: {reason}")

    # ---- durable consumers: all delivered and acknowledged; each event in its inbox exactly once
    inbox = {schema: defaultdict(set) for schema in SCHEMAS}
    for schema in SCHEMAS:
        for row in rows(schema, "inbox"):
            inbox[schema][row["consumer"]].add(row["event_id"])
    for name, info in consumers.items():
        schema = name.split("-", 1)[0]
        if schema not in SCHEMAS:
            continue
        if info.num_pending or info.num_ack_pending:
            f.lost.append(f"consumer {name}: {info.num_pending} pending, {info.num_ack_pending} unacknowledged")
        filters = info.config.filter_subjects or ([info.config.filter_subject] if info.config.filter_subject else [])
        wanted = {m.envelope.event_id for m in events
                  if m.envelope is not None and m.envelope.event_id in outbox_ids and any(subject_matches(p, m.subject) for p in filters)
                  and _recorded(name, m.envelope)}
        done = inbox[schema][name]
        for event_id in sorted(wanted - done)[:20]:
            f.lost.append(f"consumer {name} never processed event {event_id}")
        if len(wanted - done) > 20:
            f.lost.append(f"consumer {name}: {len(wanted - done) - 20} more events never processed")
    f.figures["consumers_checked"] = sorted(n for n in consumers if n.split("-", 1)[0] in SCHEMAS)

    return outbox_ids, stream_by_case, inbox


def reconcile(plans: list[CasePlan], stores: dict[str, dict[str, list[asyncpg.Record]]], events: list[StreamMessage],
              dead_letters: list[StreamMessage], consumers: dict[str, Any], *, decided_on: str,
              foreign_events: int = 0) -> Findings:
    """Checks the stores and streams against what the driver did. `foreign_events`: messages in
    RR_EVENTS that no service produced (the bad-event suite's), excluded from the outbox check."""
    f = Findings()
    cal = WorkingDayCalendar()
    sent = dt.date.fromisoformat(PANEL_SENT)
    decided = dt.date.fromisoformat(decided_on)
    notify_due = cal.add_working_days(AWARE, NOTIFY_WORKING_DAYS)
    rr_due = cal.add_working_days(sent, RR_WORKING_DAYS)
    return_due = cal.add_working_days(sent, RETURN_WORKING_DAYS)
    inform_due = cal.add_working_days(decided, INFORM_WORKING_DAYS)
    by_case = {p.case_id: p for p in plans}
    missing_ids = [p.key for p in plans if not p.case_id]
    if missing_ids:
        f.lost.append(f"{len(missing_ids)} planned cases never got a case id: {missing_ids[:5]}")

    def rows(schema: str, table: str) -> list[asyncpg.Record]:
        return stores[schema][table]

    def grouped(schema: str, table: str, key: str = "case_id") -> dict[str, list[asyncpg.Record]]:
        out: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows(schema, table):
            out[row[key]].append(row)
        return out

    outbox_ids, stream_by_case, inbox = check_streams(f, stores, events, dead_letters, consumers, foreign_events=foreign_events)

    # ---- intake
    incidents = {r["case_id"]: r for r in rows("intake", "incidents")}
    keys = Counter(r["idempotency_key"] for r in rows("intake", "idempotency_keys"))
    key_case = {r["idempotency_key"]: r["case_id"] for r in rows("intake", "idempotency_keys")}
    _count(f, "incidents in intake", len(incidents), len(plans))
    intake_clocks = grouped("intake", "clocks")
    intake_outbox = _outbox_by_case(rows("intake", "outbox"), stream_by_case)
    for p in plans:
        if not p.case_id:
            continue
        case = f"case {p.index} ({p.case_id})"
        _count(f, f"{case}: idempotency key in intake", keys.get(p.key, 0), 1)
        _same(f, f"{case}: idempotency key's case", key_case.get(p.key), p.case_id)
        row = incidents.get(p.case_id)
        if row is None:
            f.lost.append(f"{case}: no incident")
            continue
        status = (intake_pb2.INCIDENT_STATUS_WITHDRAWN if p.withdrawn else
                  intake_pb2.INCIDENT_STATUS_DECIDED if p.decide else intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED)
        _same(f, f"{case}: intake status", row["status"], status)
        _same(f, f"{case}: Panel notification sent", row["panel_sent_date"], sent)
        _same(f, f"{case}: decided on (intake)", row["decided_on"], decided if p.decide else None)
        clocks = {c["clock_id"]: c for c in intake_clocks.get(p.case_id, [])}
        # NOTIFY.DEADLINE, NOTIFY.PARTNERS (both duties of the example) and RR.DEADLINE.
        _count(f, f"{case}: intake clocks", len(intake_clocks.get(p.case_id, [])), 3)
        notify = clocks.get("NOTIFY.DEADLINE")
        if notify is not None:
            _same(f, f"{case}: NOTIFY.DEADLINE", (notify["starts_from"], notify["due"], notify["completed_on"]), (AWARE, notify_due, sent))
        rr = clocks.get("RR.DEADLINE")
        if rr is not None:
            _same(f, f"{case}: RR.DEADLINE", (rr["starts_from"], rr["due"], rr["effective_due"]), (sent, rr_due, rr_due))
            submitted = dt.date.fromisoformat(p.submitted_on) if p.submitted_on else None
            _same(f, f"{case}: RR.DEADLINE closed by decision.panel_submitted", rr["completed_on"], submitted if p.decide else None)
        types = intake_outbox.get(p.case_id, Counter())
        _count(f, f"{case}: incident.notified", types["incident.notified"], 1)
        _count(f, f"{case}: incident.panel_notified", types["incident.panel_notified"], 1)
        _count(f, f"{case}: incident.withdrawn", types["incident.withdrawn"], 1 if p.withdrawn else 0)
        _deadline_events_once(f, case, "intake", stream_by_case.get(p.case_id, []))
        if p.decide:
            _count(f, f"{case}: decision.recorded processed by intake",
                   sum(1 for e in stream_by_case.get(p.case_id, []) if e.event_type == "decision.recorded"
                       and e.event_id in inbox["intake"]["intake-decisions"]), 1)

    # ---- gathering
    g_cases = {r["case_id"]: r for r in rows("gathering", "cases")}
    g_requests = grouped("gathering", "requests")
    g_returns = grouped("gathering", "returns")
    g_collations = grouped("gathering", "collations")
    g_outbox = _outbox_by_case(rows("gathering", "outbox"), stream_by_case)
    _count(f, "cases in gathering", len(g_cases), len(plans))
    for p in plans:
        if not p.case_id:
            continue
        case = f"case {p.index} ({p.case_id})"
        row = g_cases.get(p.case_id)
        if row is None:
            f.lost.append(f"{case}: no gathering")
            continue
        _same(f, f"{case}: gathering status", row["status"],
              gathering_pb2.GATHERING_STATUS_WITHDRAWN if p.withdrawn else
              gathering_pb2.GATHERING_STATUS_CLOSED if p.gathering_closed else gathering_pb2.GATHERING_STATUS_OPEN)
        requests = g_requests.get(p.case_id, [])
        _count(f, f"{case}: information requests", len(requests), len(p.agencies))
        _same(f, f"{case}: agencies asked", sorted(r["agency_id"] for r in requests), sorted(p.agencies))
        for r in requests:
            _same(f, f"{case}: {r['agency_id']} due date", (r["starts_from"], r["due"], r["due_basis"]),
                  (sent, return_due, gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION))
            _same(f, f"{case}: {r['agency_id']} latest version", r["latest_version"], p.returns.get(r["agency_id"], 0))
        versions = Counter((r["agency_id"], r["version"]) for r in g_returns.get(p.case_id, []))
        for agency_id in p.agencies:
            _count(f, f"{case}: returns of {agency_id}", sum(1 for (a, _v) in versions if a == agency_id), p.returns.get(agency_id, 0))
        collations = sorted(r["version"] for r in g_collations.get(p.case_id, []))
        _same(f, f"{case}: collation versions", collations, list(range(1, p.final_collation + 1)))
        _same(f, f"{case}: gathering's collation version", row["collation_version"], p.final_collation)
        types = g_outbox.get(p.case_id, Counter())
        _count(f, f"{case}: agency.request_opened", types["agency.request_opened"], len(p.agencies))
        _count(f, f"{case}: agency.return_submitted", types["agency.return_submitted"], sum(p.returns.values()))
        _count(f, f"{case}: information.collated", types["information.collated"], p.final_collation)
        _deadline_events_once(f, case, "gathering", stream_by_case.get(p.case_id, []))

    # ---- criteria
    c_cases = {r["case_id"]: r for r in rows("criteria", "cases")}
    c_evaluations = grouped("criteria", "evaluations")
    _count(f, "cases in criteria", len(c_cases), len(plans))
    evaluated_events = {}  # evaluation id -> criteria.evaluated events about it
    for envelopes in stream_by_case.values():
        for e in envelopes:
            if e.event_type == "criteria.evaluated":
                evaluation_id = unpack(e, T.CriteriaEvaluated).checklist.evaluation_id
                evaluated_events[evaluation_id] = evaluated_events.get(evaluation_id, 0) + 1
    total_evaluations = 0
    superseded = 0
    for p in plans:
        if not p.case_id:
            continue
        case = f"case {p.index} ({p.case_id})"
        row = c_cases.get(p.case_id)
        if row is None:
            f.lost.append(f"{case}: unknown to criteria")
            continue
        _same(f, f"{case}: criteria status", row["status"], "withdrawn" if p.withdrawn else "decided" if p.decide else "open")
        _same(f, f"{case}: criteria's collation version", row["collation_version"], p.final_collation)
        evaluations = c_evaluations.get(p.case_id, [])
        total_evaluations += len(evaluations)
        _same(f, f"{case}: evaluation sequence", sorted(e["sequence"] for e in evaluations), list(range(1, len(evaluations) + 1)))
        causes = Counter(e["causation_id"] for e in evaluations)
        for cause, n in causes.items():
            if n > 1:
                f.doubled.append(f"{case}: {n} evaluations caused by event {cause}")
        by_trigger = Counter(e["trigger"] for e in evaluations)
        _count(f, f"{case}: evaluations on incident.notified", by_trigger[T.EVALUATION_TRIGGER_INCIDENT_NOTIFIED], 1)
        _count(f, f"{case}: evaluations on incident.panel_notified", by_trigger[T.EVALUATION_TRIGGER_PANEL_NOTIFIED], 1)
        _count(f, f"{case}: evaluations on incident.withdrawn", by_trigger[T.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN], 1 if p.withdrawn else 0)
        _count(f, f"{case}: evaluations on decision.panel_submitted", by_trigger[T.EVALUATION_TRIGGER_PANEL_SUBMITTED],
               1 if p.decide else 0)
        # A decision changes no fact (RR.DEADLINE closes on the Panel submission): no evaluation.
        _count(f, f"{case}: evaluations on decision.recorded", by_trigger[T.EVALUATION_TRIGGER_DECISION_RECORDED], 0)
        collated = [e for e in evaluations if e["trigger"] == T.EVALUATION_TRIGGER_INFORMATION_COLLATED]
        versions = Counter(e["collation_version"] for e in collated)
        for version, n in versions.items():
            if n > 1:
                f.doubled.append(f"{case}: collation {version} evaluated {n} times")
        if p.final_collation:
            _count(f, f"{case}: evaluations of the final collation", versions[p.final_collation], 1)
        # An older collation arriving after a newer one (a redelivery) is rightly skipped.
        superseded += p.final_collation - len(versions)
        collated_events = {e.event_id for e in stream_by_case.get(p.case_id, []) if e.event_type == "information.collated"}
        for e in collated:
            if e["causation_id"] not in collated_events:
                f.wrong.append(f"{case}: collation evaluation {e['evaluation_id']} caused by an unknown event")
        for e in evaluations:
            _count(f, f"{case}: criteria.evaluated for evaluation {e['evaluation_id']}", evaluated_events.get(e["evaluation_id"], 0), 1)
    f.figures["evaluations"] = total_evaluations
    f.figures["older_collations_superseded"] = superseded

    # ---- decisions
    d_cases = {r["case_id"]: r for r in rows("decisions", "cases")}
    d_evaluations = grouped("decisions", "evaluations")
    d_recommendations = grouped("decisions", "recommendations")
    d_decisions = grouped("decisions", "decisions")
    d_clocks = grouped("decisions", "clocks")
    d_audit = grouped("decisions", "audit_entries")
    d_outbox = _outbox_by_case(rows("decisions", "outbox"), stream_by_case)
    _count(f, "cases in decisions", len(d_cases), len(plans))
    for p in plans:
        if not p.case_id:
            continue
        case = f"case {p.index} ({p.case_id})"
        row = d_cases.get(p.case_id)
        if row is None:
            f.lost.append(f"{case}: unknown to decisions")
            continue
        _same(f, f"{case}: withdrawn (decisions)", row["withdrawn"], p.withdrawn)
        _same(f, f"{case}: RR.DEADLINE known to decisions", (row["rr_starts_from"], row["rr_due"]), (sent, rr_due))
        known = {r["evaluation_id"] for r in d_evaluations.get(p.case_id, [])}
        made = {e["evaluation_id"] for e in c_evaluations.get(p.case_id, [])}
        for missing in sorted(made - known):
            f.lost.append(f"{case}: decisions never received evaluation {missing}")
        for extra in sorted(known - made):
            f.wrong.append(f"{case}: decisions knows evaluation {extra} that criteria never made")
        _count(f, f"{case}: recommendations", len(d_recommendations.get(p.case_id, [])), 1 if p.decide else 0)
        _count(f, f"{case}: decisions", len(d_decisions.get(p.case_id, [])), 1 if p.decide else 0)
        types = d_outbox.get(p.case_id, Counter())
        _count(f, f"{case}: decision.recommendation_recorded", types["decision.recommendation_recorded"], 1 if p.decide else 0)
        _count(f, f"{case}: decision.recorded", types["decision.recorded"], 1 if p.decide else 0)
        _count(f, f"{case}: decision.panel_submitted", types["decision.panel_submitted"], 1 if p.decide else 0)
        clocks = {(c["clock_id"], c["subject_ref"]): c for c in d_clocks.get(p.case_id, [])}
        inform = clocks.get(("POST.INFORM", "case"))
        if p.decide:
            if inform is None:
                f.lost.append(f"{case}: no POST.INFORM clock after the CSPR decision")
            else:
                _same(f, f"{case}: POST.INFORM", (inform["starts_from"], inform["due"]), (decided, inform_due))
        elif inform is not None:
            f.wrong.append(f"{case}: POST.INFORM without a decision")
        audit = sorted(a["sequence"] for a in d_audit.get(p.case_id, []))
        _same(f, f"{case}: audit trail sequence", audit, list(range(1, int(row["audit_sequence"]) + 1)))
        received = sum(1 for a in d_audit.get(p.case_id, []) if a["action"] == "evaluation.received")
        _count(f, f"{case}: audit entries evaluation.received", received, len(known))
        _deadline_events_once(f, case, "decisions", stream_by_case.get(p.case_id, []))

    f.figures.update(cases=len(plans), events=len(events), dead_letters=len(dead_letters),
                     events_by_type=dict(sorted(Counter(m.envelope.event_type for m in events if m.envelope).items())))
    unknown_cases = [c for c in incidents if c not in by_case]
    if unknown_cases:
        f.wrong.append(f"{len(unknown_cases)} incidents the driver never made")
    return f


def _outbox_by_case(outbox_rows: list[asyncpg.Record], stream_by_case: dict[str, list[events_pb2.EventEnvelope]]) -> dict[str, Counter[str]]:
    """Event types per case of one service's outbox (the case id is in the envelope, read from the stream)."""
    case_of = {e.event_id: case_id for case_id, envelopes in stream_by_case.items() for e in envelopes}
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for row in outbox_rows:
        case_id = case_of.get(row["event_id"])
        if case_id is not None:
            out[case_id][row["event_type"]] += 1
    return out


def _deadline_events_once(f: Findings, case: str, producer: str, envelopes: list[events_pb2.EventEnvelope]) -> None:
    """Each clock warns at most once per due date and kind (due soon, overdue)."""
    seen: Counter[tuple[str, str, str, str]] = Counter()
    for e in envelopes:
        if e.producer != producer or not e.event_type.startswith("deadline."):
            continue
        payload = unpack(e, events_pb2.DeadlineOverdue if e.event_type == "deadline.overdue" else events_pb2.DeadlineDueSoon)
        seen[(e.event_type, payload.clock_id, payload.subject_ref, payload.due)] += 1
    for key, n in seen.items():
        if n > 1:
            f.doubled.append(f"{case}: {producer} {key[0]} for {key[1]}/{key[2]} due {key[3]} {n} times")


@dataclass
class Snapshot:
    """Everything the reconciliation reads, read once after the pipeline settled."""

    stores: dict[str, dict[str, list[Any]]]
    events: list[StreamMessage]
    dead_letters: list[StreamMessage]
    consumers: dict[str, Any]


async def read_snapshot(stack: EmbeddedStack) -> Snapshot:
    options = stack.nats_connect_options()
    stores = await read_stores(stack.postgres.url("rapidreview", driver="postgresql"))
    events = await read_stream(options, EVENTS_STREAM)
    dead = await read_stream(options, DLQ_STREAM)
    return Snapshot(stores, events, dead, await consumer_states(options))


async def reconcile_stack(stack: EmbeddedStack, plans: list[CasePlan], *, decided_on: str, foreign_events: int = 0,
                          expect_dead_letters: bool = False) -> tuple[Findings, list[StreamMessage]]:
    """Reads everything and reconciles; returns the findings and the dead letters."""
    snap = await read_snapshot(stack)
    findings = reconcile(plans, snap.stores, snap.events, [] if expect_dead_letters else snap.dead_letters, snap.consumers,
                         decided_on=decided_on, foreign_events=foreign_events)
    findings.snapshot = snap
    return findings, snap.dead_letters


# -- the reconciliation checks itself ---------------------------------------------------------------
def self_check(plans: list[CasePlan], snap: Snapshot, *, decided_on: str) -> dict[str, str]:
    """Damages copies of a clean snapshot in the ways a broken pipeline would and returns, per
    damage, the category the reconciliation put it in ("" when it noticed nothing)."""
    import copy

    decided = next(p for p in plans if p.decide and p.case_id)

    def damaged(change) -> Snapshot:  # type: ignore[no-untyped-def]
        stores = {schema: {table: [dict(r) for r in rs] for table, rs in tables.items()} for schema, tables in snap.stores.items()}
        copy_snap = Snapshot(stores, list(snap.events), list(snap.dead_letters), dict(snap.consumers))
        change(copy_snap)
        return copy_snap

    def drop_request(s: Snapshot) -> None:
        reqs = s.stores["gathering"]["requests"]
        reqs.remove(next(r for r in reqs if r["case_id"] == decided.case_id))

    def double_evaluation(s: Snapshot) -> None:
        evs = s.stores["criteria"]["evaluations"]
        mine = [e for e in evs if e["case_id"] == decided.case_id]
        twin = dict(mine[0], evaluation_id=str(uuid.uuid4()), sequence=max(e["sequence"] for e in mine) + 1)
        evs.append(twin)

    def double_event(s: Snapshot) -> None:
        s.events.append(copy.copy(next(m for m in s.events if m.envelope is not None and m.envelope.event_type == "decision.recorded")))

    def lose_inbox_row(s: Snapshot) -> None:
        inbox = s.stores["decisions"]["inbox"]
        inbox.remove(next(r for r in inbox if r["consumer"] == "decisions-events"))

    def move_clock(s: Snapshot) -> None:
        clocks = s.stores["intake"]["clocks"]
        i = next(i for i, c in enumerate(clocks) if c["case_id"] == decided.case_id and c["clock_id"] == "RR.DEADLINE")
        clocks[i] = dict(clocks[i], due=clocks[i]["due"] + dt.timedelta(days=1))

    def unpublish(s: Snapshot) -> None:
        outbox = s.stores["intake"]["outbox"]
        outbox[0] = dict(outbox[0], published_at=None)

    def dead_letter(s: Snapshot) -> None:
        letter = events_pb2.DeadLetter(consumer="decisions-events", reason="unknown case")
        s.dead_letters.append(StreamMessage(1, "rr.dlq.decisions.decisions-events", "x", letter.SerializeToString(), None))

    def lose_decision(s: Snapshot) -> None:
        ds = s.stores["decisions"]["decisions"]
        ds.remove(next(d for d in ds if d["case_id"] == decided.case_id))

    damages = {"a request lost": drop_request, "an evaluation doubled": double_evaluation, "an event published twice": double_event,
               "an event never consumed": lose_inbox_row, "RR.DEADLINE a day late": move_clock, "an outbox row unpublished": unpublish,
               "a dead letter": dead_letter, "a decision lost": lose_decision}
    out = {}
    for name, change in damages.items():
        s = damaged(change)
        found = reconcile(plans, s.stores, s.events, s.dead_letters, s.consumers, decided_on=decided_on)
        out[name] = ",".join(k for k in ("lost", "doubled", "wrong") if getattr(found, k))
    return out
