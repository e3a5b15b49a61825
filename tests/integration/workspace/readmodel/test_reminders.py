"""Reminders: deadline events become e-mails to the agency's contacts or the
business unit, over a real SMTP server (STARTTLS and AUTH), once per clock,
threshold and due date, recorded for the case page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from tests.integration.delivery.smtp_server import PASSWORD, USER, SmtpServer
from tests.integration.workspace.readmodel.conftest import start, stop, test_config
from tests.integration.workspace.readmodel.events import SENT, Case, envelope, publish
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

D = dt.date
POLICE = ["safeguarding-reviews@police.example"]
BUSINESS_UNIT = ["rapid-review@leeds.example", "lscp@leeds.example"]


@pytest.fixture
def smtp(tmp_path: Path):
    server = SmtpServer(tmp_path).start()
    yield server
    server.stop()


def write_config(tmp_path: Path, smtp: SmtpServer) -> tuple[Path, Path]:
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD)
    delivery = tmp_path / "delivery.yaml"
    delivery.write_text(yaml.safe_dump({
        "smtp": {"host": "127.0.0.1", "port": smtp.port, "user": USER, "password_file": str(secret), "starttls": True,
                 "ca_file": str(smtp.ca), "from": "Rapid Review <rapid-review@leeds.example>", "timeout_seconds": 5},
        "retry": {"attempts": 2, "backoff_seconds": [0.2]},
        "partnerships": {"leeds": {"recipients": ["rag@leeds.example"]}},
    }))
    partnerships = tmp_path / "partnerships.yaml"
    partnerships.write_text(yaml.safe_dump({"partnerships": {"leeds": {"contacts": {
        "business_unit": BUSINESS_UNIT, "agencies": {"west-yorkshire-police": POLICE}}}}}))
    return delivery, partnerships


@pytest.fixture
async def reminding(fresh_database, own_nats, smtp, tmp_path):
    delivery, partnerships = write_config(tmp_path, smtp)
    config = test_config(reminders=True, delivery_config_file=delivery, partnership_config_file=partnerships,
                         reminder_link_template="https://rapidreview.leeds.example/cases/{case_id}")
    running = await start(fresh_database, own_nats, config)
    yield running
    await stop(running)


def subject(mail) -> str:  # noqa: ANN001
    return " ".join(str(mail.message["Subject"]).split())  # a long subject arrives folded


async def mails(smtp: SmtpServer, n: int) -> list:
    async def enough():
        return len(smtp.recorder.received) >= n

    await eventually(enough, timeout=30, what=f"{n} e-mails")
    return smtp.recorder.received


async def reminders_of(workspace, case: Case, n: int) -> list:  # noqa: ANN001
    async def enough():
        found = await workspace.rm.reminders(case.partnership, case.case_id)
        return found if len(found) >= n and all(r.status != "pending" for r in found) else None

    return await eventually(enough, timeout=30, what=f"{n} reminders recorded")


async def test_a_request_clock_warns_the_agency_and_a_case_clock_the_business_unit_once_each(reminding, smtp):
    case = Case()
    for event in (case.notified(), case.panel_notified(), case.request_opened("west-yorkshire-police")):
        await publish(reminding.bus, envelope(case, event))
    await eventually(lambda: reminding.rm.agency_requests("leeds", "west-yorkshire-police", SENT), what="the request projected")
    agency_due = envelope(case, case.due_soon("RR.AGENCIES", "west-yorkshire-police", D(2024, 6, 21), left=2), producer="gathering")
    rr_overdue = envelope(case, case.overdue("RR.DEADLINE", "case", D(2024, 6, 28), days=3))
    await publish(reminding.bus, agency_due)
    await publish(reminding.bus, rr_overdue)
    received = await mails(smtp, 2)

    by_recipients = {tuple(sorted(m.rcpt_tos)): m for m in received}
    to_agency, to_unit = by_recipients[tuple(POLICE)], by_recipients[tuple(sorted(BUSINESS_UNIT))]
    short = case.case_id.replace("-", "")[:8]
    assert to_agency.tls and to_agency.authenticated
    assert subject(to_agency) == f"Rapid Review: RR.AGENCIES due 2024-06-21 for case {short}"
    agency_body = to_agency.message.get_body(("plain",)).get_content()
    assert "in 2 working days" in agency_body and "West Yorkshire Police" in agency_body
    assert f"https://rapidreview.leeds.example/cases/{case.case_id}" in agency_body
    assert subject(to_unit) == f"Rapid Review: RR.DEADLINE overdue for case {short} (was due 2024-06-28)"
    assert "3 working days overdue" in to_unit.message.get_body(("plain",)).get_content()
    for mail in received:  # nothing personal: never the child reference
        assert "Child K" not in str(mail.message["Subject"]) and "Child K" not in mail.message.get_body(("plain",)).get_content()

    # The same events again (a redelivery past JetStream's de-duplication) and a duplicate
    # event for the same clock, threshold and due date: nothing more is sent.
    await publish(reminding.bus, agency_due, msg_id=agency_due.event_id + "-again")
    await publish(reminding.bus, envelope(case, case.overdue("RR.DEADLINE", "case", D(2024, 6, 28), days=4)))
    marker = envelope(case, case.due_soon("POST.INFORM", "case", D(2024, 7, 1)), producer="decisions")
    await publish(reminding.bus, marker)  # processed after the duplicates: a third e-mail proves they were handled
    await mails(smtp, 3)
    recorded = await reminders_of(reminding, case, 3)
    assert len(smtp.recorder.received) == 3
    assert [(r.clock_id, r.kind, r.recipient_role, r.agency_id, r.status, r.recipients) for r in recorded] == [
        ("RR.AGENCIES", "due_soon", "agency", "west-yorkshire-police", "sent", 1),
        ("RR.DEADLINE", "overdue", "business_unit", "", "sent", 2),
        ("POST.INFORM", "due_soon", "business_unit", "", "sent", 2),
    ]
    assert all(r.sent_at is not None for r in recorded)


async def test_a_moved_deadline_is_warned_of_again(reminding, smtp):
    case = Case()
    await publish(reminding.bus, envelope(case, case.notified()))
    await publish(reminding.bus, envelope(case, case.due_soon("RR.DEADLINE", "case", D(2024, 6, 28))))
    await mails(smtp, 1)
    await publish(reminding.bus, envelope(case, case.due_soon("RR.DEADLINE", "case", D(2024, 7, 12))))  # extended since
    await mails(smtp, 2)
    assert [r.due for r in await reminders_of(reminding, case, 2)] == [D(2024, 6, 28), D(2024, 7, 12)]


async def test_reminders_not_needed_any_more_are_recorded_as_suppressed_and_not_sent(reminding, smtp):
    case = Case()
    for event in (case.notified(), case.panel_notified(), case.request_opened("west-yorkshire-police"),
                  case.return_submitted("west-yorkshire-police")):
        await publish(reminding.bus, envelope(case, event))

    async def returned():
        requests = await reminding.rm.agency_requests("leeds", "west-yorkshire-police", SENT)
        return requests and requests[0].status == "returned"

    await eventually(returned, what="the return in the read model")
    await publish(reminding.bus, envelope(case, case.overdue("RR.AGENCIES", "west-yorkshire-police", D(2024, 6, 21))))
    await publish(reminding.bus, envelope(case, case.due_soon("NOTIFY.DEADLINE", "case", D(2024, 6, 11))))  # met on 7 June
    recorded = await reminders_of(reminding, case, 2)
    assert {(r.clock_id, r.status, r.reason) for r in recorded} == {
        ("RR.AGENCIES", "suppressed", "the return was received"), ("NOTIFY.DEADLINE", "suppressed", "the duty was done")}
    assert smtp.recorder.received == []


async def test_an_agency_without_contacts_is_recorded_as_no_contact(reminding, smtp):
    case = Case()
    await publish(reminding.bus, envelope(case, case.notified()))
    await publish(reminding.bus, envelope(case, case.due_soon("RR.AGENCIES", "gp-practice", D(2024, 6, 21))))
    [recorded] = await reminders_of(reminding, case, 1)
    assert (recorded.status, recorded.recipient_role, recorded.reason) == ("no_contact", "agency", "no agency contact configured")
    assert smtp.recorder.received == []


async def test_a_temporary_refusal_is_retried_and_the_reminder_sent_once(reminding, smtp):
    smtp.recorder.fail_data = 2  # both attempts of the first delivery refused: the event is redelivered
    case = Case()
    await publish(reminding.bus, envelope(case, case.notified()))
    await publish(reminding.bus, envelope(case, case.overdue("RR.DEADLINE", "case", D(2024, 6, 28))))
    [recorded] = await reminders_of(reminding, case, 1)
    assert recorded.status == "sent" and len(smtp.recorder.received) == 1


async def test_without_e_mail_delivery_reminders_are_recorded_as_not_configured(fresh_database, own_nats, tmp_path):
    partnerships = tmp_path / "partnerships.yaml"
    partnerships.write_text(yaml.safe_dump({"partnerships": {"leeds": {"contacts": {"business_unit": BUSINESS_UNIT}}}}))
    running = await start(fresh_database, own_nats, test_config(reminders=True, partnership_config_file=partnerships))
    try:
        case = Case()
        await publish(running.bus, envelope(case, case.due_soon("RR.DEADLINE", "case", D(2024, 6, 28))))
        [recorded] = await reminders_of(running, case, 1)
        assert (recorded.status, recorded.recipient_role) == ("not_configured", "business_unit")
    finally:
        await stop(running)


async def test_a_looked_after_childs_clock_is_still_reminded_of_after_a_withdrawal_and_a_stopped_clock_is_not(reminding, smtp):
    from tests.integration.workspace.readmodel.events import clock, times

    aware = D(2024, 6, 4)
    due = D(2024, 6, 11)
    case = Case()
    duties = {"NOTIFY.PANEL_IN_AREA": True, "NOTIFY.LAC_DEATH": True, "NOTIFY.PARTNERS": True, "RR.REQUIRED": True}
    first, second, third = times(3)
    await publish(reminding.bus, envelope(case, case.notified_with(
        duties=duties, clocks=[clock(c, aware, due) for c in ("NOTIFY.DEADLINE", "NOTIFY.LAC_DEATH", "NOTIFY.PARTNERS")]), at=first))
    # Amended: the partners' duty no longer arises, and intake stopped its clock.
    await publish(reminding.bus, envelope(case, case.amended(2, duties={**duties, "NOTIFY.PARTNERS": False},
                                                             clocks=[clock(c, aware, due) for c in ("NOTIFY.DEADLINE", "NOTIFY.LAC_DEATH")]),
                                          at=second))
    await publish(reminding.bus, envelope(case, case.withdrawn(), at=third))

    async def withdrawn():
        summary = await reminding.rm.case("leeds", case.case_id, SENT)
        return summary is not None and summary.withdrawn and summary.notification_version == 2

    await eventually(withdrawn, what="the amendment and the withdrawal in the read model")
    for clock_id in ("NOTIFY.LAC_DEATH", "NOTIFY.DEADLINE", "NOTIFY.PARTNERS"):
        await publish(reminding.bus, envelope(case, case.due_soon(clock_id, "case", due)))
    recorded = await reminders_of(reminding, case, 3)
    assert {(r.clock_id, r.status, r.reason) for r in recorded} == {
        ("NOTIFY.LAC_DEATH", "sent", ""), ("NOTIFY.DEADLINE", "suppressed", "the notification was withdrawn"),
        ("NOTIFY.PARTNERS", "suppressed", "the duty no longer arises (the notification was amended)")}
    [mail] = await mails(smtp, 1)
    assert "NOTIFY.LAC_DEATH" in subject(mail)
    assert "Secretary of State and Ofsted" in mail.message.get_body(("plain",)).get_content()
