"""Every criteria RPC as every role: the access table is obeyed."""

from __future__ import annotations

import grpc
import pytest

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role
from rapidreview.v1 import criteria_pb2 as S
from tests.integration.criteria.conftest import evaluations_of, notify
from tests.support.harness import Caller

pytestmark = pytest.mark.integration

SERVICE = S.DESCRIPTOR.services_by_name["CriteriaService"]
PREFIX = "/rapidreview.v1.CriteriaService/"


def test_every_rpc_has_a_row_in_the_access_table():
    assert {m.name for m in SERVICE.methods} == {k.removeprefix(PREFIX) for k in ACCESS_TABLE if k.startswith(PREFIX)}


def test_the_roles_of_the_process():
    row = lambda name: set(ACCESS_TABLE[PREFIX + name])  # noqa: E731
    readers = {Role.BUSINESS_UNIT, Role.RAG_MEMBER, Role.EXECUTIVE, Role.SERVICE}
    assert row("GetChecklist") == row("RenderSummary") == row("ExplainCriterion") == readers
    assert row("EvaluateCase") == {Role.BUSINESS_UNIT, Role.RAG_MEMBER, Role.SERVICE}
    assert row("ReevaluateCase") == row("ImportEarlierReviews") == {Role.BUSINESS_UNIT, Role.SERVICE}
    # Agencies may read only the learning-theme vocabulary (for their return form), never a case's criteria.
    assert Role.AGENCY in row("GetLearningThemes")
    assert Role.AGENCY not in set().union(*(row(m.name) for m in SERVICE.methods if m.name != "GetLearningThemes"))


async def test_each_rpc_refuses_every_role_not_in_its_row(criteria, stub, bu, events, creds, case_id):
    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    roles = {role: Caller(creds, role, agency="gp-practice" if role is Role.AGENCY else "") for role in Role}
    async with grpc.aio.insecure_channel(criteria.address) as channel:
        for method in SERVICE.methods:
            allowed = ACCESS_TABLE[PREFIX + method.name]
            fields = {"case_id": case_id} if "case_id" in method.input_type.fields_by_name else {}
            request = method.input_type._concrete_class(**fields)
            call = channel.unary_unary(PREFIX + method.name, request_serializer=lambda m: m.SerializeToString(),
                                       response_deserializer=lambda b: b)
            for role, caller in roles.items():
                try:
                    await call(request, metadata=caller.metadata())
                    code = grpc.StatusCode.OK
                except grpc.aio.AioRpcError as err:
                    code = err.code()
                if role in allowed:
                    assert code not in (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED), (method.name, role)
                else:
                    assert code == grpc.StatusCode.PERMISSION_DENIED, (method.name, role, code)
