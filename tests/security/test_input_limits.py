"""Input limits of every service: a gRPC message over 4 MB is refused with
RESOURCE_EXHAUSTED; every text field of every request, and every list, has a
bound (INVALID_ARGUMENT naming the field), and no text field takes a NUL; page sizes above their caps are
INVALID_ARGUMENT; NATS refuses a message over its maximum payload; partner
callers over the rate limit get RESOURCE_EXHAUSTED, services do not. Nothing
refused is stored. The cases are generated from the valid request of each RPC."""

from __future__ import annotations

import base64
import re

import grpc
import nats
import nats.errors
import pytest
from google.protobuf import message

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.kernel.server import MAX_MESSAGE_BYTES
from rapidreview.v1 import intake_pb2
from tests.security.conftest import SERVICES, Stack, row_counts, security_env
from tests.security.fuzz import leaf_paths
from tests.security.pipeline import CaseRun
from tests.security.requests import CaseIds, Rpc, all_rpcs, valid_request

pytestmark = pytest.mark.integration

RPCS = all_rpcs()
#: The documented cap of every page-size field (the .proto comments say the same).
PAGE_CAPS = {
    ("ListAccessLogRequest", "page_size"): 500,
    ("ListIncidentsRequest", "page_size"): 200,
    ("ListOverdueRequestsRequest", "page_size"): 200,
    ("GetAuditTrailRequest", "page_size"): 500,
    ("GetCollatedInformationRequest", "chronology_page_size"): 5000,
}
#: Longer than any text limit of the API (the longest is a publication's text, 1,000,000
#: characters) yet well inside the 4 MB message limit.
TOO_LONG = "x" * 1_000_001
#: More items than any list limit of the API (the longest is a return's chronology, 5,000).
TOO_MANY = 5_001


async def call(stack: Stack, rpc: Rpc, request: message.Message | bytes, role: Role | None = None,  # type: ignore[no-untyped-def]
               metadata: tuple[tuple[str, str], ...] | None = None):
    """(status code, error) of one call as an allowed role (or with `metadata`)."""
    role = role or sorted(ACCESS_TABLE[rpc.method], key=lambda r: r is not Role.BUSINESS_UNIT)[0]
    data = request if isinstance(request, bytes) else request.SerializeToString()
    try:
        await stack.channels[rpc.service].unary_unary(rpc.method)(data, metadata=metadata or stack.md(role), timeout=60)
        return grpc.StatusCode.OK, None
    except grpc.aio.AioRpcError as exc:
        return exc.code(), exc


@pytest.fixture(scope="module")
async def case(stack) -> CaseIds:  # type: ignore[no-untyped-def]
    run = CaseRun(stack)
    await run.through_evaluation()
    return CaseIds(case_id=run.case_id, evaluation_id=run.evaluation_id)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_message_over_4_mb_is_resource_exhausted_and_stores_nothing(stack, case, service: str):
    rpc = next(r for r in RPCS if r.service == service and r.name != "ListAccessLog")
    request = valid_request(rpc, case)
    padding = MAX_MESSAGE_BYTES + 1 - len(request.SerializeToString())
    # An unknown field (number 1000, length-delimited) makes it big without changing its meaning.
    big = request.SerializeToString() + b"\xc2\x3e" + _varint(padding) + b"\x00" * padding
    before = await row_counts(stack)
    code, _ = await call(stack, rpc, big)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert await row_counts(stack) == before


def _varint(n: int) -> bytes:
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _text_fields(request: message.Message) -> list[tuple]:  # type: ignore[type-arg]
    """Paths of the string fields set in `request`, repeated ones by their first element."""
    out = []
    for path in leaf_paths(request):
        parent = request
        for name, index in path[:-1]:
            parent = getattr(parent, name) if index is None else getattr(parent, name)[index]
        field = parent.DESCRIPTOR.fields_by_name[path[-1][0]]
        if field.type == field.TYPE_STRING and field.message_type is None:
            value = getattr(parent, field.name)
            if (field.is_repeated and len(value)) or (not field.is_repeated and value):
                out.append(path)
    return out


def _set(request: message.Message, path: tuple, value: object) -> None:  # type: ignore[type-arg]
    parent = request
    for name, index in path[:-1]:
        parent = getattr(parent, name) if index is None else getattr(parent, name)[index]
    field = parent.DESCRIPTOR.fields_by_name[path[-1][0]]
    if field.is_repeated:
        getattr(parent, field.name)[0] = value
    else:
        setattr(parent, field.name, value)


def _dotted(path: tuple) -> str:  # type: ignore[type-arg]
    return ".".join(name for name, _ in path)


def _names(violations: list[tuple[str, str]]) -> set[str]:
    """Violation field paths without indices: "agency_return.chronology[0].summary" -> "agency_return.chronology.summary"."""
    return {re.sub(r"\[\d+\]", "", f) for f, _ in violations}


TEXT_CASES = [rpc for rpc in RPCS if rpc.service == "intake" or rpc.name != "ListAccessLog"]


@pytest.mark.parametrize("rpc", TEXT_CASES, ids=[r.id for r in TEXT_CASES])
async def test_every_text_field_has_a_length_limit(stack, case, rpc: Rpc):
    template = valid_request(rpc, case)
    unbounded = []
    for path in _text_fields(template):
        request = type(template)()
        request.CopyFrom(template)
        _set(request, path, TOO_LONG)
        before = await row_counts(stack)
        code, error = await call(stack, rpc, request)
        named = _names(field_violations(error)) if error is not None else set()
        if code != grpc.StatusCode.INVALID_ARGUMENT or not any(n.endswith(_dotted(path)) for n in named):
            unbounded.append(f"{_dotted(path)}: {code.name} {sorted(named)}")
        assert await row_counts(stack) == before, f"{_dotted(path)} refused with {code.name} but rows changed"
    assert not unbounded, f"{rpc.name} accepts text of {len(TOO_LONG):,} characters in: {unbounded}"


@pytest.mark.parametrize("rpc", TEXT_CASES, ids=[r.id for r in TEXT_CASES])
async def test_a_nul_character_in_any_text_field_is_invalid_argument(stack, case, rpc: Rpc):
    """PostgreSQL refuses NUL in text; no field of the API may carry one to a query (found by the fuzzer)."""
    template = valid_request(rpc, case)
    wrong = []
    for path in _text_fields(template):
        request = type(template)()
        request.CopyFrom(template)
        _set(request, path, "a\x00b")
        code, error = await call(stack, rpc, request)
        named = _names(field_violations(error)) if error is not None else set()
        if code != grpc.StatusCode.INVALID_ARGUMENT or _dotted(path) not in named:
            wrong.append(f"{_dotted(path)}: {code.name}")
    assert not wrong, f"{rpc.name}: {wrong}"


LIST_CASES = [rpc for rpc in RPCS if any(f.is_repeated for f in rpc.request_type.DESCRIPTOR.fields)]


@pytest.mark.parametrize("rpc", LIST_CASES, ids=[r.id for r in LIST_CASES])
async def test_every_list_has_a_length_limit(stack, case, rpc: Rpc):
    template = valid_request(rpc, case)
    unbounded = []
    for path in leaf_paths(template):
        parent = template
        for name, index in path[:-1]:
            parent = getattr(parent, name) if index is None else getattr(parent, name)[index]
        field = parent.DESCRIPTOR.fields_by_name[path[-1][0]]
        if not field.is_repeated or path[-1][1] is not None or not len(getattr(parent, field.name)):
            continue
        request = type(template)()
        request.CopyFrom(template)
        target = request
        for name, index in path[:-1]:
            target = getattr(target, name) if index is None else getattr(target, name)[index]
        items = getattr(target, field.name)
        first = items[0]
        for _ in range(TOO_MANY - len(items)):
            items.add().CopyFrom(first) if field.message_type is not None else items.append(first)
        if request.ByteSize() >= MAX_MESSAGE_BYTES:
            continue  # the message limit bounds it already
        before = await row_counts(stack)
        code, error = await call(stack, rpc, request)
        named = _names(field_violations(error)) if error is not None else set()
        if code != grpc.StatusCode.INVALID_ARGUMENT or not any(n == _dotted(path) or n.startswith(_dotted(path)) for n in named):
            unbounded.append(f"{_dotted(path)}: {code.name} {sorted(named)[:3]}")
        assert await row_counts(stack) == before
    assert not unbounded, f"{rpc.name} accepts {TOO_MANY:,} items in: {unbounded}"


PAGED = [(rpc, f.name) for rpc in RPCS for f in rpc.request_type.DESCRIPTOR.fields if f.name.endswith("page_size")]


def test_every_page_size_field_has_a_documented_cap():
    assert {(r.request_type.DESCRIPTOR.name, f) for r, f in PAGED} == set(PAGE_CAPS)


@pytest.mark.parametrize(("rpc", "field"), PAGED, ids=[f"{r.id}.{f}" for r, f in PAGED])
async def test_page_sizes_above_the_cap_or_negative_are_invalid_and_the_cap_is_served(stack, case, rpc: Rpc, field: str):
    cap = PAGE_CAPS[(rpc.request_type.DESCRIPTOR.name, field)]
    for size, expected in ((cap + 1, grpc.StatusCode.INVALID_ARGUMENT), (1_000_000, grpc.StatusCode.INVALID_ARGUMENT),
                           (-1, grpc.StatusCode.INVALID_ARGUMENT), (cap, grpc.StatusCode.OK)):
        request = valid_request(rpc, case)
        setattr(request, field, size)
        code, error = await call(stack, rpc, request, Role.AUDITOR if rpc.name in ("ListAccessLog", "GetAuditTrail") else None)
        assert code == expected, f"{field}={size}: {code.name}"
        if expected == grpc.StatusCode.INVALID_ARGUMENT:
            assert field in _names(field_violations(error))


TOKENED = [(rpc, f.name) for rpc in RPCS for f in rpc.request_type.DESCRIPTOR.fields if f.name.endswith("page_token")]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


#: Tokens no service issued: what each decodes to would reach a query as text or a number
#: PostgreSQL refuses (NUL, beyond BIGINT, a time beyond its range), or is not a token at all.
FORGED_TOKENS = [
    _b64("after:" + "9" * 30), _b64("9" * 30), _b64("-1"), _b64("\x00"), _b64("1\x00"),
    _b64("2024-06-01|a\x00b|police"), _b64("2024-06-01T00:00:00+00:00|a\x00b"),
    _b64("0001-01-01T00:00:00+14:00|x"), _b64("2024-06-01T00:00:00|x"), _b64("9999-12-31T23:59:59-14:00|x"),
    "A" * 600, "!!!", "é",
]


@pytest.mark.parametrize(("rpc", "field"), TOKENED, ids=[f"{r.id}.{f}" for r, f in TOKENED])
async def test_a_forged_page_token_is_invalid_argument_and_stores_nothing(stack, case, rpc: Rpc, field: str):
    """Found by the fuzzer's long profile: GetAuditTrail answered INTERNAL to a token decoding
    to a number beyond BIGINT; tokens decoding to text with a NUL would have done the same."""
    wrong = []
    for token in FORGED_TOKENS:
        request = valid_request(rpc, case)
        setattr(request, field, token)
        before = await row_counts(stack)
        code, error = await call(stack, rpc, request, Role.AUDITOR if rpc.name in ("ListAccessLog", "GetAuditTrail") else None)
        if code != grpc.StatusCode.INVALID_ARGUMENT or field not in _names(field_violations(error)):
            wrong.append(f"{token[:40]!r}: {code.name}")
        assert await row_counts(stack) == before
    assert not wrong, f"{rpc.name}.{field}: {wrong}"


async def test_nats_refuses_a_message_over_its_maximum_payload(stack):
    nc = await nats.connect(stack.nats_url)
    try:
        limit = nc.max_payload
        assert 0 < limit <= 8 * 1024 * 1024
        with pytest.raises(nats.errors.MaxPayloadError):
            await nc.publish("rr.v1.incident.notified", b"\x00" * (limit + 1))
    finally:
        await nc.close()


async def test_partner_callers_over_the_rate_limit_get_resource_exhausted_and_services_do_not(own_database, own_nats, creds):
    limited = Stack(creds, own_nats.url, own_database,
                    security_env(own_database, own_nats.url, creds, RR_RATE_LIMIT_RPS="0.5", RR_RATE_LIMIT_BURST="3"))
    await limited.start()
    try:
        for service in SERVICES:
            rpc = next(r for r in RPCS if r.service == service and r.name == "ListAccessLog")
            partner = [await call(limited, rpc, rpc.request_type(), Role.AUDITOR) for _ in range(5)]
            assert [c for c, _ in partner[:3]] == [grpc.StatusCode.OK] * 3, service
            assert grpc.StatusCode.RESOURCE_EXHAUSTED in [c for c, _ in partner[3:]], service
            # The limit is per caller: another auditor is still served.
            other = (("authorization", f"Bearer {creds.token(Role.AUDITOR, subject=f'second-auditor-{service}')}"),)
            assert (await call(limited, rpc, rpc.request_type(), metadata=other))[0] == grpc.StatusCode.OK, service
        # Calls between services are not rate-limited.
        intake = next(r for r in RPCS if r.service == "intake" and r.name == "ListIncidents")
        services_calls = [await call(limited, intake, intake_pb2.ListIncidentsRequest(), Role.SERVICE) for _ in range(10)]
        assert {c for c, _ in services_calls} == {grpc.StatusCode.OK}
    finally:
        await limited.stop()
