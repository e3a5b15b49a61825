"""The `rapidreview` intake commands for the notifications each duty needs,
amendments and referral decisions, against a running intake service."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2
from tests.integration.intake.test_duty_clocks import _notify, lac_death_without_abuse
from tests.support.examples import example_notification

pytestmark = pytest.mark.integration


async def _cli(address: str, token: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "RR_INTAKE_ADDR": address, "RR_TOKEN": token, "COLUMNS": "200"}
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "rapidreview.cli.main", *args, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_cli_records_notifications_sent_an_amendment_and_a_referral_decision(intake, intake_stub, la, creds, tmp_path):
    token = creds.token(Role.NOTIFYING_LA)
    lac = await _notify(intake_stub, la, lac_death_without_abuse(), "key-cli-lac")
    for to, day in (("secretary-of-state", "2024-06-05"), ("ofsted", "2024-06-06")):
        code, out, err = await _cli(intake.address, token, "notification-sent", lac.case_id, "--duty", "NOTIFY.LAC_DEATH",
                                    "--to", to, "--sent", day)
        assert code == 0, err
    assert "Notifications sent" in out and "secretary-of-state" in out and "ofsted" in out
    assert "NOTIFY.LAC_DEATH" in out and "2024-06-06" in out

    code, _, err = await _cli(intake.address, token, "notification-sent", lac.case_id, "--duty", "NOTIFY.LAC_DEATH",
                              "--to", "partners", "--sent", "2024-06-06")
    assert code == 1 and "INVALID_ARGUMENT" in err and "recipient" in err

    amended = lac_death_without_abuse()
    amended.abuse_or_neglect = common_pb2.ABUSE_OR_NEGLECT_SUSPECTED
    path = tmp_path / "amended.json"
    path.write_text(json.dumps({"notification": json_format.MessageToDict(amended)}))
    code, out, err = await _cli(intake.address, token, "amend", lac.case_id, str(path), "--reason", "Abuse now suspected.")
    assert code == 0, err
    assert "Notification version 2" in out and "abuse_or_neglect" in out and "NOTIFY.DEADLINE" in out

    referred = await _notify(intake_stub, la, example_notification(referred_by_agency="gp-practice"), "key-cli-referral")
    code, out, err = await _cli(intake.address, token, "referral-decision", referred.case_id, "--not-notify",
                                "--rationale", "Accidental injury.", "--decided", "2024-06-06")
    assert code == 0, err
    assert "INCIDENT_STATUS_WITHDRAWN" in out and "Referral decision NOT_NOTIFY" in out
