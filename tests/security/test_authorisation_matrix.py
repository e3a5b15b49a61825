"""The access table (rapidreview.access.ACCESS_TABLE) is what the running services
enforce: every RPC of every service called as every role, generated from the
table and the service descriptors, so a new RPC or role is covered the day it is
added. Scopes: another partnership's case and another agency's request are refused."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role, Scope, issue_token, new_signing_key, private_key_pem
from rapidreview.v1 import access_log_pb2, gathering_pb2
from tests.security.conftest import AGENCY, OTHER_PARTNERSHIP, PARTNERSHIP, Stack, row_counts
from tests.security.pipeline import CaseRun, agency_return
from tests.security.requests import CaseIds, Rpc, all_rpcs, described_methods, minimal_request, valid_request

pytestmark = pytest.mark.integration

RPCS = all_rpcs()
PAIRS = [(rpc, role) for rpc in RPCS for role in Role]
#: Codes that show the caller was let in (the request itself may still be refused).
NOT_LET_IN = {grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED}
#: Codes that are never a deliberate answer.
NEVER = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL, grpc.StatusCode.UNIMPLEMENTED}


async def call(stack: Stack, rpc: Rpc, request, metadata=()) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
    """The status code of one call (raw bytes on the wire, like any client)."""
    method = stack.channels[rpc.service].unary_unary(rpc.method)
    try:
        await method(request.SerializeToString(), metadata=metadata, timeout=20)
        return grpc.StatusCode.OK
    except grpc.aio.AioRpcError as exc:
        return exc.code()


@pytest.fixture(scope="module")
async def case(stack) -> CaseIds:  # type: ignore[no-untyped-def]
    """A Leeds case that went through every service, from notification to publication."""
    run = CaseRun(stack)
    await run.run_all()
    return CaseIds(case_id=run.case_id, evaluation_id=run.evaluation_id, recommendation_id=run.ids["recommendation"],
                   decision_id=run.ids["decision"], submission_id=run.ids["submission"], action_id=run.ids["action"])


def test_the_table_covers_every_rpc_of_every_service_and_nothing_else():
    described = described_methods()
    assert described - set(ACCESS_TABLE) == set(), "RPCs missing from the access table (they would be refused to everyone)"
    assert set(ACCESS_TABLE) - described == set(), "access table rows for RPCs no service defines"
    for method, roles in ACCESS_TABLE.items():
        assert roles, f"{method} has no role at all"
        assert all(isinstance(role, Role) and isinstance(scope, Scope) for role, scope in roles.items()), method
        # Only agencies are confined to their own agency; only services reach every partnership.
        assert all(scope is not Scope.OWN_AGENCY or role is Role.AGENCY for role, scope in roles.items()), method
        assert all(scope is not Scope.ANY or role is Role.SERVICE for role, scope in roles.items()), method


def test_every_pair_of_rpc_and_role_is_generated():
    assert len(PAIRS) == len(RPCS) * len(Role)
    assert {r.method for r in RPCS} == set(ACCESS_TABLE)


@pytest.mark.parametrize(("rpc", "role"), PAIRS, ids=[f"{r.id}-{role.value}" for r, role in PAIRS])
async def test_role_is_let_in_exactly_when_the_table_says_so(stack, case, rpc: Rpc, role: Role):
    code = await call(stack, rpc, minimal_request(rpc, case.case_id), stack.md(role))
    if role in ACCESS_TABLE[rpc.method]:
        assert code not in NOT_LET_IN, f"{role.value} is in the table for {rpc.name} but got {code.name}"
        assert code not in NEVER, f"{role.value} calling {rpc.name} got {code.name}"
    else:
        assert code == grpc.StatusCode.PERMISSION_DENIED, f"{role.value} is not in the table for {rpc.name} but got {code.name}"


@pytest.mark.parametrize("rpc", RPCS, ids=[r.id for r in RPCS])
async def test_a_call_without_credentials_is_unauthenticated(stack, case, rpc: Rpc):
    assert await call(stack, rpc, minimal_request(rpc, case.case_id)) == grpc.StatusCode.UNAUTHENTICATED


def _token(stack: Stack, **overrides) -> str:  # type: ignore[no-untyped-def]
    claims = dict(subject="someone", role=Role.BUSINESS_UNIT, partnership=PARTNERSHIP)
    key = overrides.pop("key", stack.creds.jwt_private_key.read_bytes())
    claims.update(overrides)
    return issue_token(key, **claims)  # type: ignore[arg-type]


BAD_TOKENS = {
    "not a JWT": lambda s: "not-a-token",
    "signed by an unknown key": lambda s: _token(s, key=private_key_pem(new_signing_key())),
    "expired": lambda s: _token(s, ttl=dt.timedelta(hours=1), now=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)),
    "for another audience": lambda s: _token(s, audience="another-product"),
    "from another issuer": lambda s: _token(s, issuer="someone-else"),
    "without a partnership": lambda s: _token(s, partnership=""),
    "agency role without an agency": lambda s: _token(s, role=Role.AGENCY),
}


@pytest.mark.parametrize("service", ["intake", "gathering", "criteria", "decisions"])
@pytest.mark.parametrize("why", list(BAD_TOKENS))
async def test_a_bad_token_is_unauthenticated(stack, case, service: str, why: str):
    rpc = next(r for r in RPCS if r.service == service and r.descriptor.containing_service.name != "AccessLogService"
               and "case_id" in r.request_type.DESCRIPTOR.fields_by_name)
    metadata = (("authorization", f"Bearer {BAD_TOKENS[why](stack)}"),)
    assert await call(stack, rpc, minimal_request(rpc, case.case_id), metadata) == grpc.StatusCode.UNAUTHENTICATED


# -- scope ------------------------------------------------------------------------------

SCOPED = [(rpc, role) for rpc in RPCS for role, scope in ACCESS_TABLE[rpc.method].items()
          if scope is not Scope.ANY and "case_id" in rpc.request_type.DESCRIPTOR.fields_by_name
          and rpc.descriptor.containing_service.name != "AccessLogService"]  # the access log filters: see below


@pytest.mark.parametrize(("rpc", "role"), SCOPED, ids=[f"{r.id}-{role.value}" for r, role in SCOPED])
async def test_another_partnerships_case_is_refused_and_nothing_is_stored(stack, case, rpc: Rpc, role: Role):
    before = await row_counts(stack)
    code = await call(stack, rpc, valid_request(rpc, case), stack.md(role, partnership=OTHER_PARTNERSHIP))
    assert code == grpc.StatusCode.PERMISSION_DENIED, f"{role.value} of {OTHER_PARTNERSHIP} calling {rpc.name} on a {PARTNERSHIP} case got {code.name}"
    assert await row_counts(stack) == before


def test_scoped_pairs_cover_every_service():
    assert {rpc.service for rpc, _ in SCOPED} == {"intake", "gathering", "criteria", "decisions"}


async def test_an_agency_cannot_read_or_submit_another_agencys_return(stack, case):
    gathering = stack.stub("gathering")
    # The police return is in; the GP practice may not read it, nor submit in the police's name.
    gp = stack.md(Role.AGENCY, agency="gp-practice")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await gathering.GetAgencyReturn(gathering_pb2.GetAgencyReturnRequest(case_id=case.case_id, agency_id=AGENCY), metadata=gp)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await gathering.SubmitAgencyReturn(agency_return(AGENCY, case.case_id), metadata=gp)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # Its own return it may read; the request list shows only its own request.
    own = await gathering.GetAgencyReturn(gathering_pb2.GetAgencyReturnRequest(case_id=case.case_id, agency_id="gp-practice"), metadata=gp)
    assert own.version.agency_return.agency.agency_id == "gp-practice"
    status = await gathering.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case.case_id), metadata=gp)
    assert [r.agency.agency_id for r in status.requests] == ["gp-practice"]
    overdue = await gathering.ListOverdueRequests(gathering_pb2.ListOverdueRequestsRequest(), metadata=gp)
    assert {r.agency.agency_id for r in overdue.requests} <= {"gp-practice"}


async def test_the_same_agency_id_in_another_partnership_is_refused(stack, case):
    police_elsewhere = stack.md(Role.AGENCY, partnership=OTHER_PARTNERSHIP, agency=AGENCY)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stack.stub("gathering").GetAgencyReturn(
            gathering_pb2.GetAgencyReturnRequest(case_id=case.case_id, agency_id=AGENCY), metadata=police_elsewhere)
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize("service", ["intake", "gathering", "criteria", "decisions"])
async def test_an_auditor_reads_only_their_own_partnerships_access_log(stack, case, service: str):
    log = stack.access_log(service)
    own = await log.ListAccessLog(access_log_pb2.ListAccessLogRequest(case_id=case.case_id, page_size=500), metadata=stack.md(Role.AUDITOR))
    assert own.entries and {e.partnership for e in own.entries} <= {PARTNERSHIP, ""}
    other = await log.ListAccessLog(access_log_pb2.ListAccessLogRequest(case_id=case.case_id, page_size=500),
                                    metadata=stack.md(Role.AUDITOR, partnership=OTHER_PARTNERSHIP))
    assert {e.partnership for e in other.entries} <= {OTHER_PARTNERSHIP}


async def test_earlier_reviews_cannot_be_imported_into_another_partnership(stack, case):
    from rapidreview.v1 import criteria_pb2, facts_pb2

    request = criteria_pb2.ImportEarlierReviewsRequest(partnership=PARTNERSHIP, reviews=[
        facts_pb2.EarlierReview(review_id="BSCP-2020-01", year=2020, themes=["domestic abuse"])])
    before = await row_counts(stack)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stack.stub("criteria").ImportEarlierReviews(request, metadata=stack.md(Role.BUSINESS_UNIT, partnership=OTHER_PARTNERSHIP))
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await row_counts(stack) == before
