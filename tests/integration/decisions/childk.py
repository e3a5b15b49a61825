"""The worked example (fictional Child K) as decisions sees it: intake's
incident events, a criteria evaluation, and the example requests in
docs/examples/decisions/."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from google.protobuf import json_format, timestamp_pb2

from rapidreview.v1 import common_pb2, criteria_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "decisions"

AGENCIES = [
    ("west-yorkshire-police", "West Yorkshire Police", common_pb2.AGENCY_KIND_POLICE),
    ("leeds-childrens-social-work", "Leeds Children's Social Work Service", common_pb2.AGENCY_KIND_CHILDRENS_SOCIAL_CARE),
    ("health-visiting", "Health visiting (community trust)", common_pb2.AGENCY_KIND_HEALTH_VISITING),
    ("gp-practice", "GP practice", common_pb2.AGENCY_KIND_HEALTH_GP),
    ("acute-hospital-trust", "Acute hospital trust", common_pb2.AGENCY_KIND_HEALTH_ACUTE_TRUST),
    ("sibling-nursery", "Nursery (sibling)", common_pb2.AGENCY_KIND_EARLY_YEARS),
]


def incident_notified(case_id: str, partnership: str = "leeds") -> intake_pb2.IncidentNotified:
    incident = intake_pb2.Incident(
        case_id=case_id,
        partnership=partnership,
        status=intake_pb2.INCIDENT_STATUS_NOTIFIED,
        edition=common_pb2.EDITION_WT2023,
        notification=intake_pb2.Notification(
            notifying_la="Leeds", incident_la="Leeds", incident_country=common_pb2.COUNTRY_ENGLAND, home_la="Leeds",
            child=intake_pb2.ChildDetails(child_ref="Child K", age_years=0), nature=common_pb2.NATURE_SERIOUS_HARM,
            abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_SUSPECTED, setting=common_pb2.SETTING_FAMILY_HOME,
            incident_date="2024-06-03", la_aware_date="2024-06-04",
            agencies=[common_pb2.Agency(agency_id=a, name=n, kind=k) for a, n, k in AGENCIES],
        ),
        clocks=[common_pb2.Clock(id="NOTIFY.DEADLINE", starts_from="2024-06-04", due="2024-06-11", effective_due="2024-06-11")],
    )
    return intake_pb2.IncidentNotified(incident=incident)


def panel_notified(case_id: str) -> intake_pb2.IncidentPanelNotified:
    return intake_pb2.IncidentPanelNotified(
        case_id=case_id,
        panel_notification=intake_pb2.PanelNotification(reference="PANEL-K", sent_date="2024-06-07"),
        rapid_review_clock=common_pb2.Clock(id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28", effective_due="2024-06-28"),
    )


def criteria_evaluated(case_id: str, evaluation_id: str | None = None) -> criteria_pb2.CriteriaEvaluated:
    at = timestamp_pb2.Timestamp()
    at.FromDatetime(dt.datetime(2024, 6, 21, 15, 0, tzinfo=dt.UTC))
    outcomes = {"LOCAL.IMPROVEMENTS": common_pb2.OUTCOME_INDICATED, "LOCAL.RECURRENT_THEMES": common_pb2.OUTCOME_INDICATED,
                "LOCAL.MULTI_AGENCY": common_pb2.OUTCOME_INDICATED, "LOCAL.PANEL_VIEW": common_pb2.OUTCOME_NOT_MET,
                "REGARD.SINGLE_AGENCY": common_pb2.OUTCOME_INDICATED, "REGARD.CROSS_BOUNDARY": common_pb2.OUTCOME_NOT_INDICATED,
                "REGARD.INSTITUTIONAL": common_pb2.OUTCOME_NOT_INDICATED}
    return criteria_pb2.CriteriaEvaluated(checklist=criteria_pb2.Checklist(
        evaluation_id=evaluation_id or str(uuid.uuid4()), case_id=case_id, edition=common_pb2.EDITION_WT2023,
        edition_version="wt2023@2023.1", criteria=[common_pb2.RuleOutcome(rule_id=k, outcome=v) for k, v in outcomes.items()],
        evaluated_at=at, trigger=criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED))


def example(name: str, message_type: type, **fields: object):  # type: ignore[no-untyped-def]
    """An example request from docs/examples/decisions/<name>.json with `fields` set."""
    msg = json_format.Parse((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"), message_type())
    for key, value in fields.items():
        if isinstance(value, list):
            del getattr(msg, key)[:]
            getattr(msg, key).extend(value)
        else:
            setattr(msg, key, value)
    return msg


def report_text() -> str:
    return (EXAMPLES / "report-child-p.md").read_text(encoding="utf-8")


def recommendation(case_id: str, evaluation_id: str, **fields: object) -> D.RecordRecommendationRequest:
    return example("recommendation", D.RecordRecommendationRequest, case_id=case_id, evaluation_id=evaluation_id, **fields)
