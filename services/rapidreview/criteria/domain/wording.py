"""The words the summary uses for the API's enums and the catalogue's sections.
Kept apart so that a partnership's preferred wording is one file to change."""

from __future__ import annotations

from rapidreview.v1 import common_pb2, criteria_pb2, gathering_pb2

SECTIONS = (
    ("1. Is this a serious child safeguarding case?",
     "Definitions and the duty to notify the Panel (RULES.md section 1).", ("DEF.", "NOTIFY.")),
    ("2. The rapid review", "Whether a rapid review is required, and its clocks (RULES.md section 2).", ("RR.",)),
    ("3. Should there be a local child safeguarding practice review?",
     "The criteria the partners must take into account (Regs 2018 reg 11); the list is not closed.", ("LOCAL.",)),
    ("4. Circumstances to have regard to",
     "Circumstances Working Together asks the partners to have regard to.", ("REGARD.",)),
)

OUTCOME_TEXT = {
    common_pb2.OUTCOME_MET: ("Met", "met"),
    common_pb2.OUTCOME_NOT_MET: ("Not met", "not-met"),
    common_pb2.OUTCOME_INDICATED: ("Indicated", "indicated"),
    common_pb2.OUTCOME_NOT_INDICATED: ("Not indicated", "not-indicated"),
    common_pb2.OUTCOME_NEEDS_JUDGEMENT: ("Needs judgement", "judgement"),
    common_pb2.OUTCOME_NOT_APPLICABLE: ("Not applicable", "not-applicable"),
}
STATUS_TEXT = {
    common_pb2.RULE_STATUS_STATUTORY: "statutory",
    common_pb2.RULE_STATUS_GUIDANCE: "guidance",
    common_pb2.RULE_STATUS_VERIFY: "to verify",
    common_pb2.RULE_STATUS_LOCAL: "local practice",
}
TRIGGER_TEXT = {
    criteria_pb2.EVALUATION_TRIGGER_UNSPECIFIED: "what-if evaluation",
    criteria_pb2.EVALUATION_TRIGGER_INCIDENT_NOTIFIED: "incident notified (initial checklist)",
    criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED: "agency information collated (full checklist)",
    criteria_pb2.EVALUATION_TRIGGER_PANEL_RESPONSE: "Panel response recorded",
    criteria_pb2.EVALUATION_TRIGGER_NEW_THEMES: "new learning themes from earlier reviews",
    criteria_pb2.EVALUATION_TRIGGER_MANUAL: "re-evaluation requested",
    criteria_pb2.EVALUATION_TRIGGER_PANEL_NOTIFIED: "Panel notification recorded",
    criteria_pb2.EVALUATION_TRIGGER_DECISION_RECORDED: "rapid review decision recorded",
    criteria_pb2.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN: "notification withdrawn",
    criteria_pb2.EVALUATION_TRIGGER_PANEL_SUBMITTED: "rapid review sent to the Panel",
    criteria_pb2.EVALUATION_TRIGGER_NOTIFICATION_AMENDED: "notification amended",
    criteria_pb2.EVALUATION_TRIGGER_CLOCK_EXTENDED: "clock extended",
}
# No number of days here: the deadlines come from the rule files, and the due date is shown.
CLOCK_TITLES = {
    "NOTIFY.DEADLINE": "Panel notification (from awareness)",
    "RR.DEADLINE": "Rapid review to the Panel",
}
HIGHLIGHT_TEXT = {
    gathering_pb2.HIGHLIGHT_KIND_MULTI_AGENCY_DAY: "Several agencies in contact on the same day",
    gathering_pb2.HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE: "Key practice episode",
    gathering_pb2.HIGHLIGHT_KIND_POSSIBLE_DUPLICATE: "Possible duplicate record",
}
SUBJECT_TEXT = {
    gathering_pb2.ACTION_SUBJECT_CHILD: "immediate action protecting the child",
    gathering_pb2.ACTION_SUBJECT_SIBLING: "immediate action protecting a sibling",
    gathering_pb2.ACTION_SUBJECT_OTHER_CHILDREN: "immediate action protecting other children",
    gathering_pb2.ACTION_SUBJECT_AGENCY_PRACTICE: "immediate change to its own practice",
}
KIND_TEXT = {
    common_pb2.AGENCY_KIND_POLICE: "Police",
    common_pb2.AGENCY_KIND_CHILDRENS_SOCIAL_CARE: "Children's social care",
    common_pb2.AGENCY_KIND_HEALTH_GP: "Health: GP",
    common_pb2.AGENCY_KIND_HEALTH_VISITING: "Health: health visiting",
    common_pb2.AGENCY_KIND_HEALTH_MIDWIFERY: "Health: midwifery",
    common_pb2.AGENCY_KIND_HEALTH_ACUTE_TRUST: "Health: acute trust",
    common_pb2.AGENCY_KIND_HEALTH_MENTAL_HEALTH: "Health: mental health",
    common_pb2.AGENCY_KIND_HEALTH_OTHER: "Health",
    common_pb2.AGENCY_KIND_EDUCATION: "Education",
    common_pb2.AGENCY_KIND_EARLY_YEARS: "Early years",
    common_pb2.AGENCY_KIND_PROBATION: "Probation",
    common_pb2.AGENCY_KIND_HOUSING: "Housing",
    common_pb2.AGENCY_KIND_YOUTH_JUSTICE: "Youth justice",
    common_pb2.AGENCY_KIND_VOLUNTARY_SECTOR: "Voluntary sector",
    common_pb2.AGENCY_KIND_OTHER: "Other",
}
