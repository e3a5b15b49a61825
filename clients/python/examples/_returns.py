"""Submitting an agency return: wait for the information request, then submit."""

from __future__ import annotations

import time

from rapidreview_client import RapidReviewClient, RapidReviewError
from rapidreview_client.v1 import gathering_pb2


def wait_for_request(client: RapidReviewClient, case_id: str, agency_id: str, timeout: float = 30.0) -> gathering_pb2.InformationRequest:
    """The agency's information request on the case. Requests are opened from
    events shortly after the Panel notification is recorded, so poll briefly."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status = client.gathering.get_request_status(gathering_pb2.GetRequestStatusRequest(case_id=case_id))
            for request in status.requests:
                if request.agency.agency_id == agency_id:
                    return request
        except RapidReviewError as error:
            if error.code.name != "NOT_FOUND" or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"no information request for {agency_id} on case {case_id} after {timeout:.0f}s")
        time.sleep(0.5)


def submit(client: RapidReviewClient, case_id: str, agency_return: gathering_pb2.AgencyReturn) -> gathering_pb2.SubmitAgencyReturnResponse:
    """Submits the return. Submitting the same body again stores nothing and answers with
    the stored version (`replayed`), so a retry after a lost answer is safe."""
    return client.gathering.submit_agency_return(
        gathering_pb2.SubmitAgencyReturnRequest(case_id=case_id, agency_return=agency_return), timeout=15)


def print_result(response: gathering_pb2.SubmitAgencyReturnResponse) -> None:
    v = response.version
    print(f"return {v.return_ref} version {v.version} received {v.submitted_on}{' (late)' if v.late else ''}"
          f"{' - already received' if response.replayed else ''}")
    if response.collated:
        print("this was the last outstanding return: the information is collated")
