"""The list caps: how many items every repeated field of every request may hold.

One declarative table for all four services, enforced for every call by the
kernel's input-limit check (`kernel/input_limits.py`) before any handler runs:
a longer list is INVALID_ARGUMENT naming it, and nothing is stored. The same
value twice in a repeated enum field is refused too (each is a set of choices),
so an enum list's cap is the number of its values.

Keyed by full field name: a message type used in several requests has one cap
everywhere. The .proto comment of each field states the same cap (docs/api is
generated from them) and docs/security.md lists them;
`tests/security/test_input_limits.py` enumerates the repeated fields from the
descriptors, so a new field without a cap (or whose comment says otherwise)
fails it, and a service refuses to start.
"""

from __future__ import annotations

V1 = "rapidreview.v1."

LIST_CAPS: dict[str, int] = {
    # intake
    V1 + "Notification.harm_domains": 6,  # distinct HarmDomain values
    V1 + "Notification.agencies": 50,
    # gathering
    V1 + "OpenRequestsRequest.agencies": 50,
    V1 + "AgencyReturn.chronology": 5000,
    V1 + "AgencyReturn.key_practice_episodes": 200,
    V1 + "AgencyReturn.good_practice": 200,
    V1 + "AgencyReturn.learning": 200,
    V1 + "AgencyReturn.immediate_actions": 200,
    V1 + "AgencyReturn.concerns": 200,
    V1 + "Learning.themes": 10,
    V1 + "Learning.earlier_reviews": 20,
    V1 + "WorkingTogetherConcern.about_agencies": 20,
    # criteria (CaseFacts is EvaluateCase's what-if input; EarlierReview also ImportEarlierReviews')
    V1 + "CaseFacts.harm_domains": 6,  # distinct HarmDomain values
    V1 + "CaseFacts.agencies": 1000,
    V1 + "AgencyFacts.concerns": 1000,
    V1 + "ConcernFacts.about_agencies": 1000,
    V1 + "AgencyFacts.learning": 1000,
    V1 + "LearningFacts.themes": 1000,
    V1 + "CaseFacts.earlier_reviews": 1000,
    V1 + "CaseFacts.clock_extensions": 100,
    V1 + "EarlierReview.themes": 50,
    V1 + "ImportEarlierReviewsRequest.reviews": 500,
    V1 + "ListCaseThemesRequest.case_ids": 500,
    # decisions
    V1 + "RecordRecommendationRequest.criteria": 50,
    V1 + "RecordRecommendationRequest.immediate_learning": 50,
    V1 + "RecordDecisionRequest.decided_by": 50,
    V1 + "RecordDecisionRequest.communications": 50,
    V1 + "Reviewer.involvements": 50,
    V1 + "CommissionReviewRequest.panel": 30,
    V1 + "RecordIdentifyingDetailsRequest.details": 100,
    V1 + "PublishRequest.learning_themes": 30,
    V1 + "RenderRapidReviewReportRequest.formats": 2,  # distinct ReportFormat values
    V1 + "GetRapidReviewReportRequest.formats": 2,  # distinct ReportFormat values
}
