"""Local authority case management: notify a serious incident, then record the
Panel notification (which starts the 15-working-day rapid review clock).

    RR_INTAKE_ADDR=127.0.0.1:50051 RR_TOKEN=$(rapidreview token --role notifying_la) \
        python la_notify.py [--panel-reference PANEL-REF --panel-sent YYYY-MM-DD] [--key KEY]

Keep the idempotency key with your own record (here: your case reference): if
your system crashes after sending, sending again with the same key returns the
same incident instead of creating a second one.
"""

from __future__ import annotations

import argparse
import sys

from _common import client_from_env, report

from rapidreview_client import InvalidArgumentError, RapidReviewError
from rapidreview_client.v1 import common_pb2, intake_pb2


def child_k() -> intake_pb2.Notification:
    """The fictional worked example "Child K"."""
    return intake_pb2.Notification(
        notifying_la="Leeds",
        incident_la="Leeds",
        incident_country=common_pb2.COUNTRY_ENGLAND,
        home_la="Leeds",
        child=intake_pb2.ChildDetails(child_ref="Child K", age_years=0),  # a pseudonymous reference, never a name
        nature=common_pb2.NATURE_SERIOUS_HARM,
        harm_description="Skull fracture and rib fractures of different ages found at hospital.",
        harm_domains=[common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH],
        abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_SUSPECTED,
        setting=common_pb2.SETTING_FAMILY_HOME,
        incident_date="2024-06-03",
        la_aware_date="2024-06-04",
        agencies=[
            common_pb2.Agency(agency_id="west-yorkshire-police", name="West Yorkshire Police", kind=common_pb2.AGENCY_KIND_POLICE,
                              area="West Yorkshire", area_type=common_pb2.AREA_TYPE_POLICE_AREA),
            common_pb2.Agency(agency_id="gp-practice", name="GP practice", kind=common_pb2.AGENCY_KIND_HEALTH_GP,
                              area="West Yorkshire ICB", area_type=common_pb2.AREA_TYPE_HEALTH_BOARD),
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Notify a serious incident (local authority).")
    parser.add_argument("--key", default="", help="idempotency key (default: one is generated and printed)")
    parser.add_argument("--panel-reference", default="", help="record the Panel notification with this reference")
    parser.add_argument("--panel-sent", default="2024-06-07", help="date the Panel notification was sent")
    args = parser.parse_args(argv)

    request = intake_pb2.NotifyIncidentRequest(idempotency_key=args.key, notification=child_k())
    with client_from_env() as client:
        try:
            response = client.intake.notify_incident(request, timeout=10)
        except InvalidArgumentError as error:  # fix the fields named and send again with the same key
            return report(error)
        except RapidReviewError as error:
            return report(error)
        incident = response.incident
        print(f"case {incident.case_id} ({'already recorded' if response.replayed else 'recorded'}, key {request.idempotency_key})")
        for duty in incident.duties:
            print(f"  duty {duty.rule_id}: {common_pb2.Outcome.Name(duty.outcome)}")
        if args.panel_reference:
            try:
                incident = client.intake.record_panel_notification(intake_pb2.RecordPanelNotificationRequest(
                    case_id=incident.case_id, reference=args.panel_reference, sent_date=args.panel_sent)).incident
            except RapidReviewError as error:
                return report(error)
        for clock in incident.clocks:
            if clock.completed_on:
                state = f"done {clock.completed_on}{', late' if clock.late else ''}"
            else:
                state = "overdue" if clock.overdue else f"{clock.working_days_left} working days left"
            print(f"  clock {clock.id}: due {clock.effective_due or clock.due} ({state})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
