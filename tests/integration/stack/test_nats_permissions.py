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
