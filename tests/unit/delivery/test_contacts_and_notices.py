"""The partnership configuration's `contacts` section and the deadline e-mails
(reminders and chases): who gets them, and that they name no child."""

from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.delivery.contacts import Contacts
from rapidreview.delivery.notices import CHASE, DUE_SOON, OVERDUE, DeadlineNotice, compose, message_id
from rapidreview.kernel.config import ConfigError

CASE = "3f2a9c1b-0000-4000-8000-000000000001"


def test_a_partnership_takes_the_default_business_unit_and_adds_its_own_agencies():
    contacts = Contacts.from_mapping({
        "defaults": {"contacts": {"business_unit": ["rr@default.example"], "agencies": {"police": ["police@default.example"]}}},
        "partnerships": {
            "leeds": {"contacts": {"agencies": {"gp-practice": ["gp@leeds.example"]}}},
            "bradford": {"contacts": {"business_unit": ["rr@bradford.example"], "agencies": {"police": ["police@bradford.example"]}}},
            "wakefield": {"gathering": {"return_working_days": 12}},
        },
    })
    assert contacts.business_unit("leeds") == ("rr@default.example",)
    assert contacts.agency("leeds", "gp-practice") == ("gp@leeds.example",)
    assert contacts.agency("leeds", "police") == ("police@default.example",)
    assert contacts.business_unit("bradford") == ("rr@bradford.example",)
    assert contacts.agency("bradford", "police") == ("police@bradford.example",)
    assert contacts.business_unit("wakefield") == ("rr@default.example",)
    assert contacts.agency("york", "school") == ()
    assert Contacts.load(None).business_unit("leeds") == ()


@pytest.mark.parametrize("data, key", [
    ({"partnerships": {"leeds": {"contacts": {"business_unit": "rr@leeds.example"}}}}, "partnerships.leeds.contacts.business_unit"),
    ({"partnerships": {"leeds": {"contacts": {"business_unit": ["not an address"]}}}}, "partnerships.leeds.contacts.business_unit[0]"),
    ({"partnerships": {"leeds": {"contacts": {"agencies": {"Not An Id": ["a@b.example"]}}}}}, "partnerships.leeds.contacts.agencies"),
    ({"partnerships": {"leeds": {"contacts": {"agencies": {"police": []}}}}}, "partnerships.leeds.contacts.agencies.police"),
    ({"partnerships": {"leeds": {"contacts": {"business_units": ["a@b.example"]}}}}, "partnerships.leeds.contacts.business_units"),
    ({"defaults": {"contacts": ["a@b.example"]}}, "defaults.contacts"),
])
def test_a_wrong_contacts_entry_is_refused_naming_its_key(data, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        Contacts.from_mapping(data)


def notice(kind: str, working_days: int = 2, **kw) -> DeadlineNotice:  # noqa: ANN003
    return DeadlineNotice(partnership="leeds", case_id=CASE, clock_id=kw.pop("clock_id", "RR.AGENCIES"), subject_ref="gp-practice",
                          kind=kind, due=dt.date(2024, 6, 21), working_days=working_days, agency_name="GP practice", **kw)


def test_a_reminder_names_the_case_by_its_short_id_the_clock_and_the_timing():
    mail = compose(notice(DUE_SOON), ("gp@leeds.example",), sender="Rapid Review <rr@leeds.example>", sender_domain="leeds.example")
    assert mail["Subject"] == "Rapid Review: RR.AGENCIES due 2024-06-21 for case 3f2a9c1b"
    body = mail.get_content()
    assert "It is due on 2024-06-21, in 2 working days." in body and "Agency: GP practice" in body
    assert mail["To"] == "gp@leeds.example" and mail["Auto-Submitted"] == "auto-generated"
    overdue = compose(notice(OVERDUE, 3, clock_id="RR.DEADLINE"), ("rr@leeds.example",), sender="rr@leeds.example",
                      sender_domain="leeds.example")
    assert overdue["Subject"] == "Rapid Review: RR.DEADLINE overdue for case 3f2a9c1b (was due 2024-06-21)"
    assert "3 working days overdue" in overdue.get_content() and "sending the decision to the Panel" in overdue.get_content()


def test_a_chase_asks_for_the_return_and_says_when_it_was_due():
    mail = compose(notice(CHASE, -1, chase_id="c-1"), ("gp@leeds.example",), sender="rr@leeds.example", sender_domain="leeds.example")
    assert mail["Subject"] == "Rapid Review: your return for case 3f2a9c1b is awaited (due 2024-06-21)"
    assert "1 working day overdue" in mail.get_content() and "GP practice" in mail.get_content()


def test_the_same_notice_always_has_the_same_message_id_and_another_due_date_another():
    assert message_id(notice(DUE_SOON), "leeds.example") == message_id(notice(DUE_SOON), "leeds.example")
    moved = DeadlineNotice(**{**notice(DUE_SOON).__dict__, "due": dt.date(2024, 6, 24)})
    assert message_id(moved, "leeds.example") != message_id(notice(DUE_SOON), "leeds.example")
    assert message_id(notice(CHASE, chase_id="a"), "x.example") != message_id(notice(CHASE, chase_id="b"), "x.example")
