"""Hypothesis-generated requests for every RPC of every service (valid ones, valid
ones with fields changed to boundary, malformed or hostile values, random
messages, and random or damaged bytes on the wire): the answer is always a
deliberate status (never UNKNOWN or INTERNAL), and a refused request leaves
every table of the service as it was.

Profiles (env RR_FUZZ_PROFILE): "ci" (default) runs RR_FUZZ_EXAMPLES examples per
RPC (default 200); "long" runs 10,000 per RPC, on demand:

    RR_FUZZ_PROFILE=long .venv/bin/python -m pytest tests/security/test_fuzz_requests.py -p no:cacheprovider -s
"""

from __future__ import annotations

import os
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
import nats
import pytest
from google.protobuf import message, text_format
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.events import EVENTS_STREAM
from tests.security.conftest import SERVICES, Stack, security_env, service_logs
from tests.security.fuzz import Wire, requests
from tests.security.pipeline import CaseRun
from tests.security.requests import CaseIds, Rpc, all_rpcs, valid_request
from tests.support.harness import eventually

PROFILE = os.environ.get("RR_FUZZ_PROFILE", "ci")
# The long profile runs for hours: no per-test time limit then.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(0 if PROFILE == "long" else 600)]

EXAMPLES = 10_000 if PROFILE == "long" else int(os.environ.get("RR_FUZZ_EXAMPLES", "200"))
RPCS = all_rpcs()
DELIBERATE = {
    grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.ALREADY_EXISTS, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.RESOURCE_EXHAUSTED,
}
#: Tables that change without the request: the access log records every call, refusals included.
NOT_COUNTED = ("access_log", "alembic_version")


@dataclass(repr=False)
class Fuzz:
    """The stack under fuzzing, the seeded cases, the requests' templates and the running tally."""

    stack: Stack
    engine: AsyncEngine
    nc: nats.NATS
    cases: list[CaseIds]
    known: list[str]
    count_sql: dict[str, str] = field(default_factory=dict)
    baseline: dict[str, tuple[int, ...]] = field(default_factory=dict)
    strategies: dict[str, st.SearchStrategy[object]] = field(default_factory=dict)
    current: str = ""
    tally: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def __repr__(self) -> str:
        return f"Fuzz(cases={[c.case_id for c in self.cases]})"

    def strategy(self, rpc: Rpc) -> st.SearchStrategy[object]:
        if rpc.id not in self.strategies:
            templates = [valid_request(rpc, case) for case in self.cases]
            self.strategies[rpc.id] = st.one_of(*(requests(t, self.known) for t in templates))
        return self.strategies[rpc.id]

    async def counts(self, service: str) -> tuple[int, ...]:
        if service not in self.count_sql:
            async with self.engine.connect() as conn:
                tables = (await conn.execute(text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = :s AND table_type = 'BASE TABLE' "
                    "AND NOT (table_name = ANY(:skip)) ORDER BY table_name"), {"s": service, "skip": list(NOT_COUNTED)})).scalars().all()
            self.count_sql[service] = "SELECT " + ", ".join(f'(SELECT count(*) FROM {service}."{t}") AS "{t}"' for t in tables)
        async with self.engine.connect() as conn:
            return tuple((await conn.execute(text(self.count_sql[service]))).one())

    async def quiet(self) -> None:
        """Waits until every event written has been published and consumed: what a
        success set off elsewhere is done before the next refusal is judged."""
        js = self.nc.jetstream()

        async def settled() -> bool:
            async with self.engine.connect() as conn:
                for service in SERVICES:
                    if (await conn.execute(text(f"SELECT count(*) FROM {service}.outbox WHERE published_at IS NULL AND parked_at IS NULL"))).scalar_one():
                        return False
            for info in await js.consumers_info(EVENTS_STREAM):
                if info.num_pending or info.num_ack_pending:
                    return False
            return True

        await eventually(settled, timeout=60, interval=0.05, what="outboxes published and consumers idle")

    async def start(self, rpc: Rpc) -> None:
        if self.current != rpc.id:
            self.current = rpc.id
            await self.quiet()
            self.baseline[rpc.service] = await self.counts(rpc.service)


@pytest.fixture(scope="module")
async def fuzz(own_database, own_nats, creds) -> AsyncIterator[Fuzz]:  # type: ignore[no-untyped-def]
    # Clock watchers run once at start only: a deadline event written mid-run is not a request's doing.
    stack = Stack(creds, own_nats.url, own_database, security_env(own_database, own_nats.url, creds, RR_CLOCK_WATCH_INTERVAL="3600"))
    engine = create_async_engine(own_database)
    nc = await nats.connect(own_nats.url)
    # Production's JSON log, warnings and errors only: thousands of calls, and an INTERNAL's
    # frames (never its message) stay visible in the test output.
    logs = service_logs(sys.stdout, "WARNING")
    logs.__enter__()
    try:
        await stack.start()
        published, evaluated = CaseRun(stack), CaseRun(stack)
        await published.run_all()
        await evaluated.through_evaluation()
        cases = [
            CaseIds(case_id=published.case_id, evaluation_id=published.evaluation_id, recommendation_id=published.ids["recommendation"],
                    decision_id=published.ids["decision"], submission_id=published.ids["submission"], action_id=published.ids["action"]),
            CaseIds(case_id=evaluated.case_id, evaluation_id=evaluated.evaluation_id),
        ]
        known = sorted({v for c in cases for v in vars(c).values() if v} | set(published.agencies))
        yield Fuzz(stack, engine, nc, cases, known)
    finally:
        await nc.close()
        await engine.dispose()
        await stack.stop()
        logs.__exit__(None, None, None)


def describe(request: object) -> str:
    if isinstance(request, Wire):
        return f"raw bytes {request.data.hex()}"
    assert isinstance(request, message.Message)
    return f"{type(request).__name__} {{{text_format.MessageToString(request, as_one_line=True)}}}"


@pytest.mark.parametrize("rpc", RPCS, ids=[r.id for r in RPCS])
@settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
async def test_every_answer_is_deliberate_and_a_refusal_stores_nothing(fuzz: Fuzz, rpc: Rpc, data: st.DataObject):
    await fuzz.start(rpc)
    request = data.draw(fuzz.strategy(rpc), label="request")
    role = data.draw(st.sampled_from(sorted(ACCESS_TABLE[rpc.method], key=lambda r: r.value)), label="role")
    note(f"{rpc.method} as {role.value}: {describe(request)}")
    call = fuzz.stack.channels[rpc.service].unary_unary(rpc.method)
    try:
        await call(request.SerializeToString(), metadata=fuzz.stack.md(role), timeout=60)  # type: ignore[attr-defined]
        code, details = grpc.StatusCode.OK, ""
    except grpc.aio.AioRpcError as exc:
        code, details = exc.code(), exc.details() or ""
    fuzz.tally[rpc.id][code.name] += 1
    assert code in DELIBERATE, f"{rpc.name} answered {code.name} ({details}) to {describe(request)} as {role.value}"
    if code == grpc.StatusCode.OK:
        await fuzz.quiet()
        fuzz.baseline[rpc.service] = await fuzz.counts(rpc.service)
    else:
        after = await fuzz.counts(rpc.service)
        assert after == fuzz.baseline[rpc.service], (
            f"{rpc.name} refused with {code.name} but the {rpc.service} tables changed: {describe(request)} as {role.value}")


def test_every_rpc_met_many_examples_and_refusals(fuzz: Fuzz, request: pytest.FixtureRequest):
    """The tally of the run above: every RPC selected for this session (all of them
    unless -k shards the run) was called many times, and both refusals and
    acceptances happened."""
    selected = {item.callspec.params["rpc"].id for item in request.session.items
                if item.originalname == "test_every_answer_is_deliberate_and_a_refusal_stores_nothing"}
    if not fuzz.tally or not selected:
        pytest.skip("the fuzz tests of this module did not run in this session (-k?)")
    total = Counter()  # type: ignore[var-annotated]
    for tally in fuzz.tally.values():
        total.update(tally)
    print(f"\nfuzz profile {PROFILE}: {sum(total.values())} requests over {len(selected)} RPCs; codes {dict(total.most_common())}")
    for rpc in RPCS:
        if rpc.id in selected:
            print(f"  {rpc.id:38} {dict(fuzz.tally[rpc.id].most_common())}")
    missing = [r.id for r in RPCS if r.id in selected and sum(fuzz.tally[r.id].values()) < min(EXAMPLES, 50)]
    assert not missing, f"too few examples for {missing}"
    assert total["INVALID_ARGUMENT"] > 0 and total["OK"] > 0
