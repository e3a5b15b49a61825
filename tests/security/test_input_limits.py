"""Input limits of every service: a gRPC message over 4 MB is refused with
RESOURCE_EXHAUSTED; every text field of every request has a bound (INVALID_ARGUMENT
naming the field), every repeated field a documented cap (found from the
descriptors; one item over it is INVALID_ARGUMENT naming the list), no enum list
holds a value twice, and no text field takes a NUL; page sizes above their caps are
INVALID_ARGUMENT; NATS refuses a message over its maximum payload; partner
callers over the rate limit get RESOURCE_EXHAUSTED, services do not. Nothing
refused is stored. The cases are generated from the valid request of each RPC."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import grpc
import nats
import nats.errors
import pytest
from google.protobuf import message
from google.protobuf.descriptor import FieldDescriptor

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.kernel.input_limits import repeated_fields
from rapidreview.kernel.server import MAX_MESSAGE_BYTES
from rapidreview.limits import LIST_CAPS
from rapidreview.v1 import common_pb2, decisions_pb2, intake_pb2
from tests.security.conftest import SERVICES, Stack, row_counts, security_env, settle
from tests.security.fuzz import leaf_paths
from tests.security.pipeline import CaseRun
from tests.security.requests import CaseIds, Rpc, all_rpcs, valid_request
from tests.support.protos import proto_field_comments

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
async def stack(own_database, own_nats, creds):  # type: ignore[no-untyped-def]
    """The suite's stack, with clock watchers that run once at start only: lists accepted at
    their caps open cases whose deadline events would otherwise appear while a later
    refusal's rows are being counted."""
    running = Stack(creds, own_nats.url, own_database,
                    security_env(own_database, own_nats.url, creds, RR_CLOCK_WATCH_INTERVAL="3600"))
    try:
        await running.start()
        yield running
    finally:
        await running.stop()


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


def list_paths(descriptor, prefix: tuple = (), seen: frozenset = frozenset()) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    """Paths from a request type to every repeated field it can hold, found from the
    descriptors (not from an example), so no list of any request escapes: (("agency_return",
    None), ("learning", 0), ("themes", None)) — through element 0 of the lists on the way."""
    out = []
    for field in descriptor.fields:
        if field.is_repeated:
            out.append(prefix + ((field.name, None),))
        if field.message_type is not None and field.message_type.full_name not in seen:
            step = (field.name, 0) if field.is_repeated else (field.name, None)
            out += list_paths(field.message_type, prefix + (step,), seen | {field.message_type.full_name})
    return out


def _list_at(request: message.Message, path: tuple):  # type: ignore[no-untyped-def,type-arg]
    """The repeated container at `path`, creating what leads to it (element 0 of each list on the way)."""
    parent = request
    for name, index in path[:-1]:
        if index is None:
            parent = getattr(parent, name)
        else:
            items = getattr(parent, name)
            parent = items[0] if len(items) else items.add()
    return parent, parent.DESCRIPTOR.fields_by_name[path[-1][0]]


def _fill(request: message.Message, path: tuple, count: int) -> None:  # type: ignore[type-arg]
    """Makes the list at `path` `count` items long: copies of its first item (a default
    one if it had none), or for enum lists distinct values first, then repeats."""
    parent, field = _list_at(request, path)
    items = getattr(parent, field.name)
    if field.message_type is not None:
        first = items[0] if len(items) else None
        template = type(first)() if first is not None else None
        if first is not None:
            template.CopyFrom(first)  # type: ignore[union-attr]
        del items[:]
        for _ in range(count):
            item = items.add()
            if template is not None:
                item.CopyFrom(template)
    elif field.type == field.TYPE_ENUM:
        values = [v for v in sorted(field.enum_type.values_by_number) if v != 0]
        del items[:]
        items.extend(values[i % len(values)] for i in range(count))
    else:
        first = items[0] if len(items) else ("x" if field.type == field.TYPE_STRING else 0)
        del items[:]
        items.extend([first] * count)


def _cap(rpc: Rpc, path: tuple) -> int:  # type: ignore[type-arg]
    _, field = _list_at(rpc.request_type(), path)
    return LIST_CAPS[field.full_name]


LIST_CASES = [(rpc, path) for rpc in RPCS if rpc.service == "intake" or rpc.name != "ListAccessLog"
              for path in list_paths(rpc.request_type.DESCRIPTOR)]


def test_every_repeated_field_of_every_request_has_a_cap_and_its_comment_states_it():
    """Enumerated from the descriptors: a new list without a cap in rapidreview/limits.py, or a
    comment (hence docs/api) that does not say "at most N", fails here."""
    fields = {f.full_name: f for rpc in RPCS for f in repeated_fields(rpc.request_type.DESCRIPTOR)}
    assert sorted(set(fields) - set(LIST_CAPS)) == [], "repeated fields without a cap"
    assert sorted(set(LIST_CAPS) - set(fields)) == [], "caps of fields no request has"
    comments = proto_field_comments()
    wrong = [f"{name}: {comments.get(name)!r}" for name, cap in LIST_CAPS.items() if f"at most {cap:,}" not in comments.get(name, "")]
    assert not wrong, f"comments that do not state the cap: {wrong}"
    for name, f in fields.items():
        if f.type == f.TYPE_ENUM:
            assert LIST_CAPS[name] == len([v for v in f.enum_type.values_by_number if v != 0]), f"{name}: one of each value"


def test_the_security_page_lists_every_cap():
    page = (Path(__file__).parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    missing = [name for name, cap in LIST_CAPS.items() if f"| `{name.removeprefix('rapidreview.v1.')}` | {cap:,} |" not in page]
    assert not missing, f"docs/security.md does not list the caps of {missing}"


@pytest.mark.parametrize(("rpc", "path"), LIST_CASES, ids=[f"{r.id}.{_dotted(p)}" for r, p in LIST_CASES])
async def test_every_list_one_item_over_its_cap_is_invalid_argument_naming_it_and_at_its_cap_is_not(stack, case, rpc: Rpc, path: tuple):  # type: ignore[type-arg]
    cap = _cap(rpc, path)
    over = valid_request(rpc, case)
    _fill(over, path, cap + 1)
    if over.ByteSize() >= MAX_MESSAGE_BYTES:
        pytest.skip("the message limit bounds it already")
    before = await row_counts(stack)
    code, error = await call(stack, rpc, over)
    violations = field_violations(error) if error is not None else []
    assert code == grpc.StatusCode.INVALID_ARGUMENT, f"{_dotted(path)} with {cap + 1:,} items: {code.name}"
    assert (_path_text(path), f"at most {cap} items") in violations, violations[:3]
    assert await row_counts(stack) == before
    at_cap = valid_request(rpc, case)
    _fill(at_cap, path, cap)
    code, error = await call(stack, rpc, at_cap)
    if code == grpc.StatusCode.OK:
        await settle(stack)  # its events are consumed before another test counts rows
    named = [v for v in (field_violations(error) if error is not None else []) if v[1].startswith("at most") and v[1].endswith("items")]
    assert not [v for v in named if v[0] == _path_text(path)], f"{_dotted(path)} refused at its cap {cap}"


def _path_text(path: tuple) -> str:  # type: ignore[type-arg]
    """How a violation names the list: "agency_return.learning[0].themes"."""
    return ".".join(name if index is None else f"{name}[{index}]" for name, index in path)


ENUM_LISTS = [(rpc, path) for rpc, path in LIST_CASES if _list_at(rpc.request_type(), path)[1].type == FieldDescriptor.TYPE_ENUM]


@pytest.mark.parametrize(("rpc", "path"), ENUM_LISTS, ids=[f"{r.id}.{_dotted(p)}" for r, p in ENUM_LISTS])
async def test_the_same_enum_value_twice_in_a_list_is_invalid_argument(stack, case, rpc: Rpc, path: tuple):  # type: ignore[type-arg]
    request = valid_request(rpc, case)
    parent, field = _list_at(request, path)
    value = sorted(v for v in field.enum_type.values_by_number if v)[0]
    getattr(parent, field.name)[:] = [value, value]
    before = await row_counts(stack)
    code, error = await call(stack, rpc, request)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"{_path_text(path)}[1]" in {f for f, _ in field_violations(error)}
    assert await row_counts(stack) == before


@pytest.mark.parametrize("copies", [100_000, 1_500_000])
async def test_a_notification_with_a_huge_list_of_one_harm_domain_is_refused_and_stores_nothing(stack, copies: int):
    """Issue 14 §1 as reported: 100,000 copies of one harm domain (a ~100 KB request) were
    accepted, and the incident's ~1.8 MB incident.notified event blocked the outbox of every
    partnership; with 1.5 M the caller got RESOURCE_EXHAUSTED (a 27 MB response) yet the
    incident was committed."""
    rpc = next(r for r in RPCS if r.name == "NotifyIncident")
    request = valid_request(rpc, CaseIds(case_id=""))
    request.idempotency_key = f"huge-harm-domains-{copies}"
    del request.notification.harm_domains[:]
    request.notification.harm_domains.extend([common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH] * copies)
    before = await row_counts(stack)
    code, error = await call(stack, rpc, request, Role.NOTIFYING_LA)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert ("notification.harm_domains", "at most 6 items") in field_violations(error)
    assert await row_counts(stack) == before


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


async def test_a_command_whose_answer_could_not_be_sent_is_refused_and_stores_nothing(stack):
    """Issue 14 §1: a refused call stored data (the answer was RESOURCE_EXHAUSTED, the change
    committed). Decisions answers a command with the whole case; recommendations as long as
    validation allows, in 4-byte characters, are recorded until the case would be too large
    to send: that call is RESOURCE_EXHAUSTED, nothing of it is stored, and the case still reads."""
    run = CaseRun(stack)
    await run.through_evaluation()
    rpc = next(r for r in RPCS if r.name == "RecordRecommendation")
    wide = "\U0001F600"
    refused = None
    for attempt in range(20):
        request = valid_request(rpc, CaseIds(case_id=run.case_id, evaluation_id=run.evaluation_id))
        request.idempotency_key = f"largest-recommendation-{attempt}"
        request.rationale = wide * 8000
        for view in request.criteria:
            view.rationale = wide * 4000
        del request.immediate_learning[:]
        for _ in range(50):
            request.immediate_learning.add(description=wide * 2000)
        before = await row_counts(stack)
        code, error = await call(stack, rpc, request, Role.RAG_MEMBER)
        if code != grpc.StatusCode.OK:
            refused = (code, error, before)
            break
    assert refused is not None, "20 of the largest recommendations were all answered"
    print(f"\n{attempt} of the largest recommendations recorded; the next answer would not fit")
    code, error, before = refused
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED and "nothing was stored" in (error.details() or "")
    assert await row_counts(stack) == before
    case = await stack.stub("decisions").GetCase(decisions_pb2.GetCaseRequest(case_id=run.case_id),
                                                  metadata=stack.md(Role.BUSINESS_UNIT), timeout=60)
    assert len(case.case.recommendations) == attempt
