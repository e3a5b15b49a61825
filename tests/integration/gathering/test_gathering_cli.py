"""The `rapidreview` gathering commands against a running gathering service."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from rapidreview.kernel.auth import Role
from tests.integration.gathering.conftest import open_case
from tests.unit.gathering.returns import EXAMPLES

pytestmark = pytest.mark.integration


async def _cli(address: str, token: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "RR_GATHERING_ADDR": address, "RR_TOKEN": token, "COLUMNS": "200"}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "rapidreview.cli.main", *args, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_cli_shows_requests_submits_a_return_and_shows_the_collated_picture(gathering, stub, bu, creds, intake_events):
    case_id = await open_case(stub, bu, intake_events, agencies=("west-yorkshire-police", "gp-practice"))
    bu_token = creds.token(Role.BUSINESS_UNIT)
    police_token = creds.token(Role.AGENCY, agency="west-yorkshire-police")

    code, out, err = await _cli(gathering.address, bu_token, "requests", case_id)
    assert code == 0, err
    assert "West Yorkshire Police" in out and "2024-06-21" in out and "0/2 returned" in out
    assert "awaiting" in out

    code, out, err = await _cli(gathering.address, police_token, "submit-return", str(EXAMPLES / "agency-return-police.json"),
                                "--case", case_id)
    assert code == 0, err
    assert "return:west-yorkshire-police:v1" in out

    code, out, err = await _cli(gathering.address, police_token, "submit-return", str(EXAMPLES / "agency-return-gp-late.json"),
                                "--case", case_id)
    assert code == 1 and "PERMISSION_DENIED" in err

    code, out, err = await _cli(gathering.address, bu_token, "collated", case_id)
    assert code == 0, err
    assert "PARTIAL" in out and "Missing returns: GP practice" in out
    assert "domestic abuse" in out and "2024-04-20" in out
