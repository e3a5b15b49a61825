"""Each service's NATS user may publish only the subjects that service owns."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import nats
import pytest
from nats.js.errors import NoStreamResponseError

from rapidreview.kernel.bus import dead_letter_stream_config, events_stream_config
from rapidreview.stack import NatsServer
from rapidreview.stack.nats_accounts import NatsUsers, accounts_file, include_directive

pytestmark = pytest.mark.integration


@pytest.fixture
def secured_nats(monkeypatch):
    folder = Path(tempfile.mkdtemp(prefix="rr-nats-auth-"))
    users = NatsUsers.ensure(folder)
    for key, value in users.server_env().items():
        monkeypatch.setenv(key, value)
    path = accounts_file()
    assert path is not None, "deploy/nats/accounts.conf is the single source of the permissions"
    server = NatsServer(folder / "nats", config_extra=include_directive(path, folder / "nats"))
    server.start()
    yield server, users
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


async def _connect(server, users, user):
    errors = []

    async def on_error(exc):
        errors.append(exc)

    nc = await nats.connect(server.url, user=user, password=users.passwords[user], error_cb=on_error)
    return nc, errors


async def test_a_service_publishes_its_own_subjects_and_is_refused_another_services(secured_nats):
    server, users = secured_nats
    nc, errors = await _connect(server, users, "intake")
    try:
        js = nc.jetstream(timeout=2)
        await js.add_stream(events_stream_config())
        await js.add_stream(dead_letter_stream_config())
        ack = await js.publish("rr.v1.incident.notified", b"x", headers={"Nats-Msg-Id": "own-1"})
        assert ack.stream == "RR_EVENTS"
        with pytest.raises((NoStreamResponseError, nats.errors.TimeoutError, TimeoutError)):
            await js.publish("rr.v1.decision.recorded", b"forged", headers={"Nats-Msg-Id": "forged-1"})
    finally:
        await nc.close()
    admin, _ = await _connect(server, users, "admin")
    try:
        info = await admin.jetstream().stream_info("RR_EVENTS")
        assert info.state.messages == 1  # the forged event never reached the stream
    finally:
        await admin.close()


async def test_wrong_password_is_refused(secured_nats):
    server, _ = secured_nats
    with pytest.raises(Exception):
        await nats.connect(server.url, user="intake", password="wrong", allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)
    assert os.environ.get("NATS_INTAKE_PASSWORD")


async def test_the_workspace_consumes_every_services_events_and_publishes_only_its_dead_letters(secured_nats):
    from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

    server, users = secured_nats
    intake, _ = await _connect(server, users, "intake")
    try:
        js = intake.jetstream(timeout=2)
        await js.add_stream(events_stream_config())
        await js.add_stream(dead_letter_stream_config())
        await js.publish("rr.v1.incident.notified", b"event", headers={"Nats-Msg-Id": "own-ws-1"})
    finally:
        await intake.close()
    workspace, _ = await _connect(server, users, "workspace")
    try:
        js = workspace.jetstream(timeout=2)
        await js.add_consumer("RR_EVENTS", ConsumerConfig(durable_name="workspace-projection", filter_subjects=["rr.v1.incident.>"],
                                                          ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL))
        sub = await js.pull_subscribe_bind(durable="workspace-projection", stream="RR_EVENTS")
        [msg] = await sub.fetch(1, timeout=5)
        assert msg.data == b"event"
        await msg.ack()
        ack = await js.publish("rr.dlq.workspace.workspace-projection", b"letter", headers={"Nats-Msg-Id": "dlq-ws-1"})
        assert ack.stream == "RR_DEAD_LETTERS"
        with pytest.raises((NoStreamResponseError, nats.errors.TimeoutError, TimeoutError)):
            await js.publish("rr.v1.incident.withdrawn", b"forged", headers={"Nats-Msg-Id": "forged-ws-1"})
        with pytest.raises((NoStreamResponseError, nats.errors.TimeoutError, TimeoutError)):
            await js.publish("rr.dlq.intake.intake-decisions", b"forged", headers={"Nats-Msg-Id": "forged-ws-2"})
    finally:
        await workspace.close()
    admin, _ = await _connect(server, users, "admin")
    try:
        assert (await admin.jetstream().stream_info("RR_EVENTS")).state.messages == 1
        assert (await admin.jetstream().stream_info("RR_DEAD_LETTERS")).state.messages == 1
    finally:
        await admin.close()


def test_a_data_folder_made_before_the_workspace_user_gets_its_password_added(tmp_path):
    import json

    (tmp_path / "nats-passwords.json").write_text(json.dumps({"intake": "rrold"}))
    users = NatsUsers.ensure(tmp_path)
    assert users.passwords["intake"] == "rrold" and users.passwords["workspace"].startswith("rr")
    assert json.loads((tmp_path / "nats-passwords.json").read_text()) == users.passwords
