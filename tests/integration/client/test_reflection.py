"""Calls with no proto files: server reflection drives a real RPC, from
Python (grpc_reflection + dynamic protobuf messages) and from `buf curl`
(the npm @bufbuild/buf package pinned in the root package.json), exactly as
docs/integration.md shows."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
import sys

import grpc
import pytest
from google.protobuf import descriptor_pool, json_format, message_factory
from google.rpc import error_details_pb2
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

from rapidreview.v1 import intake_pb2 as compiled_intake
from tests.integration.client.conftest import ROOT
from tests.integration.client.test_python_client import child_k

from rapidreview_client import AsyncRapidReviewClient  # noqa: E402
from rapidreview_client.v1 import intake_pb2

pytestmark = pytest.mark.integration


async def _notify(intake, token: str) -> str:
    async with AsyncRapidReviewClient({"intake": intake.address}, token=token) as client:
        response = await client.intake.notify_incident(intake_pb2.NotifyIncidentRequest(notification=child_k()))
    return response.incident.case_id


def _call_by_reflection(address: str, token: str, service: str, method: str, request_json: str) -> tuple[list[str], dict, type]:
    """What a generic tool does: learn the schema from the server, build the
    request from JSON, call, and turn the answer back into JSON."""
    with grpc.insecure_channel(address) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = database.get_services()
        pool = descriptor_pool.DescriptorPool(database)
        rpc = pool.FindServiceByName(service).FindMethodByName(method)
        request_class = message_factory.GetMessageClass(rpc.input_type)
        response_class = message_factory.GetMessageClass(rpc.output_type)
        call = channel.unary_unary(f"/{service}/{method}", request_serializer=lambda m: m.SerializeToString(),
                                   response_deserializer=response_class.FromString)
        response = call(json_format.Parse(request_json, request_class()), timeout=10,
                        metadata=(("authorization", f"Bearer {token}"), ("x-request-id", "reflection-test")))
        return services, json_format.MessageToDict(response), response_class


async def test_reflection_client_lists_the_services_and_calls_list_incidents_without_protos(intake, la_token):
    case_id = await _notify(intake, la_token)
    services, answer, response_class = await asyncio.to_thread(
        _call_by_reflection, intake.address, la_token, "rapidreview.v1.IntakeService", "ListIncidents", '{"pageSize": 10}')
    assert "rapidreview.v1.IntakeService" in services and "grpc.health.v1.Health" in services
    assert response_class is not compiled_intake.ListIncidentsResponse  # built from the server's answer, not from local code
    assert [i["caseId"] for i in answer["incidents"]] == [case_id]
    assert answer["incidents"][0]["status"] == "INCIDENT_STATUS_NOTIFIED"


@pytest.fixture(scope="module")
def buf() -> str:
    """The buf CLI from node_modules (installed from the root package-lock.json if missing)."""
    path = ROOT / "node_modules" / ".bin" / "buf"
    if not path.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed to install @bufbuild/buf"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True, timeout=600, stdout=subprocess.DEVNULL)
    return str(path)


async def _buf_curl(buf: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(buf, "curl", "--protocol", "grpc", "--http2-prior-knowledge", *args,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


async def test_buf_curl_lists_services_and_gets_an_incident_by_reflection(intake, la_token, buf):
    case_id = await _notify(intake, la_token)
    code, out, err = await _buf_curl(buf, "--list-methods", f"http://{intake.address}")
    assert code == 0, err
    assert "rapidreview.v1.IntakeService/GetIncident" in out.split()
    code, out, err = await _buf_curl(buf, "-H", f"authorization: Bearer {la_token}", "-H", "x-request-id: buf-curl-test",
                                     "-d", json.dumps({"caseId": case_id}), f"http://{intake.address}/rapidreview.v1.IntakeService/GetIncident")
    assert code == 0, err
    incident = json.loads(out)["incident"]
    assert incident["caseId"] == case_id and {c["id"] for c in incident["clocks"]} == {"NOTIFY.DEADLINE", "NOTIFY.PARTNERS"}


async def test_buf_curl_shows_the_status_and_the_field_violations_of_invalid_input(intake, la_token, buf):
    code, out, err = await _buf_curl(buf, "-H", f"authorization: Bearer {la_token}", "-d", '{"idempotencyKey": "short"}',
                                     f"http://{intake.address}/rapidreview.v1.IntakeService/NotifyIncident")
    assert code != 0
    status = json.loads(err)
    assert status["code"] == "invalid_argument"
    [detail] = status["details"]
    assert detail["type"] == "google.rpc.BadRequest"
    value = detail["value"].replace("-", "+").replace("_", "/")  # base64, padding dropped
    bad = error_details_pb2.BadRequest.FromString(base64.b64decode(value + "=" * (-len(value) % 4)))
    assert {v.field for v in bad.field_violations} == {"idempotency_key", "notification"}


async def test_the_documented_buf_convert_pipeline_turns_the_bad_request_detail_into_field_violations(intake, la_token, buf, tmp_path):
    """docs/integration.md §7: buf curl prints the BadRequest detail as base64; one line of Python
    makes it bytes, and `buf convert` with the shipped protos/google/rpc files prints it as JSON."""
    code, _, err = await _buf_curl(buf, "-H", f"authorization: Bearer {la_token}", "-d", '{"idempotencyKey": "short"}',
                                   f"http://{intake.address}/rapidreview.v1.IntakeService/NotifyIncident")
    assert code != 0
    (tmp_path / "error.json").write_text(err)
    extract = ('import base64,json; v=next(d["value"] for d in json.load(open("error.json"))["details"] '
               'if d["type"]=="google.rpc.BadRequest"); open("bad-request.binpb","wb").write(base64.urlsafe_b64decode(v+"="*(-len(v)%4)))')
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", extract, cwd=str(tmp_path))
    assert await process.wait() == 0
    process = await asyncio.create_subprocess_exec(
        buf, "convert", str(ROOT / "protos"), "--type", "google.rpc.BadRequest", "--from", "bad-request.binpb#format=binpb",
        "--to", "-#format=json", cwd=str(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, errors = await process.communicate()
    assert process.returncode == 0, errors.decode()
    assert json.loads(out) == {"fieldViolations": [
        {"field": "idempotency_key", "description": "8 to 128 printable characters"},
        {"field": "notification", "description": "required"}]}
