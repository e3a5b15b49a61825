"""How the rapid review report words the API's enumerations."""

from __future__ import annotations

from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import gathering_pb2 as G
from rapidreview.v1 import intake_pb2 as I

DECISION = {
    D.REVIEW_DECISION_CSPR: "Hold a local child safeguarding practice review",
    D.REVIEW_DECISION_NO_CSPR: "No local child safeguarding practice review",
    D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: "An alternative learning review instead of a local CSPR",
    D.REVIEW_DECISION_REFER_NATIONAL: "Refer to the Panel for a national review",
}
DECISION_SHORT = {
    D.REVIEW_DECISION_CSPR: "local CSPR",
    D.REVIEW_DECISION_NO_CSPR: "no local CSPR",
    D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: "alternative learning review",
    D.REVIEW_DECISION_REFER_NATIONAL: "referred for a national review",
}
REASON = {
    D.DECISION_REASON_UNSPECIFIED: "not recorded",
    D.DECISION_REASON_CRITERIA_NOT_MET: "the criteria for a local review are not met",
    D.DECISION_REASON_LEARNING_ALREADY_IDENTIFIED: "the learning is already known and being acted on",
    D.DECISION_REASON_OTHER_REVIEW: "the learning will come from another review or process",
    D.DECISION_REASON_NATIONAL_REVIEW: "the Panel holds or considers a national review",
    D.DECISION_REASON_OTHER: "another reason (see the rationale)",
}
CONCLUSION = {
    D.CRITERION_CONCLUSION_YES: "yes",
    D.CRITERION_CONCLUSION_NO: "no",
    D.CRITERION_CONCLUSION_MAY: "may be met",
}
OUTCOME = {
    C.OUTCOME_MET: "met",
    C.OUTCOME_NOT_MET: "not met",
    C.OUTCOME_INDICATED: "indicated",
    C.OUTCOME_NOT_INDICATED: "not indicated",
    C.OUTCOME_NEEDS_JUDGEMENT: "needs judgement",
    C.OUTCOME_NOT_APPLICABLE: "not applicable",
}
PARTNER = {
    D.SAFEGUARDING_PARTNER_LOCAL_AUTHORITY: "Local authority",
    D.SAFEGUARDING_PARTNER_POLICE: "Police",
    D.SAFEGUARDING_PARTNER_HEALTH: "Health (integrated care board)",
}
RECIPIENT = {
    D.DECISION_RECIPIENT_PANEL: "The Panel",
    D.DECISION_RECIPIENT_FAMILY: "The family",
    D.DECISION_RECIPIENT_AGENCIES: "The agencies involved",
    D.DECISION_RECIPIENT_OTHER: "Others",
}
COMMUNICATION = {
    D.COMMUNICATION_STATUS_DONE: "told",
    D.COMMUNICATION_STATUS_PLANNED: "to be told",
    D.COMMUNICATION_STATUS_NOT_APPROPRIATE: "not told: not appropriate",
}
PANEL_RESPONSE = {
    D.PANEL_RESPONSE_KIND_AGREES: "agreed with the decision",
    D.PANEL_RESPONSE_KIND_CHALLENGES: "challenged the decision",
    D.PANEL_RESPONSE_KIND_NATIONAL_REVIEW: "commissioned a national review",
    D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE: "concluded that a local review may be more appropriate",
}
NATURE = {C.NATURE_DEATH: "The child died", C.NATURE_SERIOUS_HARM: "The child was seriously harmed", C.NATURE_OTHER: "Other"}
ABUSE = {
    C.ABUSE_OR_NEGLECT_KNOWN: "known",
    C.ABUSE_OR_NEGLECT_SUSPECTED: "suspected",
    C.ABUSE_OR_NEGLECT_NOT_SUSPECTED: "not suspected",
}
COUNTRY = {
    C.COUNTRY_ENGLAND: "England", C.COUNTRY_WALES: "Wales", C.COUNTRY_SCOTLAND: "Scotland",
    C.COUNTRY_NORTHERN_IRELAND: "Northern Ireland", C.COUNTRY_OUTSIDE_UK: "outside the United Kingdom",
}
INVOLVEMENT = {
    G.INVOLVEMENT_INVOLVED: "involved",
    G.INVOLVEMENT_NOT_INVOLVED: "no involvement",
}
SUBJECT = {
    G.ACTION_SUBJECT_CHILD: "the child",
    G.ACTION_SUBJECT_SIBLING: "a sibling",
    G.ACTION_SUBJECT_OTHER_CHILDREN: "other children",
    G.ACTION_SUBJECT_AGENCY_PRACTICE: "the agency's practice",
}
ACTED_ON = {G.ACTED_ON_YES: "yes", G.ACTED_ON_PARTLY: "partly", G.ACTED_ON_NO: "no"}

#: Short titles of the criteria the advisory group concludes on (RULES.md section 3).
CRITERION_TITLES = {
    "LOCAL.IMPROVEMENTS": "Improvements needed to safeguard and promote children's welfare",
    "LOCAL.RECURRENT_THEMES": "Recurrent themes",
    "LOCAL.MULTI_AGENCY": "Concerns about two or more agencies working together",
    "LOCAL.PANEL_VIEW": "The Panel considers a local review may be more appropriate",
    "REGARD.SINGLE_AGENCY": "Concern about the actions of a single agency",
    "REGARD.NO_AGENCY": "No agency involvement, itself a cause for concern",
    "REGARD.CROSS_BOUNDARY": "More than one local authority, police or health area involved",
    "REGARD.INSTITUTIONAL": "Safeguarding in an institutional setting",
}


def enum_text(mapping: dict[int, str], value: int, default: str = "not recorded") -> str:
    return mapping.get(value, default)


def enum_name(enum, value: int, prefix: str) -> str:  # type: ignore[no-untyped-def]
    """An enum value's name in words: SETTING_FAMILY_HOME -> "family home"."""
    try:
        return enum.Name(value).removeprefix(prefix).replace("_", " ").lower()
    except ValueError:
        return "not recorded"

#: Who a notification a duty needs was sent to (intake's NotificationRecipient).
NOTIFIED = {
    I.NOTIFICATION_RECIPIENT_PANEL: "the Panel",
    I.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE: "the Secretary of State",
    I.NOTIFICATION_RECIPIENT_OFSTED: "Ofsted",
    I.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS: "the safeguarding partners",
    I.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS: "the safeguarding partners of the child's home area",
}
#: What a clock counts from (its rule file's `counts_from` parameter).
COUNTS_FROM = {
    "la_aware_date": "awareness",
    "panel_notification_sent_date": "Panel notification",
    "decision_date": "decision",
    "publication_date": "publication",
}
