"""Police: submit the force's return to a rapid review information request.

    RR_GATHERING_ADDR=127.0.0.1:50052 \
    RR_TOKEN=$(rapidreview token --role agency --agency west-yorkshire-police) \
        python police_return.py CASE_ID

An agency token carries the agency id; the service refuses returns for any
other agency (PERMISSION_DENIED). Practitioners are named by role, never by name.
"""

from __future__ import annotations

import argparse
import sys

from _common import client_from_env, report
from _returns import print_result, submit, wait_for_request

from rapidreview_client import RapidReviewError
from rapidreview_client.v1 import common_pb2, gathering_pb2

AGENCY = common_pb2.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police", kind=common_pb2.AGENCY_KIND_POLICE,
                           area="West Yorkshire", area_type=common_pb2.AREA_TYPE_POLICE_AREA)


def police_return() -> gathering_pb2.AgencyReturn:
    return gathering_pb2.AgencyReturn(
        agency=AGENCY,
        involvement=gathering_pb2.INVOLVEMENT_INVOLVED,
        involvement_period=gathering_pb2.Period(start="2024-01-14", end="2024-06-04"),
        involvement_summary="Two domestic abuse call-outs to the family home and the joint response after the admission.",
        chronology=[
            gathering_pb2.ChronologyEntry(date="2024-01-14", contact_type=gathering_pb2.CONTACT_TYPE_CALL_OUT, practitioner_role="response officer",
                                          summary="Verbal argument reported by a neighbour; children asleep upstairs.",
                                          decisions="No further action; notification sent to children's social care."),
            gathering_pb2.ChronologyEntry(date="2024-04-20", contact_type=gathering_pb2.CONTACT_TYPE_CALL_OUT, practitioner_role="response officer",
                                          summary="Mother reported being pushed; father had left before arrival.",
                                          decisions="Referral to the domestic abuse service; not shared with health visiting."),
        ],
        learning=[gathering_pb2.Learning(description="Domestic abuse notifications about households with a baby are not shared with health visiting.",
                                         themes=["domestic abuse", "information sharing"])],
        concerns=[gathering_pb2.WorkingTogetherConcern(type=gathering_pb2.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=["health-visiting"],
                                                       description="The April call-out was not shared with health visiting.")],
        completed_by_role="detective inspector, safeguarding review team",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Submit the police return (agency).")
    parser.add_argument("case_id")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the information request")
    args = parser.parse_args(argv)
    with client_from_env() as client:
        try:
            request = wait_for_request(client, args.case_id, AGENCY.agency_id, args.wait)
            left = "overdue" if request.clock.overdue else f"{request.clock.working_days_left} working days left"
            print(f"request for {AGENCY.agency_id}: due {request.clock.effective_due or request.clock.due} ({left})")
            print_result(submit(client, args.case_id, police_return()))
        except RapidReviewError as error:
            return report(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
