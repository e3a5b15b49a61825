"""Child K from the worked example (fictional), as the events the criteria
service receives: the notified incident and the collated agency information."""

from __future__ import annotations

from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import facts_pb2, gathering_pb2 as G, intake_pb2

CASE_ID = "6f1d3c2a-7b44-4c1e-9a55-0c4b2f8e9d10"

EARLIER_REVIEWS = [
    facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=2021, themes=["Bruising in non-mobile babies", "professional curiosity"]),
    facts_pb2.EarlierReview(review_id="LSCP-2022-01", year=2022, themes=["bruising in non mobile babies", "neglect"]),
    facts_pb2.EarlierReview(review_id="LSCP-2023-02", year=2023, themes=["adolescent risk outside the home", "child criminal exploitation"]),
]


def _agency(agency_id: str, name: str, kind: int, area: str, area_type: int) -> C.Agency:
    return C.Agency(agency_id=agency_id, name=name, kind=kind, area=area, area_type=area_type)


POLICE = _agency("west-yorkshire-police", "West Yorkshire Police", C.AGENCY_KIND_POLICE, "West Yorkshire", C.AREA_TYPE_POLICE_AREA)
SOCIAL_CARE = _agency("leeds-childrens-social-work", "Leeds Children's Social Work Service", C.AGENCY_KIND_CHILDRENS_SOCIAL_CARE,
                      "Leeds", C.AREA_TYPE_LOCAL_AUTHORITY)
HEALTH_VISITING = _agency("health-visiting", "Health visiting (community trust)", C.AGENCY_KIND_HEALTH_VISITING,
                          "West Yorkshire ICB", C.AREA_TYPE_HEALTH_BOARD)
GP = _agency("gp-practice", "GP practice", C.AGENCY_KIND_HEALTH_GP, "West Yorkshire ICB", C.AREA_TYPE_HEALTH_BOARD)
HOSPITAL = _agency("acute-hospital-trust", "Acute hospital trust", C.AGENCY_KIND_HEALTH_ACUTE_TRUST, "West Yorkshire ICB",
                   C.AREA_TYPE_HEALTH_BOARD)
NURSERY = _agency("nursery", "Nursery (sibling)", C.AGENCY_KIND_EARLY_YEARS, "Leeds", C.AREA_TYPE_LOCAL_AUTHORITY)
HOUSING = _agency("housing-association", "Housing association", C.AGENCY_KIND_HOUSING, "Leeds", C.AREA_TYPE_LOCAL_AUTHORITY)
AGENCIES = [POLICE, SOCIAL_CARE, HEALTH_VISITING, GP, HOSPITAL, NURSERY, HOUSING]


def incident(case_id: str = CASE_ID, *, panel_sent: str = "") -> intake_pb2.Incident:
    """The incident as carried by incident.notified (no free text)."""
    out = intake_pb2.Incident(
        case_id=case_id,
        partnership="leeds",
        status=intake_pb2.INCIDENT_STATUS_NOTIFIED,
        edition=C.EDITION_WT2023,
        edition_version="2023.1",
        notification=intake_pb2.Notification(
            notifying_la="Leeds", incident_la="Leeds", incident_country=C.COUNTRY_ENGLAND, home_la="Leeds",
            child=intake_pb2.ChildDetails(child_ref="Child K", age_years=0),
            nature=C.NATURE_SERIOUS_HARM, harm_domains=[C.HARM_DOMAIN_PHYSICAL_HEALTH], recovered=True,
            abuse_or_neglect=C.ABUSE_OR_NEGLECT_SUSPECTED, setting=C.SETTING_FAMILY_HOME,
            incident_date="2024-06-03", la_aware_date="2024-06-04", agencies=AGENCIES,
        ),
    )
    if panel_sent:
        out.panel_notification.CopyFrom(intake_pb2.PanelNotification(reference="PANEL-2024-0607-K", sent_date=panel_sent))
    return out


def _returned(agency: C.Agency, returned_on: str = "2024-06-19", *, late: bool = False, involved: bool = True, **parts) -> G.AgencyContribution:
    ref = f"return:{agency.agency_id}:v1"
    return G.AgencyContribution(
        agency=agency,
        request_status=G.REQUEST_STATUS_RETURNED,
        involvement=G.INVOLVEMENT_INVOLVED if involved else G.INVOLVEMENT_NOT_INVOLVED,
        version=1, return_ref=ref, returned_on=returned_on, late=late, due="2024-06-21",
        **parts,
    )


def collated(case_id: str = CASE_ID, *, version: int = 1, gp_missing: bool = False) -> G.InformationCollated:
    """information.collated for Child K: every return in (the GP's late), or the
    GP's still missing when `gp_missing`."""
    police = _returned(
        POLICE,
        concerns=[G.ConcernSummary(type=G.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=["health-visiting"],
                                   evidence_ref="return:west-yorkshire-police:v1#concern-1")],
        learning=[G.LearningSummary(themes=["domestic abuse", "information sharing"],
                                    evidence_ref="return:west-yorkshire-police:v1#learning-1")],
        chronology_entry_count=3, key_practice_episode_count=1, first_contact="2024-01-14", last_contact="2024-06-04",
    )
    social_care = _returned(
        SOCIAL_CARE, "2024-06-18",
        concerns=[G.ConcernSummary(type=G.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=["west-yorkshire-police"],
                                   evidence_ref="return:leeds-childrens-social-work:v1#concern-1")],
        learning=[G.LearningSummary(themes=["fathers and male carers", "case closure"],
                                    evidence_ref="return:leeds-childrens-social-work:v1#learning-1")],
        good_practice_count=1,
        immediate_actions=[G.ImmediateActionSummary(date="2024-06-04", subject=G.ACTION_SUBJECT_SIBLING, completed=True,
                                                    evidence_ref="return:leeds-childrens-social-work:v1#action-1")],
        chronology_entry_count=6, first_contact="2023-11-20", last_contact="2024-06-04",
    )
    health_visiting = _returned(HEALTH_VISITING, "2024-06-20", chronology_entry_count=3,
                                first_contact="2023-11-28", last_contact="2024-05-02")
    if gp_missing:
        gp = G.AgencyContribution(agency=GP, request_status=G.REQUEST_STATUS_NOT_RETURNED, due="2024-06-21")
    else:
        gp = _returned(
            GP, "2024-06-25", late=True,
            concerns=[G.ConcernSummary(type=G.CONCERN_TYPE_SINGLE_AGENCY_PRACTICE, about_agencies=["gp-practice"],
                                       evidence_ref="return:gp-practice:v1#concern-1")],
            learning=[G.LearningSummary(themes=["bruising in non-mobile babies"], already_identified=True,
                                        acted_on=G.ACTED_ON_PARTLY, earlier_reviews=["LSCP-2021-03", "LSCP-2022-01"],
                                        evidence_ref="return:gp-practice:v1#learning-1")],
            chronology_entry_count=2, first_contact="2024-03-12", last_contact="2024-03-12",
        )
    hospital = _returned(HOSPITAL, "2024-06-17", good_practice_count=1, chronology_entry_count=2,
                         first_contact="2024-03-12", last_contact="2024-06-03")
    nursery = _returned(NURSERY, "2024-06-19", chronology_entry_count=4, first_contact="2024-02-05", last_contact="2024-05-24")
    housing = _returned(HOUSING, "2024-06-12", involved=False)
    agencies = [police, social_care, health_visiting, gp, hospital, nursery, housing]
    returned = [a for a in agencies if a.request_status == G.REQUEST_STATUS_RETURNED]
    themes: dict[str, G.LearningThemeSummary] = {}
    for a in returned:
        for item in a.learning:
            for tag in item.themes:
                group = themes.setdefault(tag, G.LearningThemeSummary(theme=tag))
                group.agency_ids.append(a.agency.agency_id)
                group.evidence_refs.append(item.evidence_ref)
    return G.InformationCollated(
        case_id=case_id,
        partnership="leeds",
        collation_version=version,
        trigger=G.COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT if gp_missing else G.COLLATION_TRIGGER_ALL_RETURNED,
        partial=gp_missing,
        completeness=G.Completeness(requested=7, returned=len(returned), missing=7 - len(returned),
                                    late=sum(1 for a in returned if a.late)),
        missing_agencies=[GP] if gp_missing else [],
        agencies=agencies,
        learning_themes=list(themes.values()),
        chronology_highlights=[
            G.ChronologyHighlight(date="2024-03-12", kind=G.HIGHLIGHT_KIND_MULTI_AGENCY_DAY,
                                  agency_ids=["gp-practice", "acute-hospital-trust"],
                                  evidence_refs=["return:gp-practice:v1#chronology-1", "return:acute-hospital-trust:v1#chronology-1"]),
            G.ChronologyHighlight(date="2024-04-20", kind=G.HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE,
                                  agency_ids=["west-yorkshire-police"], evidence_refs=["return:west-yorkshire-police:v1#episode-1"]),
            G.ChronologyHighlight(date="2024-06-04", kind=G.HIGHLIGHT_KIND_MULTI_AGENCY_DAY,
                                  agency_ids=["west-yorkshire-police", "leeds-childrens-social-work", "acute-hospital-trust"],
                                  evidence_refs=["return:west-yorkshire-police:v1#chronology-3",
                                                 "return:leeds-childrens-social-work:v1#chronology-6",
                                                 "return:acute-hospital-trust:v1#chronology-2"]),
        ],
    )
