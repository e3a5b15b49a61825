"""The contracts are language-neutral: the Node.js partner script in
tests/interop (@grpc/grpc-js + @grpc/proto-loader, pinned with a lockfile)
notifies an incident, records the Panel notification and submits an agency
return against services running in-process; the effects are checked through
the services' own API."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.client.conftest import ROOT

from rapidreview_client import AsyncRapidReviewClient  # noqa: E402
from rapidreview_client.v1 import gathering_pb2, intake_pb2

pytestmark = pytest.mark.integration

INTEROP = ROOT / "tests" / "interop"


@pytest.fixture(scope="module")
def node() -> str:
    """node, with tests/interop's pinned packages installed once (`npm ci`: the npm registry is the only network use)."""
    node_bin, npm = shutil.which("node"), shutil.which("npm")
    assert node_bin and npm, "Node.js 18+ and npm are needed for the interop test"
    marker = INTEROP / "node_modules" / ".package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < (INTEROP / "package-lock.json").stat().st_mtime:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=INTEROP, check=True, timeout=600, stdout=subprocess.DEVNULL)
    return node_bin


async def run_node(node: str, env: dict[str, str], timeout: float = 120) -> tuple[int, list[dict], str]:
    process = await asyncio.create_subprocess_exec(
        node, str(INTEROP / "notify-and-return.mjs"), cwd=str(INTEROP),
        env={"PATH": os.environ.get("PATH", ""), **env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    steps = [json.loads(line) for line in out.decode().splitlines() if line.startswith("{")]
    return process.returncode, steps, err.decode()


async def test_node_client_notifies_and_records_the_panel_notification(node, intake, la_token):
    code, steps, err = await run_node(node, {"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token, "RR_IDEMPOTENCY_KEY": "node-interop-000001"})
    assert code == 0, err
    by_step = {s["step"]: s for s in steps}
    case_id = by_step["notified"]["caseId"]
    assert by_step["notified"]["duties"]["DEF.SERIOUS_CASE"] == "OUTCOME_MET" and not by_step["notified"]["replayed"]
    assert "RR.DEADLINE" in by_step["panel_notified"]["clocks"]
    async with AsyncRapidReviewClient({"intake": intake.address}, token=la_token) as client:
        incident = (await client.intake.get_incident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident
    assert incident.status == intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED
    assert incident.notification.child.child_ref == "Child K" and incident.panel_notification.reference == "PANEL-NODE-1"
    # the same key again (a retry from a restarted partner system) returns the same case
    code, steps, err = await run_node(node, {"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token,
                                             "RR_IDEMPOTENCY_KEY": "node-interop-000001", "RR_PANEL_REFERENCE": "none"})
    assert code == 0, err
    assert steps[0]["caseId"] == case_id and steps[0]["replayed"]


async def test_node_client_reads_the_field_violations_of_a_refused_notification(node, intake, la_token, tmp_path: Path):
    request = json.loads((ROOT / "docs" / "examples" / "notification.json").read_text())
    request["notification"]["child"]["childRef"] = ""
    request["notification"]["laAwareDate"] = "2999-01-01"
    (tmp_path / "bad.json").write_text(json.dumps(request))
    code, steps, err = await run_node(node, {"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token,
                                             "RR_NOTIFICATION_FILE": str(tmp_path / "bad.json"), "RR_IDEMPOTENCY_KEY": "node-interop-bad-01"})
    assert code == 1 and steps == []
    failure = json.loads(err.strip().splitlines()[-1])
    assert failure["code"] == "INVALID_ARGUMENT" and failure["requestId"]
    fields = {v["field"] for v in failure["fieldViolations"]}
    assert {"notification.child.child_ref", "notification.la_aware_date"} <= fields


async def test_node_client_submits_an_agency_return_to_the_request_the_notification_opened(node, gathering, intake, la_token, police_token,
                                                                                          business_unit_token):
    code, steps, err = await run_node(node, {"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token,
                                             "RR_GATHERING_ADDR": gathering.address, "RR_AGENCY_TOKEN": police_token})
    assert code == 0, err
    by_step = {s["step"]: s for s in steps}
    case_id = by_step["notified"]["caseId"]
    assert by_step["return_submitted"]["returnRef"] == "return:west-yorkshire-police:v1"
    async with AsyncRapidReviewClient({"gathering": gathering.address}, token=business_unit_token) as client:
        stored = await client.gathering.get_agency_return(gathering_pb2.GetAgencyReturnRequest(case_id=case_id, agency_id="west-yorkshire-police"))
    assert stored.version.version == 1 and stored.version.submitted_by.startswith("dev-agency")
    assert stored.version.agency_return.chronology[0].practitioner_role == "response officer"


async def test_node_client_notifies_over_mutual_tls(node, intake_mtls, pki, la_token):
    env = {"RR_INTAKE_ADDR": intake_mtls.address, "RR_TOKEN": la_token, "RR_PANEL_REFERENCE": "none", "RR_TLS_CA_FILE": str(pki["ca"]),
           "RR_TLS_CLIENT_CERT_FILE": str(pki["client.crt"]), "RR_TLS_CLIENT_KEY_FILE": str(pki["client.key"])}
    code, steps, err = await run_node(node, env)
    assert code == 0, err
    assert steps[0]["step"] == "notified" and steps[0]["caseId"]
    # without a client certificate the server refuses the connection
    code, steps, err = await run_node(node, {k: v for k, v in env.items() if not k.startswith("RR_TLS_CLIENT")})
    assert code == 1 and json.loads(err.strip().splitlines()[-1])["code"] == "UNAVAILABLE"


async def test_node_decodes_the_whole_status_with_the_shipped_google_rpc_protos(node, intake, la_token, tmp_path: Path):
    """protos/google/rpc/ holds the status and error-details files a Node user decodes errors with."""
    request = json.loads((ROOT / "docs" / "examples" / "notification.json").read_text())
    request["notification"]["child"]["childRef"] = ""
    (tmp_path / "bad.json").write_text(json.dumps(request))
    code, _, err = await run_node(node, {"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token, "RR_DECODE_WITH_PROTOS": "1",
                                         "RR_NOTIFICATION_FILE": str(tmp_path / "bad.json"), "RR_IDEMPOTENCY_KEY": "node-interop-bad-02"})
    assert code == 1
    failure = json.loads(err.strip().splitlines()[-1])
    status = failure["status"]
    assert status["code"] == 3 and status["message"].startswith("invalid request")
    [detail] = status["details"]
    assert detail["type"] == "google.rpc.BadRequest"
    assert [(v["field"], v["description"]) for v in detail["fieldViolations"]] == \
        [(v["field"], v["description"]) for v in failure["fieldViolations"]]


def test_the_shipped_google_rpc_protos_are_googleapis_own():
    """protos/google/rpc/ are unchanged copies of the files googleapis-common-protos ships."""
    from google.rpc import status_pb2

    source = Path(status_pb2.__file__).parent
    for name in ("status.proto", "error_details.proto"):
        assert (ROOT / "protos" / "google" / "rpc" / name).read_bytes() == (source / name).read_bytes(), name
