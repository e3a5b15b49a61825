"""The fact vocabulary: every name a rule condition, rationale template or
evidence list may use. docs/rules.md lists the same names for rule writers;
`facts.case_view` computes them from a CaseFacts message.
"""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.descriptor import EnumDescriptor

from rapidreview.v1 import common_pb2


@dataclass(frozen=True)
class FieldSpec:
    """One fact a condition can test: bool, int, enum (with its values) or str."""

    kind: str
    description: str
    values: tuple[str, ...] = ()
    derived: bool = False


def enum_values(descriptor: EnumDescriptor, prefix: str) -> tuple[str, ...]:
    """Short lower-case value names of a proto enum: NATURE_DEATH -> "death"."""
    return tuple(value.name.removeprefix(prefix).lower() for value in descriptor.values)


def enum_name(descriptor: EnumDescriptor, prefix: str, number: int) -> str:
    """The short name of one enum number (unknown numbers read "unspecified")."""
    value = descriptor.values_by_number.get(number)
    return value.name.removeprefix(prefix).lower() if value else "unspecified"


NATURE = (common_pb2.Nature.DESCRIPTOR, "NATURE_")
ABUSE = (common_pb2.AbuseOrNeglect.DESCRIPTOR, "ABUSE_OR_NEGLECT_")
SETTING = (common_pb2.Setting.DESCRIPTOR, "SETTING_")
COUNTRY = (common_pb2.Country.DESCRIPTOR, "COUNTRY_")
HARM = (common_pb2.HarmDomain.DESCRIPTOR, "HARM_DOMAIN_")

PANEL_RESPONSES = ("none", "agrees", "challenges", "national_review", "local_review_more_appropriate")
CONCERN_TYPES = (
    "information_sharing",
    "referral",
    "escalation",
    "joint_assessment",
    "single_agency_practice",
    "other",
)
# Concern types that are about agencies working together (LOCAL.MULTI_AGENCY).
JOINT_WORKING_CONCERNS = ("information_sharing", "referral", "escalation", "joint_assessment")
ACTED_ON = ("yes", "partly", "no", "")


def _b(description: str, derived: bool = False) -> FieldSpec:
    return FieldSpec("bool", description, derived=derived)


def _i(description: str, derived: bool = True) -> FieldSpec:
    return FieldSpec("int", description, derived=derived)


def _e(enum: tuple[EnumDescriptor, str], description: str) -> FieldSpec:
    return FieldSpec("enum", description, enum_values(*enum))


def _s(description: str) -> FieldSpec:
    return FieldSpec("str", description)


FACTS: dict[str, FieldSpec] = {
    "partnership": _s("The partnership, e.g. leeds."),
    "notifying_la": _s("The notifying local authority."),
    "incident_la": _s("The local authority where the incident happened."),
    "home_la": _s("The child's home local authority."),
    "notified": _b("A Panel notification sent date is recorded.", derived=True),
    "withdrawn": _b("The notification was withdrawn as not meeting the criteria."),
    "rapid_review_sent": _b("A rapid review sent date is recorded.", derived=True),
    "age_years": _i("Age in completed years; absent (every comparison false) when unknown or unborn.", False),
    "age_known": _b("An age in years is recorded.", derived=True),
    "unborn": _b("The child is unborn."),
    "looked_after": _b("The child was looked after."),
    "care_leaver": _b("The child (young person) is a care leaver."),
    "disability": _b("The child has a known disability."),
    "child_protection_plan": _b("The child had a child protection plan."),
    "died": _b("The child died."),
    "seriously_harmed": _b("The child was seriously harmed (a recorded professional judgement)."),
    "recovered": _b("The child has recovered (never makes serious harm false)."),
    "harm_domain_count": _i("Number of harm domains recorded."),
    "nature": _e(NATURE, "Nature of the incident."),
    "abuse_or_neglect": _e(ABUSE, "Whether abuse or neglect is known or suspected."),
    "setting": _e(SETTING, "Where the incident happened / the child's setting."),
    "incident_country": _e(COUNTRY, "Country of the incident."),
    "incident_la_known": _b("An incident local authority is recorded.", derived=True),
    "incident_in_notifying_la": _b(
        "The incident local authority is the notifying one (compared by ONS code, see local-authorities.yaml).",
        derived=True,
    ),
    "home_la_known": _b("A home local authority is recorded.", derived=True),
    "home_la_is_notifying_la": _b("The home local authority is the notifying one (compared by ONS code).", derived=True),
    "incident_la_is_home_la": _b("The incident local authority is the home one (compared by ONS code).", derived=True),
    "referred_by_agency": _b("An agency referred the incident for consideration.", derived=True),
    "agency_count": _i("Agencies listed."),
    "involved_agency_count": _i("Agencies with involvement with the child or family."),
    "returns_missing": _i("Requested returns still missing: the larger of the recorded count and agencies not returned."),
    "concern_count": _i("Concerns recorded by all agencies."),
    "joint_working_concern_count": _i(
        "Concerns about working together: information sharing, referral, escalation, joint assessment."
    ),
    "single_agency_concern_count": _i("Concerns about a single agency's practice."),
    "learning_count": _i("Learning items recorded by all agencies."),
    "already_identified_learning_count": _i("Learning items already identified before this case."),
    "recurrent_theme_count": _i("Themes of this case also found in earlier reviews."),
    "matched_earlier_review_count": _i("Earlier reviews sharing a theme with this case."),
    "distinct_local_authorities": _i(
        "Local authorities involved: notifying, incident and home LA plus areas of involved LA-area agencies."
    ),
    "distinct_police_areas": _i("Police force areas of involved agencies."),
    "distinct_health_areas": _i("Health commissioning areas (CCG/ICB/board) of involved agencies."),
    "family_moved_between_areas": _b("The family moved between areas."),
    "no_agency_involvement_concern": _b("The partners judge that no agency involvement itself gives cause for concern."),
    "panel_response": FieldSpec("enum", "The Panel's recorded response (none until recorded).", PANEL_RESPONSES),
    "good_practice_count": _i("Good-practice items recorded by all agencies."),
    "immediate_action_count": _i("Immediate safeguarding actions recorded by all agencies."),
}

# Facts about the rule's own clock, usable only in rules that have a `clock:`.
CLOCK_FACTS: dict[str, FieldSpec] = {
    "clock_started": _b("The date the clock counts from is recorded."),
    "clock_completed": _b("The duty that closes the clock is recorded as done."),
    "clock_late": _b("The duty was done after the due date."),
    "clock_overdue": _b("The duty is not done and today is after the due date."),
    "clock_working_days_left": _i("Working days from today until the due date (negative once past)."),
}

# Text available to rationale templates in addition to every fact above.
RATIONALE_TEXT: dict[str, str] = {
    "edition": "Edition name, e.g. wt2023.",
    "la_aware_date": "Date the local authority became aware.",
    "incident_date": "Date of the incident.",
    "panel_notification_sent_date": "Date the Panel notification was sent (or 'not recorded').",
    "rapid_review_sent_date": "Date the rapid review was sent (or 'not recorded').",
    "child_ref": "Pseudonymous reference of the child.",
    "age": "The child's age in words ('7 years', 'under 1 year', 'unborn', 'unknown').",
    "harm_summary": "What happened to the child: 'died', 'was seriously harmed', ...",
    "harm_domains": "Harm domains recorded, or 'none recorded'.",
    "involved_agencies": "Names of the agencies involved.",
    "joint_working_concerns": "Concerns about working together: type, about whom, recorded by whom.",
    "single_agency_concerns": "Concerns about single agencies' practice.",
    "learning_themes": "Learning themes of this case (vocabulary names, then unmatched tags).",
    "already_identified_themes": "Themes of learning already identified before this case.",
    "recurrent_themes": "Themes also in earlier reviews, each with the review ids.",
    "recurrent_reviews": "Ids of the earlier reviews sharing a theme with this case.",
    "unmatched_tags": "Learning tags not in the themes vocabulary, or 'none'.",
    "local_authorities": "Local authorities involved.",
    "police_areas": "Police areas involved.",
    "health_areas": "Health commissioning areas involved.",
    "referred_by": "The referring agency.",
    "missing_returns": "Agencies whose return is missing, or 'none'.",
    "notifying_authority": "The notifying authority's official name and ONS code, e.g. 'Leeds (E08000035)'.",
    "incident_authority": "The incident authority's official name and ONS code (as written when not in the register).",
    "home_authority": "The home authority's official name and ONS code (as written when not in the register).",
}

CLOCK_TEXT: dict[str, str] = {
    "clock_due": "The clock's due date.",
    "clock_starts_from": "The date the clock counts from.",
    "clock_completed_on": "The date the duty was done, or 'not yet'.",
    "clock_working_days_left": "Working days left until the due date.",
}

# Evidence lists a rule outcome can cite (references into returns and reviews).
EVIDENCE: dict[str, str] = {
    "joint_working_concerns": "Evidence references of concerns about working together.",
    "single_agency_concerns": "Evidence references of concerns about a single agency.",
    "learning": "Evidence references of learning items (the return's reference when an item has none).",
    "already_identified_learning": "Evidence references of learning already identified before.",
    "recurrent_reviews": "Ids of the earlier reviews that share a theme with this case.",
    "recurrent_learning": "Evidence references of learning items whose themes recur.",
    "involved_agency_returns": "Return references of the agencies involved.",
}
