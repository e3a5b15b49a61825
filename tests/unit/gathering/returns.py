"""Agency returns for tests: the documented Child K examples and synthetic large cases."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from google.protobuf import json_format

from rapidreview.v1 import common_pb2, gathering_pb2

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
EXAMPLE_NAMES = ("police", "social-care", "gp-late", "hospital", "health-visiting", "nursery", "housing")
# Agency ids in the order of docs/examples/notification.json.
NOTIFIED_ORDER = ("west-yorkshire-police", "gp-practice", "leeds-childrens-social-work", "health-visiting",
                  "acute-hospital-trust", "sibling-nursery", "housing-association")


def example_request(name: str, case_id: str = "") -> gathering_pb2.SubmitAgencyReturnRequest:
    """docs/examples/agency-return-<name>.json, optionally for another case id."""
    request = json_format.Parse((EXAMPLES / f"agency-return-{name}.json").read_text(encoding="utf-8"),
                                gathering_pb2.SubmitAgencyReturnRequest())
    if case_id:
        request.case_id = case_id
    return request


def example_returns() -> dict[str, gathering_pb2.AgencyReturn]:
    """The example returns by agency id."""
    out = {}
    for name in EXAMPLE_NAMES:
        r = example_request(name).agency_return
        out[r.agency.agency_id] = r
    return out


def synthetic_agency(i: int) -> common_pb2.Agency:
    return common_pb2.Agency(agency_id=f"agency-{i:02d}", name=f"Agency {i}", kind=common_pb2.AGENCY_KIND_OTHER,
                             area="Leeds", area_type=common_pb2.AREA_TYPE_LOCAL_AUTHORITY)


CONTACT_TYPES = [t for t in gathering_pb2.ContactType.values() if t]
WORDS = ("visit mother baby seen father absent concern bruise call referral school nursery plan meeting "
         "assessment housing rent arrears domestic abuse police health visitor clinic missed appointment").split()


def synthetic_return(i: int, entries: int, *, seed: int = 0, start: dt.date = dt.date(2021, 1, 4),
                     days: int = 1000) -> gathering_pb2.AgencyReturn:
    """A return of `entries` chronology entries with random dates and distinct summaries."""
    rng = random.Random(seed * 1000 + i)
    r = gathering_pb2.AgencyReturn(agency=synthetic_agency(i), involvement=gathering_pb2.INVOLVEMENT_INVOLVED,
                                   involvement_period=gathering_pb2.Period(start=start.isoformat()),
                                   involvement_summary=f"Agency {i} involvement.")
    for n in range(entries):
        day = start + dt.timedelta(days=rng.randrange(days))
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        r.chronology.add(date=day.isoformat(), contact_type=rng.choice(CONTACT_TYPES), practitioner_role="practitioner",
                         summary=f"Entry {n} of agency {i} ref {rng.getrandbits(32):08x} {rng.getrandbits(32):08x}: {words}")
    r.learning.add(description="Learning.", themes=["information sharing", f"theme {i % 3}"])
    r.good_practice.add(description="Good practice.")
    r.concerns.add(type=gathering_pb2.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=[f"agency-{(i + 1) % 20:02d}"],
                   description="Concern.")
    return r
