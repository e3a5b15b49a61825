"""Each service's NATS user may publish only the subjects that service owns, may read only its
own durable consumers, and may neither create nor change any stream or consumer: the operators'
user provisions them (`rapidreview nats provision`). So gathering cannot read decisions'
subjects, whatever JetStream call it tries."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NoStreamResponseError

from rapidreview.jetstream import CONSUMERS, declared_consumers, provision
from rapidreview.kernel.events import EVENTS_STREAM, new_event, subject_for
from rapidreview.stack import NatsServer
from rapidreview.stack.nats_accounts import NatsUsers, accounts_file, include_directive
from rapidreview.v1 import intake_pb2
from tests.support.harness import RunningService, dev_credentials, eventually, service_env

pytestmark = pytest.mark.integration

#: What a forbidden JetStream request looks like to a client: no answer (the server drops it
#: and reports a permissions violation asynchronously).
REFUSED = (nats.errors.TimeoutError, TimeoutError, NoStreamResponseError)


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
    errors: list[Exception] = []

    async def on_error(exc):
        errors.append(exc)

    nc = await nats.connect(server.url, user=user, password=users.passwords[user], error_cb=on_error,
                            inbox_prefix=f"_INBOX.{user}" if user != "admin" else "_INBOX")
    return nc, errors


async def _provisioned(server, users, env: dict[str, str] | None = None) -> None:
    """As the operators do it: as admin, with the services' settings (`env`)."""
    admin, _ = await _connect(server, users, "admin")
    try:
        await provision(admin.jetstream(timeout=10), env or {})
    finally:
        await admin.close()


def _violations(errors: list[Exception]) -> str:
    return " ".join(str(e) for e in errors).lower()


async def test_a_service_publishes_its_own_subjects_and_is_refused_another_services(secured_nats):
    server, users = secured_nats
    await _provisioned(server, users)
    nc, errors = await _connect(server, users, "intake")
    try:
        js = nc.jetstream(timeout=2)
        ack = await js.publish("rr.v1.incident.notified", b"x", headers={"Nats-Msg-Id": "own-1"})
        assert ack.stream == "RR_EVENTS"
        with pytest.raises(REFUSED):
            await js.publish("rr.v1.decision.recorded", b"forged", headers={"Nats-Msg-Id": "forged-1"})
    finally:
        await nc.close()
    admin, _ = await _connect(server, users, "admin")
    try:
        info = await admin.jetstream().stream_info("RR_EVENTS")
        assert info.state.messages == 1  # the forged event never reached the stream
    finally:
        await admin.close()


async def test_gathering_cannot_create_a_consumer_on_decisions_subjects(secured_nats):
    server, users = secured_nats
    await _provisioned(server, users)
    nc, errors = await _connect(server, users, "gathering")
    js = nc.jetstream(timeout=1)
    try:
        snoop = dict(filter_subjects=["rr.v1.decision.>"], deliver_policy=DeliverPolicy.ALL)
        with pytest.raises(REFUSED):  # a durable of its own
            await js.add_consumer(EVENTS_STREAM, ConsumerConfig(durable_name="gathering-snoop", **snoop))
        with pytest.raises(REFUSED):  # a named consumer through the newer API subject, one filter
            await js.add_consumer(EVENTS_STREAM, ConsumerConfig(name="gathering-peek", filter_subject="rr.v1.decision.>"))
        with pytest.raises(REFUSED):  # an ephemeral one
            await js.add_consumer(EVENTS_STREAM, ConsumerConfig(**snoop))
        with pytest.raises(REFUSED):  # its own durable, pointed at decisions' subjects
            await js.add_consumer(EVENTS_STREAM, ConsumerConfig(durable_name="gathering-incidents", **snoop))
        with pytest.raises(REFUSED):  # decisions' own durable, read from
            await js.consumer_info(EVENTS_STREAM, "decisions-events")
        with pytest.raises(REFUSED):  # a stream of its own over decisions' subjects
            await js.add_stream(name="SNOOP", subjects=["rr.v1.decision.>"])
        with pytest.raises(REFUSED):  # shortening the events' retention
            await js.update_stream(name=EVENTS_STREAM, subjects=["rr.v1.>"], max_age=1)
        decisions_pull = await js.pull_subscribe_bind(durable="decisions-events", stream=EVENTS_STREAM)
        with pytest.raises(REFUSED):
            await decisions_pull.fetch(1, timeout=1)
        await nc.subscribe("_INBOX.>")  # another service's replies (the events it pulls)
        await nc.subscribe("rr.v1.decision.>")  # a plain subscription
        await nc.flush()
        await eventually(lambda: _async_true(_violations(errors).count("permissions violation for subscription") >= 2),
                         timeout=5, what="the subscriptions to be refused")
    finally:
        await nc.close()
    admin, _ = await _connect(server, users, "admin")
    try:
        ajs = admin.jetstream()
        names = {c.name for c in await ajs.consumers_info(EVENTS_STREAM)}
        assert "gathering-snoop" not in names and "gathering-peek" not in names and len(names) == len(_all_declared())
        own = await ajs.consumer_info(EVENTS_STREAM, "gathering-incidents")
        assert sorted(own.config.filter_subjects) == ["rr.v1.incident.amended", "rr.v1.incident.notified",
                                                      "rr.v1.incident.panel_notified", "rr.v1.incident.withdrawn"]
        assert (await ajs.stream_info(EVENTS_STREAM)).config.max_age == 30 * 24 * 3600
        assert {s.config.name for s in await ajs.streams_info()} == {"RR_EVENTS", "RR_DEAD_LETTERS", "RR_AUDIT_CHECKPOINTS"}
    finally:
        await admin.close()


async def _async_true(value: bool) -> bool:
    return value


async def test_a_service_reads_and_acknowledges_its_own_durable(secured_nats):
    server, users = secured_nats
    await _provisioned(server, users)
    intake, _ = await _connect(server, users, "intake")
    gathering, errors = await _connect(server, users, "gathering")
    try:
        case_id = str(uuid.uuid4())
        envelope = new_event("incident.notified", intake_pb2.IncidentNotified(), producer="intake", case_id=case_id)
        await intake.jetstream().publish(subject_for("incident.notified", "intake"), envelope.SerializeToString(),
                                         headers={"Nats-Msg-Id": envelope.event_id})
        js = gathering.jetstream(timeout=2)
        assert (await js.consumer_info(EVENTS_STREAM, "gathering-incidents")).num_pending == 1
        sub = await js.pull_subscribe_bind(durable="gathering-incidents", stream=EVENTS_STREAM)
        [msg] = await sub.fetch(1, timeout=5)
        await msg.ack_sync()
        assert (await js.consumer_info(EVENTS_STREAM, "gathering-incidents")).num_ack_pending == 0
        assert "permissions violation" not in _violations(errors)
    finally:
        await intake.close()
        await gathering.close()


def _all_declared() -> dict[str, list[str]]:
    return {spec.durable: spec.subjects() for service in CONSUMERS for spec in declared_consumers(service, {})}


def _permissions_block(text: str, service: str) -> str:
    match = re.search(rf"^{service.upper()}_PERMISSIONS = \{{(.*?)^\}}", text, re.S | re.M)
    assert match, f"no {service.upper()}_PERMISSIONS block"
    return match.group(1)


def test_the_accounts_file_lets_each_service_read_exactly_its_declared_durables(tmp_path: Path):
    """A durable added to a service (or a new service) without its permissions fails here."""
    delivery = tmp_path / "delivery.yaml"
    delivery.write_text("smtp: {host: 127.0.0.1, port: 25, starttls: false, from: rr@example.org}\npartnerships: {leeds: {recipients: [rag@example.org]}}\n")
    text = accounts_file().read_text()  # type: ignore[union-attr]
    for service in CONSUMERS:
        declared = {spec.durable for spec in declared_consumers(service, {"RR_DELIVERY_CONFIG_FILE": str(delivery)})}
        block = _permissions_block(text, service)
        for api in ("CONSUMER.INFO", "CONSUMER.MSG.NEXT"):
            allowed = set(re.findall(rf'"\$JS\.API\.{re.escape(api)}\.RR_EVENTS\.([\w-]+)"', block))
            assert allowed == declared, (service, api)
        assert set(re.findall(r'"\$JS\.ACK\.RR_EVENTS\.([\w-]+)\.>"', block)) == declared, service
        assert re.findall(r'subscribe: \{\s*allow: \[(.*?)\]', block, re.S) == [f'"_INBOX.{service}.>"'], service
        assert "CREATE" not in block and "UPDATE" not in block and "DELETE" not in block and '"$JS.API.>"' not in block


async def test_a_service_waits_for_provisioning_then_serves_and_consumes(secured_nats, fresh_database, tmp_path):
    server, users = secured_nats
    creds = dev_credentials(tmp_path / "creds")
    env = service_env(fresh_database, server.url, creds, RR_NATS_USER="gathering", RR_NATS_PASSWORD=users.passwords["gathering"])
    service = await RunningService("gathering", env).start(wait_ready=False)
    try:
        await eventually(lambda: _async_true(service.port != 0), what="the service to bind")
        await service.wait_health(2)  # NOT_SERVING: its streams do not exist, and it may not create them
        assert not service.infra.bus.is_connected or not service.infra.bus._connected.is_set()
        await _provisioned(server, users, env)
        await service.wait_health(1, timeout=60)  # SERVING once the operator has provisioned
        intake, _ = await _connect(server, users, "intake")
        try:
            case_id = str(uuid.uuid4())
            from tests.support.examples import example_notification
            from rapidreview.v1 import intake_pb2 as S

            incident = S.Incident(case_id=case_id, partnership="leeds", notification=example_notification())
            envelope = new_event("incident.notified", S.IncidentNotified(incident=incident), producer="intake",
                                 case_id=case_id, partnership="leeds")
            await intake.jetstream().publish(subject_for("incident.notified", "intake"), envelope.SerializeToString(),
                                             headers={"Nats-Msg-Id": envelope.event_id})
        finally:
            await intake.close()
        admin, _ = await _connect(server, users, "admin")
        try:
            ajs = admin.jetstream()

            async def consumed() -> bool:
                info = await ajs.consumer_info(EVENTS_STREAM, "gathering-incidents")
                return info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq >= 1

            await eventually(consumed, timeout=30, what="gathering to consume the event with its own user")
        finally:
            await admin.close()
        # Started once everything is provisioned (the usual order), the service finds it all as it
        # expects and asks NATS for nothing it may not do.
        await service.stop()
        log_before = server.log_path.stat().st_size
        await service.start()
        await eventually(lambda: _async_true(service.infra.bus._provisioned), timeout=30, what="the streams to be checked")
        await asyncio.sleep(0)  # the consumers bind right after; SERVING was awaited by start()
        with open(server.log_path, "rb") as log:
            log.seek(log_before)
            assert b"Violation" not in log.read()
    finally:
        await service.stop()


async def test_wrong_password_is_refused(secured_nats):
    server, _ = secured_nats
    with pytest.raises(Exception):
        await nats.connect(server.url, user="intake", password="wrong", allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=2)
    assert os.environ.get("NATS_INTAKE_PASSWORD")


async def test_the_workspace_consumes_every_services_events_and_publishes_only_its_dead_letters(secured_nats):
    """The workspace's read model reads its own provisioned durable, like a service, and may
    create no consumer of its own."""
    server, users = secured_nats
    await _provisioned(server, users)
    intake, _ = await _connect(server, users, "intake")
    try:
        await intake.jetstream(timeout=2).publish("rr.v1.incident.notified", b"event", headers={"Nats-Msg-Id": "own-ws-1"})
    finally:
        await intake.close()
    workspace, _ = await _connect(server, users, "workspace")
    try:
        js = workspace.jetstream(timeout=2)
        sub = await js.pull_subscribe_bind(durable="workspace-projection", stream="RR_EVENTS")
        [msg] = await sub.fetch(1, timeout=5)
        assert msg.data == b"event"
        await msg.ack()
        ack = await js.publish("rr.dlq.workspace.workspace-projection", b"letter", headers={"Nats-Msg-Id": "dlq-ws-1"})
        assert ack.stream == "RR_DEAD_LETTERS"
        with pytest.raises(REFUSED):
            await js.publish("rr.v1.incident.withdrawn", b"forged", headers={"Nats-Msg-Id": "forged-ws-1"})
        with pytest.raises(REFUSED):
            await js.publish("rr.dlq.intake.intake-decisions", b"forged", headers={"Nats-Msg-Id": "forged-ws-2"})
        with pytest.raises(REFUSED):
            await js.add_consumer(EVENTS_STREAM, ConsumerConfig(durable_name="workspace-extra", filter_subject="rr.v1.>"))
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
