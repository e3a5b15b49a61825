"""The partner examples in clients/python/examples run as a partner would run
them (own process, settings from the environment) against services running
in-process, and have the effect they describe."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from tests.integration.client.conftest import CLIENT_PATH, ROOT
from tests.support.harness import eventually

from rapidreview_client import AsyncRapidReviewClient  # noqa: E402
from rapidreview_client.v1 import gathering_pb2, intake_pb2

pytestmark = pytest.mark.integration

EXAMPLES = ROOT / "clients" / "python" / "examples"


async def run_example(script: str, *args: str, env: dict[str, str], timeout: float = 120) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / script), *args, cwd=str(EXAMPLES),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(CLIENT_PATH), **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    return process.returncode, out.decode(), err.decode()


async def test_la_notify_example_records_one_incident_with_its_clocks_however_often_it_is_run(intake, la_token):
    env = {"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token}
    args = ("--key", "leeds-cm-2024-000123", "--panel-reference", "PANEL-2024-0042", "--panel-sent", "2024-06-07")
    code, first, err = await run_example("la_notify.py", *args, env=env)
    assert code == 0, err
    assert "recorded, key leeds-cm-2024-000123" in first and "clock RR.DEADLINE" in first
    code, second, err = await run_example("la_notify.py", *args, env=env)
    assert code == 0, err
    assert "already recorded" in second
    async with AsyncRapidReviewClient({"intake": intake.address}, token=la_token) as client:
        listed = await client.intake.list_incidents(intake_pb2.ListIncidentsRequest())
    assert len(listed.incidents) == 1
    assert listed.incidents[0].status == intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED
    assert f"case {listed.incidents[0].case_id}" in first


async def test_la_notify_example_reports_field_violations_and_exits_1(intake, la_token):
    code, out, err = await run_example("la_notify.py", "--key", "short", env={"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token})
    assert code == 1
    assert "INVALID_ARGUMENT" in err and "idempotency_key: 8 to 128 printable characters" in err and "request id" in err


async def test_business_unit_status_example_lists_cases_with_their_clocks(intake, la_token, business_unit_token):
    assert (await run_example("la_notify.py", env={"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token}))[0] == 0
    code, out, err = await run_example("business_unit_status.py", env={"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": business_unit_token})
    assert code == 0, err
    assert "INCIDENT_STATUS_NOTIFIED" in out and "NOTIFY.DEADLINE" in out and "1 case(s)" in out


async def test_health_and_police_examples_submit_amend_and_complete_the_returns(gathering, intake, la_token, police_token, gp_token,
                                                                                 business_unit_token):
    code, out, err = await run_example("la_notify.py", "--panel-reference", "PANEL-2024-0043", env={"RR_INTAKE_ADDR": intake.address, "RR_TOKEN": la_token})
    assert code == 0, err
    case_id = out.split()[1]
    # the GP practice returns and amends while the police return is still outstanding ...
    code, out, err = await run_example("health_return.py", case_id, "--amend", env={"RR_GATHERING_ADDR": gathering.address, "RR_TOKEN": gp_token})
    assert code == 0, err
    assert "return:gp-practice:v1" in out and "return:gp-practice:v2" in out and "versions: v1" in out, out
    # ... and the police return, the last one outstanding, completes the gathering
    code, out, err = await run_example("police_return.py", case_id, env={"RR_GATHERING_ADDR": gathering.address, "RR_TOKEN": police_token})
    assert code == 0, err
    assert "return:west-yorkshire-police:v1" in out and "the information is collated" in out, out
    async with AsyncRapidReviewClient({"gathering": gathering.address}, token=business_unit_token) as client:
        status = await client.gathering.get_request_status(gathering_pb2.GetRequestStatusRequest(case_id=case_id))
    assert {r.agency.agency_id: r.latest_version for r in status.requests} == {"west-yorkshire-police": 1, "gp-practice": 2}
    code, out, err = await run_example("business_unit_status.py", env={
        "RR_INTAKE_ADDR": intake.address, "RR_GATHERING_ADDR": gathering.address, "RR_TOKEN": business_unit_token})
    assert code == 0, err
    assert "2/2 returned" in out, out


async def test_sandbox_env_prints_the_service_addresses_of_the_running_stack(tmp_path):
    (tmp_path / "stack.json").write_text('{"services": {"intake": {"address": "127.0.0.1:50211"}, "gathering": {"address": "127.0.0.1:33547"}}}')
    code, out, err = await run_example("sandbox_env.py", "--data-dir", str(tmp_path), env={})
    assert code == 0, err
    assert out.splitlines() == ["export RR_GATHERING_ADDR=127.0.0.1:33547", "export RR_INTAKE_ADDR=127.0.0.1:50211"]
    code, out, err = await run_example("sandbox_env.py", "--data-dir", str(tmp_path / "nothing"), env={})
    assert code == 1 and "rapidreview up" in err
