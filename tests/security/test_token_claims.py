"""Token claims on the running services (issue 14 §2). A validly signed token whose
claims are of the wrong type, length or characters, or name a partnership the registry
does not know, used to be accepted: its access-log row could not be written and the
flush retried forever, so no later call by anyone was recorded; RecordRecommendation,
ListIncidents and NotifyIncident answered INTERNAL; a `partnership` of ["leeds",
"bradford"], 42 or {"a": 1} created cases in partnerships named "['leeds', 'bradford']",
"42" and "{'a': 1}". Now: UNAUTHENTICATED naming the claim, nothing stored, and later
calls still logged. Then hypothesis fuzzes the claims (types, lengths, NUL, unicode) on
every service: always a deliberate status, never a row stored by a refusal.

Profiles (env RR_FUZZ_PROFILE): "ci" (default) runs RR_CLAIMS_FUZZ_EXAMPLES examples
(default 300); "long" runs 10,000.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from rapidreview.kernel.auth import Role
from rapidreview.v1 import access_log_pb2, intake_pb2
from tests.security.conftest import AGENCY, OTHER_PARTNERSHIP, PARTNERSHIP, SERVICES, Stack, row_counts, security_env, settle
from tests.security.pipeline import CaseRun
from tests.security.requests import CaseIds, Rpc, all_rpcs, valid_request

PROFILE = os.environ.get("RR_FUZZ_PROFILE", "ci")
EXAMPLES = 10_000 if PROFILE == "long" else int(os.environ.get("RR_CLAIMS_FUZZ_EXAMPLES", "300"))
pytestmark = [pytest.mark.integration, pytest.mark.timeout(0 if PROFILE == "long" else 900)]

RPCS = {r.name: r for r in all_rpcs() if r.name != "ListAccessLog"}
#: One call per service at least, the three the issue names first, each with a role the table allows.
TARGETS: list[tuple[str, Role]] = [
    ("RecordRecommendation", Role.RAG_MEMBER), ("ListIncidents", Role.BUSINESS_UNIT), ("NotifyIncident", Role.NOTIFYING_LA),
    ("SubmitAgencyReturn", Role.AGENCY), ("GetRequestStatus", Role.BUSINESS_UNIT), ("ReevaluateCase", Role.BUSINESS_UNIT),
    ("GetChecklist", Role.RAG_MEMBER), ("GetCase", Role.AUDITOR), ("AddAction", Role.BUSINESS_UNIT),
]
DELIBERATE = {
    grpc.StatusCode.OK, grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS,
}
ABSENT = object()
METADATA_SOFT_LIMIT = 8192  # grpc.max_metadata_size's default: the server may refuse larger headers at random up to 2x


def _far() -> int:
    return int(time.time()) + 3600


def claims_for(role: Role, **changes: object) -> dict[str, object]:
    """Valid claims for `role` of the suite's partnership, with `changes` (ABSENT removes a claim)."""
    now = int(time.time())
    claims: dict[str, object] = {"iss": "rapidreview", "aud": "rapidreview", "iat": now, "exp": now + 3600,
                                 "sub": f"claims-{role.value}", "role": role.value, "partnership": PARTNERSHIP}
    if role is Role.AGENCY:
        claims["agency"] = AGENCY
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not ABSENT}


def sign(stack: Stack, claims: dict[str, object]) -> str:
    """A token with exactly these claims, signed with the services' trusted key: the JSON is
    written here (PyJWT would refuse to encode some of these claims), then signed as JWS."""
    key = serialization.load_pem_private_key(stack.creds.jwt_private_key.read_bytes(), password=None)
    return jwt.api_jws.encode(json.dumps(claims).encode(), key, algorithm="ES256")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
async def claims_stack(own_database, own_nats, creds) -> AsyncIterator[Stack]:  # type: ignore[no-untyped-def]
    running = Stack(creds, own_nats.url, own_database,
                    security_env(own_database, own_nats.url, creds, RR_CLOCK_WATCH_INTERVAL="3600"))
    try:
        await running.start()
        yield running
    finally:
        await running.stop()


@pytest.fixture(scope="module")
async def case(claims_stack: Stack) -> CaseIds:
    run = CaseRun(claims_stack)
    await run.through_evaluation()
    return CaseIds(case_id=run.case_id, evaluation_id=run.evaluation_id)


async def call(stack: Stack, rpc: Rpc, request, token: str, request_id: str = "") -> tuple[grpc.StatusCode, str]:  # type: ignore[no-untyped-def]
    metadata: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {token}"),)
    if request_id:
        metadata += (("x-request-id", request_id),)
    try:
        await stack.channels[rpc.service].unary_unary(rpc.method)(request.SerializeToString(), metadata=metadata, timeout=60)
        return grpc.StatusCode.OK, ""
    except grpc.aio.AioRpcError as exc:
        return exc.code(), exc.details() or ""


REPRODUCED = {
    "sub of 300 characters": {"sub": "x" * 300},
    "NUL in sub": {"sub": "police\x00system"},
    "NUL in partnership": {"partnership": "leeds\x00"},
    "partnership a list": {"partnership": [PARTNERSHIP, OTHER_PARTNERSHIP]},
    "partnership a number": {"partnership": 42},
    "partnership an object": {"partnership": {"a": 1}},
    "empty sub": {"sub": ""},
    "exp a string": {"exp": "FAR"},
    "partnership unknown": {"partnership": "wakefield"},
}
CASES = [(why, name, role) for why in REPRODUCED for name, role in TARGETS[:3]]


@pytest.mark.parametrize(("why", "name", "role"), CASES, ids=[f"{w}-{n}" for w, n, _ in CASES])
async def test_a_token_with_bad_claims_is_unauthenticated_naming_the_claim_and_stores_nothing(claims_stack, case, why, name, role):
    changes = {k: (str(_far()) if v == "FAR" else v) for k, v in REPRODUCED[why].items()}
    rpc = RPCS[name]
    request = valid_request(rpc, case)
    if name == "NotifyIncident":
        request.idempotency_key = f"bad-claims-{why}"[:128]
    before = await row_counts(claims_stack)
    code, details = await call(claims_stack, rpc, request, sign(claims_stack, claims_for(role, **changes)))
    assert code == grpc.StatusCode.UNAUTHENTICATED, f"{why} on {name}: {code.name} {details}"
    assert details.startswith("invalid token: ") and next(iter(changes)) in details
    assert await row_counts(claims_stack) == before


async def test_after_tokens_with_bad_claims_every_service_still_records_every_call(claims_stack, case):
    """The access log: a later call by anyone is recorded on each of the four services."""
    for why, changes in REPRODUCED.items():
        for name, role in TARGETS:
            await call(claims_stack, RPCS[name], valid_request(RPCS[name], case), sign(claims_stack, claims_for(role, **changes)))
    auditor = claims_stack.md(Role.AUDITOR)
    for service in SERVICES:
        rpc = next(r for r in all_rpcs() if r.service == service and r.name not in ("ListAccessLog", "ListRuleEditions")
                   and "case_id" in r.request_type.DESCRIPTOR.fields_by_name)
        marker = f"after-bad-claims-{service}"
        await call(claims_stack, rpc, valid_request(rpc, case), sign(claims_stack, claims_for(Role.AUDITOR)), marker)
        log = claims_stack.access_log(service)
        entries = (await log.ListAccessLog(access_log_pb2.ListAccessLogRequest(page_size=50), metadata=auditor)).entries
        assert marker in {e.request_id for e in entries}, f"{service} did not record a call made after the bad tokens"
        assert not any(e.values_replaced for e in entries)  # no bad value reached the log: the claims were refused first


# -- fuzzing ----------------------------------------------------------------------------

HOSTILE_TEXT = ["", " ", "\x00", "a\x00b", "leeds\x00", "x" * 199, "x" * 200, "x" * 201, "x" * 300, "x" * 5000, "\ud800",
                "\u202eevil", "a\nb", "\t", "😀" * 60, "ｌｅｅｄｓ", "LEEDS", "leeds ", " leeds", "leeds-", "-leeds",
                PARTNERSHIP, OTHER_PARTNERSHIP, "wakefield", AGENCY, "gp-practice", "admin", "service", "agency",
                "rapidreview", "NaN", "1e309", "9" * 30, "' OR 1=1 --", "{0}", "%s"]
HOSTILE_NUMBERS = [0, -1, 1, 2**31, 2**63, 10**30, 10**400, -10**400, 1.5, 1e308, float("inf"), float("-inf"), float("nan"), True, False]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


def claim_value(valid: object) -> st.SearchStrategy[object]:
    return st.one_of(st.just(valid), st.just(ABSENT), st.sampled_from(HOSTILE_TEXT), st.sampled_from(HOSTILE_NUMBERS),
                     st.text(max_size=300), json_values)


@st.composite
def claim_sets(draw):  # type: ignore[no-untyped-def]
    name, role = draw(st.sampled_from(TARGETS))
    valid = claims_for(role)
    changed = draw(st.lists(st.sampled_from([*valid, "agency", "nbf", "extra"]), min_size=1, max_size=3, unique=True))
    claims = dict(valid)
    for claim in changed:
        value = draw(claim_value(valid.get(claim, "")))
        if value is ABSENT:
            claims.pop(claim, None)
        else:
            claims[claim] = value
    return name, claims


@dataclass
class Tally:
    codes: Counter[str] = field(default_factory=Counter)
    baseline: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


@pytest.fixture(scope="module")
def tally() -> Tally:
    return Tally()


@settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
@given(drawn=claim_sets())
async def test_fuzzed_claims_always_get_a_deliberate_status_and_a_refusal_stores_nothing(claims_stack, case, tally, drawn):
    name, claims = drawn
    rpc = RPCS[name]
    request = valid_request(rpc, case)
    if name == "NotifyIncident":
        request.idempotency_key = f"fuzz-claims-{sum(tally.codes.values())}"
    note(f"{name} with claims {claims!r}")
    if not tally.baseline:
        tally.baseline = await row_counts(claims_stack)
    token = sign(claims_stack, claims)
    code, details = await call(claims_stack, rpc, request, token)
    tally.codes[code.name] += 1
    # A token beyond gRPC's metadata soft limit may be refused by the transport itself (RESOURCE_EXHAUSTED,
    # "received metadata size exceeds soft limit") before any handler runs: deliberate too, and it stores nothing.
    oversized = len(token) > METADATA_SOFT_LIMIT and code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert code in DELIBERATE or oversized, f"{name} answered {code.name} ({details}) to claims {claims!r}"
    if code == grpc.StatusCode.OK:
        await settle(claims_stack)
        tally.baseline = await row_counts(claims_stack)
    else:
        assert await row_counts(claims_stack) == tally.baseline, f"{name} refused ({code.name}) but rows changed: {claims!r}"


def test_the_claims_fuzzer_met_many_examples_and_refusals(tally: Tally, request: pytest.FixtureRequest):
    if not tally.codes:
        pytest.skip("the claims fuzzer did not run in this session (-k?)")
    seconds = time.perf_counter() - tally.started
    print(f"\nclaims fuzz profile {PROFILE}: {sum(tally.codes.values())} calls in {seconds:.0f} s; codes {dict(tally.codes.most_common())}")
    assert tally.codes["UNAUTHENTICATED"] > 0 and sum(tally.codes.values()) >= min(EXAMPLES, 50)
    assert "INTERNAL" not in tally.codes and "UNKNOWN" not in tally.codes
