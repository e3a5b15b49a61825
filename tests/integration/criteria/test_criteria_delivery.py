"""The advisory-group summary reaches the partnership's recipients by e-mail
when it is rendered: criteria wired to the delivery consumer, a real SMTP server."""

from __future__ import annotations

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import criteria_pb2_grpc
from tests.integration.criteria.conftest import stop_quickly
from tests.integration.criteria.test_criteria_api import full_case
from tests.integration.delivery.smtp_server import PASSWORD, USER, SmtpServer
from tests.support.harness import Caller, RunningService, eventually

pytestmark = pytest.mark.integration


async def test_rendered_pdf_summary_is_emailed_to_the_partnership_with_no_child_reference_in_the_subject(
        criteria_env, events, creds, case_id, tmp_path):
    smtp = SmtpServer(tmp_path).start()
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD)
    config = tmp_path / "delivery.yaml"
    config.write_text(
        "smtp:\n"
        f"  host: 127.0.0.1\n  port: {smtp.port}\n  user: {USER}\n  password_file: {secret}\n  starttls: true\n"
        f"  ca_file: {smtp.ca}\n  from: Rapid Review <rapid-review@leeds.example>\n  timeout_seconds: 5\n"
        "partnerships:\n  leeds:\n    recipients: [rag-chair@leeds.example, business-unit@leeds.example]\n    delivery: attach\n")
    criteria = await RunningService("criteria", dict(criteria_env, RR_DELIVERY_CONFIG_FILE=str(config))).start()
    try:
        async with grpc.aio.insecure_channel(criteria.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)
            bu = Caller(creds, Role.BUSINESS_UNIT)
            await full_case(stub, bu, events, case_id)
            rendered = await stub.RenderSummary(S.RenderSummaryRequest(case_id=case_id, format=S.SUMMARY_FORMAT_PDF), metadata=bu.metadata())

        async def received():  # type: ignore[no-untyped-def]
            return list(smtp.recorder.received)

        [mail] = await eventually(received, timeout=60, what="the summary e-mail")
        assert sorted(mail.rcpt_tos) == ["business-unit@leeds.example", "rag-chair@leeds.example"]
        assert mail.tls and mail.authenticated
        assert "Child K" not in mail.message["Subject"]
        attachments = [part for part in mail.message.iter_attachments() if part.get_content_type() == "application/pdf"]
        assert len(attachments) == 1 and attachments[0].get_content().startswith(b"%PDF")
        assert rendered.content.startswith(b"%PDF")
    finally:
        await stop_quickly(criteria)
        smtp.stop()
