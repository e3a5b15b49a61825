"""Safeguarding partnership business unit: the status of every case - statutory
clocks from intake and, when RR_GATHERING_ADDR is set, which agencies have
returned their information.

    RR_INTAKE_ADDR=127.0.0.1:50051 [RR_GATHERING_ADDR=127.0.0.1:50052] \
    RR_TOKEN=$(rapidreview token --role business_unit) python business_unit_status.py [--overdue-only]
"""

from __future__ import annotations

import argparse
import sys

from _common import client_from_env, report

from rapidreview_client import NotFoundError, RapidReviewError
from rapidreview_client.v1 import gathering_pb2, intake_pb2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Case status for the business unit.")
    parser.add_argument("--overdue-only", action="store_true")
    args = parser.parse_args(argv)
    with client_from_env() as client:
        try:
            page_token, count = "", 0
            while True:
                page = client.intake.list_incidents(intake_pb2.ListIncidentsRequest(
                    overdue_only=args.overdue_only, page_size=50, page_token=page_token))
                for incident in page.incidents:
                    count += 1
                    print(f"case {incident.case_id[:8]}  {intake_pb2.IncidentStatus.Name(incident.status)}")
                    for clock in incident.clocks:
                        if clock.completed_on:
                            state = f"done {clock.completed_on}{' (late)' if clock.late else ''}"
                        elif clock.overdue:
                            state = f"OVERDUE since {clock.effective_due}"
                        else:
                            state = f"due {clock.effective_due}, {clock.working_days_left} working days left"
                        print(f"    {clock.id:<16} {state}")
                    if "gathering" in client.addresses:
                        try:
                            status = client.gathering.get_request_status(gathering_pb2.GetRequestStatusRequest(case_id=incident.case_id))
                        except NotFoundError:
                            print("    returns          no information requests yet")
                        else:
                            c = status.completeness
                            print(f"    returns          {c.returned}/{c.requested} returned, {c.overdue} overdue")
                page_token = page.next_page_token
                if not page_token:
                    break
            print(f"{count} case(s)")
        except RapidReviewError as error:
            return report(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
