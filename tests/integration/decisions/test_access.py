"""Every RPC as every role: the access table is obeyed, and a case of another
partnership is out of reach."""

from __future__ import annotations

import grpc
import pytest

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from tests.support.harness import Caller

pytestmark = pytest.mark.integration

SERVICE = D.DESCRIPTOR.services_by_name["DecisionService"]


async def _code(channel, method, request, caller: Caller) -> grpc.StatusCode:  # type: ignore[no-untyped-def]
    call = channel.unary_unary(f"/rapidreview.v1.DecisionService/{method.name}",
                               request_serializer=lambda m: m.SerializeToString(), response_deserializer=lambda b: b)
    try:
        await call(request, metadata=caller.metadata())
        return grpc.StatusCode.OK
    except grpc.aio.AioRpcError as err:
        return err.code()


def test_every_rpc_has_a_row_in_the_access_table():
    assert {m.name for m in SERVICE.methods} == {
        k.rsplit("/", 1)[1] for k in ACCESS_TABLE if k.startswith("/rapidreview.v1.DecisionService/")}


async def test_each_rpc_refuses_every_role_not_in_its_row(decisions, new_case, roles):
    case_id, _ = await new_case()
    async with grpc.aio.insecure_channel(decisions.address) as channel:
        for method in SERVICE.methods:
            allowed = ACCESS_TABLE[f"/rapidreview.v1.DecisionService/{method.name}"]
            cls = method.input_type._concrete_class
            # GetYearlyFigures is about the caller's partnership, not one case.
            request = cls(case_id=case_id) if "case_id" in cls.DESCRIPTOR.fields_by_name else cls()
            for role, caller in roles.items():
                code = await _code(channel, method, request, caller)
                if role in allowed:
                    assert code not in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED), (method.name, role)
                else:
                    assert code == grpc.StatusCode.PERMISSION_DENIED, (method.name, role, code)


async def test_the_roles_of_the_process(decisions):
    row = lambda name: set(ACCESS_TABLE[f"/rapidreview.v1.DecisionService/{name}"])  # noqa: E731
    assert row("RecordRecommendation") == {Role.RAG_MEMBER}
    assert row("RecordDecision") == {Role.EXECUTIVE}
    assert row("RecordPanelSubmission") == row("RecordMilestone") == row("Publish") == {Role.BUSINESS_UNIT}
    assert row("GetAuditTrail") == row("VerifyAuditTrail") == {Role.AUDITOR}


async def test_another_partnerships_case_is_permission_denied(decisions, stub, new_case, creds):
    case_id, _ = await new_case()
    for role in (Role.BUSINESS_UNIT, Role.AUDITOR):
        bradford = Caller(creds, role, partnership="bradford")
        with pytest.raises(grpc.aio.AioRpcError) as err:
            if role is Role.AUDITOR:
                await stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=case_id), metadata=bradford.metadata())
            else:
                await stub.GetCase(D.GetCaseRequest(case_id=case_id), metadata=bradford.metadata())
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
    whole = await stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(), metadata=Caller(creds, Role.AUDITOR, partnership="bradford").metadata())
    assert whole.cases_checked == 0


async def test_missing_token_is_unauthenticated(stub):
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetCase(D.GetCaseRequest(case_id="x"))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_unknown_case_is_not_found_and_a_malformed_id_invalid(stub, roles):
    import uuid

    md = roles[Role.BUSINESS_UNIT].metadata()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetCase(D.GetCaseRequest(case_id=str(uuid.uuid4())), metadata=md)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetCase(D.GetCaseRequest(case_id="not-a-case"), metadata=md)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
