"""Advisory-group delivery against a real SMTP server started by the test
(STARTTLS and AUTH required): the summary e-mail arrives with the PDF, nothing
personal in the subject, retries with backoff, and a delivery record; the
handler runs behind a real durable JetStream consumer as the criteria service
registers it."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from rapidreview.delivery import DeliveryConfig, SummaryMailer, delivery_consumer_spec, delivery_tables, make_on_summary_ready
from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.consumer import EventConsumer, RetryableEventError, inbox_table
from rapidreview.kernel.db import Database, service_metadata
from rapidreview.kernel.events import EventRef, new_event
from rapidreview.stack.ports import free_port
from rapidreview.v1 import criteria_pb2
from tests.integration.delivery.smtp_server import PASSWORD, USER, SmtpServer
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

RECIPIENTS = ["rag-chair@leeds.example", "rag-members@leeds.example"]
CHILD_REF = "Child K"
PDF = b"%PDF-1.7\n% summary of " + CHILD_REF.encode() + b": criteria checklist\n%%EOF\n"


@pytest.fixture
def smtp(tmp_path: Path):
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


def config_for(server: SmtpServer, tmp_path: Path, *, password: str = PASSWORD, port: int | None = None, attempts: int = 3,
               leeds: dict | None = None) -> DeliveryConfig:
    secret = tmp_path / f"smtp-password-{uuid.uuid4().hex[:6]}"
    secret.write_text(password + "\n")
    return DeliveryConfig.from_dict({
        "smtp": {"host": "127.0.0.1", "port": port or server.port, "user": USER, "password_file": str(secret), "starttls": True,
                 "ca_file": str(server.ca), "from": "Rapid Review <rapid-review@leeds.example>", "timeout_seconds": 5},
        "retry": {"attempts": attempts, "backoff_seconds": [0.5, 2]},
        "partnerships": {"leeds": leeds or {"recipients": RECIPIENTS, "delivery": "attach"}},
    })


@pytest.fixture
async def db(fresh_database):
    schema = "criteria"
    metadata = service_metadata(schema)
    tables = delivery_tables(metadata)
    inbox = inbox_table(metadata)
    database = Database(fresh_database)
    async with database.transaction() as session:
        await session.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await session.run_sync(metadata.create_all)
    yield database, tables, inbox
    await database.dispose()


def ready(case_id: str | None = None, evaluation_id: str | None = None) -> criteria_pb2.SummaryReady:
    return criteria_pb2.SummaryReady(case_id=case_id or str(uuid.uuid4()), evaluation_id=evaluation_id or str(uuid.uuid4()),
                                     format=criteria_pb2.SUMMARY_FORMAT_PDF, sha256="ab" * 32)


def ref_for(payload: criteria_pb2.SummaryReady, partnership: str = "leeds") -> EventRef:
    return EventRef(event_id=str(uuid.uuid4()), event_type="summary.ready", case_id=payload.case_id, correlation_id="", partnership=partnership)


async def rows(database: Database, tables) -> list[dict]:
    async with database.transaction() as session:
        result = await session.execute(select(tables.deliveries).order_by(tables.deliveries.c.created_at))
        return [dict(r._mapping) for r in result]


class Fetch:
    def __init__(self, document: bytes = PDF) -> None:
        self.document = document
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, case_id: str, evaluation_id: str) -> bytes:
        self.calls.append((case_id, evaluation_id))
        return self.document


async def test_summary_ready_event_delivers_the_pdf_over_starttls_and_auth_without_personal_data_in_the_subject(
        smtp, db, nats_server, tmp_path):
    database, tables, inbox = db
    config = config_for(smtp, tmp_path)
    fetch = Fetch()
    spec = delivery_consumer_spec(make_on_summary_ready(config, tables, fetch), config)
    spec.durable = f"{spec.durable}-{uuid.uuid4().hex[:6]}"  # a durable of its own on the shared test server
    spec.filter_subjects = ["rr.v1.summary.ready"]
    bus = EventBus(BusOptions(servers=nats_server.url, name="test-delivery"))
    await bus.start()
    await bus.wait_connected(10)
    consumer = EventConsumer(spec, bus=bus, db=database, inbox=inbox, service="criteria")
    task = asyncio.create_task(consumer.run())
    payload = ready()
    try:
        envelope = new_event("summary.ready", payload, producer="criteria", case_id=payload.case_id, partnership="leeds")
        await bus.js.publish("rr.v1.summary.ready", envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.event_id})
        await eventually(lambda: _true(smtp.recorder.received), timeout=30, what="the summary e-mail at the SMTP server")
        await eventually(lambda: _true(consumer.processed), timeout=10, what="the event acknowledged")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bus.close()

    [mail] = smtp.recorder.received
    assert mail.tls and mail.authenticated  # STARTTLS, then AUTH
    assert sorted(mail.rcpt_tos) == sorted(RECIPIENTS)
    subject = str(mail.message["Subject"])
    assert subject == f"Rapid Review: criteria checklist summary ready for case {payload.case_id.replace('-', '')[:8]}"
    assert CHILD_REF not in subject and CHILD_REF not in mail.message.get_body(("plain",)).get_content()
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename().endswith(".pdf") and attachment.get_content() == PDF
    assert fetch.calls == [(payload.case_id, payload.evaluation_id)]
    [row] = await rows(database, tables)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["event_id"] == envelope.event_id
    assert json.loads(row["recipients"]) == RECIPIENTS and row["message_id"] == str(mail.message["Message-ID"])
    assert row["document_sha256"] and row["event_sha256"] == payload.sha256 and row["sent_at"] is not None


async def _true(value) -> bool:  # noqa: ANN001
    return bool(value)


async def test_temporary_refusal_is_retried_with_backoff_and_the_record_counts_the_attempts(smtp, db, tmp_path):
    database, tables, _ = db
    smtp.recorder.fail_data = 1
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    config = config_for(smtp, tmp_path)
    handler = make_on_summary_ready(config, tables, Fetch(), mailer=SummaryMailer(config, sleep=no_wait))
    payload = ready()
    async with database.transaction() as session:
        await handler(session, ref_for(payload), payload)
    assert len(smtp.recorder.received) == 1 and waits == [0.5]
    [row] = await rows(database, tables)
    assert row["status"] == "sent" and row["attempts"] == 2


async def test_refused_credentials_are_recorded_as_failed_and_not_retried(smtp, db, tmp_path):
    database, tables, _ = db
    handler = make_on_summary_ready(config_for(smtp, tmp_path, password="wrong"), tables, Fetch())
    payload = ready()
    async with database.transaction() as session:
        await handler(session, ref_for(payload), payload)
    assert smtp.recorder.received == [] and smtp.recorder.auth_attempts >= 1  # the server refused them (one session)
    [row] = await rows(database, tables)
    assert row["status"] == "failed" and row["attempts"] == 1 and row["reason"] == "SMTPAuthenticationError 535"
    assert "wrong" not in json.dumps(row, default=str)


async def test_unreachable_server_is_retried_then_left_to_the_consumer_redelivery(smtp, db, tmp_path):
    database, tables, _ = db
    config = config_for(smtp, tmp_path, port=free_port(), attempts=2)

    async def no_wait(seconds: float) -> None:
        return None

    handler = make_on_summary_ready(config, tables, Fetch(), mailer=SummaryMailer(config, sleep=no_wait))
    payload = ready()
    with pytest.raises(RetryableEventError, match="failed after 2 attempts: ConnectionRefusedError"):
        async with database.transaction() as session:
            await handler(session, ref_for(payload), payload)
    assert await rows(database, tables) == []  # rolled back with the inbox entry: the redelivery tries again


async def test_link_delivery_sends_a_link_and_never_fetches_the_document(smtp, db, tmp_path):
    database, tables, _ = db
    template = "https://rapidreview.leeds.example/cases/{case_id}/summaries/{evaluation_id}"
    fetch = Fetch()
    handler = make_on_summary_ready(config_for(smtp, tmp_path, leeds={"recipients": RECIPIENTS[:1], "delivery": "link", "link_template": template}),
                                    tables, fetch)
    payload = ready()
    async with database.transaction() as session:
        await handler(session, ref_for(payload), payload)
    [mail] = smtp.recorder.received
    assert list(mail.message.iter_attachments()) == [] and fetch.calls == []
    assert f"https://rapidreview.leeds.example/cases/{payload.case_id}/summaries/{payload.evaluation_id}" in mail.message.get_body().get_content()
    [row] = await rows(database, tables)
    assert row["mode"] == "link" and row["status"] == "sent" and row["document_sha256"] == ""


async def test_partnership_without_recipients_is_recorded_as_skipped_and_nothing_is_sent(smtp, db, tmp_path):
    database, tables, _ = db
    handler = make_on_summary_ready(config_for(smtp, tmp_path), tables, Fetch())
    payload = ready()
    async with database.transaction() as session:
        await handler(session, ref_for(payload, partnership="bradford"), payload)
    assert smtp.recorder.received == []
    [row] = await rows(database, tables)
    assert row["status"] == "skipped" and row["partnership"] == "bradford"


async def test_a_second_summary_ready_for_the_same_evaluation_sends_nothing_more(smtp, db, tmp_path):
    database, tables, _ = db
    handler = make_on_summary_ready(config_for(smtp, tmp_path), tables, Fetch())
    first = ready()
    again = ready(first.case_id, first.evaluation_id)
    for payload in (first, again):
        async with database.transaction() as session:
            await handler(session, ref_for(payload), payload)
    assert len(smtp.recorder.received) == 1
    assert [r["status"] for r in await rows(database, tables)] == ["sent", "skipped"]


async def test_server_without_starttls_gets_no_credentials_and_the_delivery_is_recorded_as_failed(db, tmp_path):
    database, tables, _ = db
    plain = SmtpServer(tmp_path, starttls=False).start()
    try:
        handler = make_on_summary_ready(config_for(plain, tmp_path), tables, Fetch())
        payload = ready()
        async with database.transaction() as session:
            await handler(session, ref_for(payload), payload)
    finally:
        plain.stop()
    assert plain.recorder.received == [] and plain.recorder.auth_attempts == 0
    [row] = await rows(database, tables)
    assert row["status"] == "failed" and row["reason"].startswith("SMTPNotSupportedError")
