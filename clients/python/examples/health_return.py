"""Health (a GP practice): submit a return, then amend it. An amendment is a
new version; earlier versions stay visible and the latest counts.

    RR_GATHERING_ADDR=127.0.0.1:50052 \
    RR_TOKEN=$(rapidreview token --role agency --agency gp-practice) \
        python health_return.py CASE_ID [--amend]
"""

from __future__ import annotations

import argparse
import sys

from _common import client_from_env, report
from _returns import print_result, submit, wait_for_request

from rapidreview_client import RapidReviewError
from rapidreview_client.v1 import common_pb2, gathering_pb2

AGENCY = common_pb2.Agency(agency_id="gp-practice", name="GP practice", kind=common_pb2.AGENCY_KIND_HEALTH_GP,
                           area="West Yorkshire ICB", area_type=common_pb2.AREA_TYPE_HEALTH_BOARD)


def gp_return(amended: bool = False) -> gathering_pb2.AgencyReturn:
    chronology = [
        gathering_pb2.ChronologyEntry(date="2024-02-06", contact_type=gathering_pb2.CONTACT_TYPE_APPOINTMENT, practitioner_role="practice nurse",
                                      summary="Eight-week check and first immunisations; no concerns recorded."),
        gathering_pb2.ChronologyEntry(date="2024-05-02", contact_type=gathering_pb2.CONTACT_TYPE_MISSED_CONTACT, practitioner_role="GP",
                                      summary="Child was not brought to a booked appointment; no follow-up made."),
    ]
    if amended:
        chronology.append(gathering_pb2.ChronologyEntry(
            date="2024-05-20", contact_type=gathering_pb2.CONTACT_TYPE_CALL, practitioner_role="GP",
            summary="Telephone consultation with the mother about the baby's crying; advice given."))
    return gathering_pb2.AgencyReturn(
        agency=AGENCY,
        involvement=gathering_pb2.INVOLVEMENT_INVOLVED,
        involvement_period=gathering_pb2.Period(start="2024-02-06", end="2024-06-04"),
        involvement_summary="Routine primary care for the baby; one missed appointment not followed up.",
        chronology=chronology,
        learning=[gathering_pb2.Learning(description="Was-not-brought appointments for babies are not followed up.",
                                         themes=["was not brought"])],
        completed_by_role="named GP for safeguarding",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Submit (and amend) the GP practice's return (agency).")
    parser.add_argument("case_id")
    parser.add_argument("--amend", action="store_true", help="submit an amended version afterwards")
    parser.add_argument("--wait", type=float, default=30.0)
    args = parser.parse_args(argv)
    with client_from_env() as client:
        try:
            wait_for_request(client, args.case_id, AGENCY.agency_id, args.wait)
            print_result(submit(client, args.case_id, gp_return()))
            if args.amend:
                print_result(submit(client, args.case_id, gp_return(amended=True)))
            versions = client.gathering.get_agency_return(
                gathering_pb2.GetAgencyReturnRequest(case_id=args.case_id, agency_id=AGENCY.agency_id)).versions
            print("versions: " + ", ".join(f"v{v.version} {v.submitted_on}" for v in versions))
        except RapidReviewError as error:
            return report(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
