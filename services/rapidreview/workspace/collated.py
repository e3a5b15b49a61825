"""The collated information and one agency return as the pages show them (pure functions, no I/O).

From gathering's `CollatedInformation` (and `AgencyReturnVersion`): the merged chronology as MOJ
timeline items (date, agency, what happened), involvement by agency, learning by theme, concerns,
key practice episodes, good practice and immediate actions, each with the anchor of its evidence
reference (`evidence.anchor`) so that a checklist line lands on it.
"""

from __future__ import annotations

from typing import Any

from rapidreview.v1 import common_pb2, gathering_pb2 as G
from rapidreview.workspace import evidence, presenters

CONTACT_TYPES = {
    G.CONTACT_TYPE_HOME_VISIT: "Home visit",
    G.CONTACT_TYPE_APPOINTMENT: "Appointment",
    G.CONTACT_TYPE_CALL: "Telephone call",
    G.CONTACT_TYPE_CALL_OUT: "Call-out",
    G.CONTACT_TYPE_EMERGENCY_ATTENDANCE: "Emergency attendance",
    G.CONTACT_TYPE_ADMISSION: "Admission",
    G.CONTACT_TYPE_REFERRAL: "Referral",
    G.CONTACT_TYPE_STRATEGY_DISCUSSION: "Strategy discussion",
    G.CONTACT_TYPE_MEETING: "Meeting",
    G.CONTACT_TYPE_ASSESSMENT: "Assessment",
    G.CONTACT_TYPE_MISSED_CONTACT: "Missed contact",
    G.CONTACT_TYPE_CORRESPONDENCE: "Correspondence",
    G.CONTACT_TYPE_SETTING_ATTENDANCE: "Attendance at a setting",
    G.CONTACT_TYPE_OTHER: "Other contact",
}
CONCERN_TYPES = {
    G.CONCERN_TYPE_INFORMATION_SHARING: "Information sharing",
    G.CONCERN_TYPE_REFERRAL: "Referral",
    G.CONCERN_TYPE_ESCALATION: "Escalation",
    G.CONCERN_TYPE_JOINT_ASSESSMENT: "Joint assessment",
    G.CONCERN_TYPE_SINGLE_AGENCY_PRACTICE: "Single-agency practice",
    G.CONCERN_TYPE_OTHER: "Other",
}
ACTION_SUBJECTS = {
    G.ACTION_SUBJECT_CHILD: "The child",
    G.ACTION_SUBJECT_SIBLING: "A sibling",
    G.ACTION_SUBJECT_OTHER_CHILDREN: "Other children",
    G.ACTION_SUBJECT_AGENCY_PRACTICE: "Agency practice",
}
ACTED_ON = {G.ACTED_ON_YES: "acted on", G.ACTED_ON_PARTLY: "partly acted on", G.ACTED_ON_NO: "not acted on"}
GATHERING_STATUS = {
    G.GATHERING_STATUS_OPEN: ("Open", "govuk-tag--blue"),
    G.GATHERING_STATUS_CLOSED: ("Closed", "govuk-tag--grey"),
    G.GATHERING_STATUS_WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
    G.GATHERING_STATUS_NOT_REQUIRED: ("Not required", "govuk-tag--grey"),
}
REQUEST_STATUS = {
    G.REQUEST_STATUS_AWAITING: ("Awaited", "govuk-tag--yellow"),
    G.REQUEST_STATUS_RETURNED: ("Returned", "govuk-tag--green"),
    G.REQUEST_STATUS_NOT_RETURNED: ("Not returned", "govuk-tag--red"),
}
HIGHLIGHTS = {
    G.HIGHLIGHT_KIND_MULTI_AGENCY_DAY: "Several agencies in contact on the same day",
    G.HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE: "Key practice episode",
    G.HIGHLIGHT_KIND_POSSIBLE_DUPLICATE: "Possible duplicate record",
}
AGENCY_KINDS = {
    common_pb2.AGENCY_KIND_POLICE: "Police",
    common_pb2.AGENCY_KIND_CHILDRENS_SOCIAL_CARE: "Children's social care",
    common_pb2.AGENCY_KIND_HEALTH_GP: "Health: GP",
    common_pb2.AGENCY_KIND_HEALTH_VISITING: "Health: health visiting",
    common_pb2.AGENCY_KIND_HEALTH_MIDWIFERY: "Health: midwifery",
    common_pb2.AGENCY_KIND_HEALTH_ACUTE_TRUST: "Health: acute trust",
    common_pb2.AGENCY_KIND_HEALTH_MENTAL_HEALTH: "Health: mental health",
    common_pb2.AGENCY_KIND_HEALTH_OTHER: "Health: other",
    common_pb2.AGENCY_KIND_EDUCATION: "Education",
    common_pb2.AGENCY_KIND_EARLY_YEARS: "Early years",
    common_pb2.AGENCY_KIND_PROBATION: "Probation",
    common_pb2.AGENCY_KIND_HOUSING: "Housing",
    common_pb2.AGENCY_KIND_YOUTH_JUSTICE: "Youth justice",
    common_pb2.AGENCY_KIND_VOLUNTARY_SECTOR: "Voluntary sector",
    common_pb2.AGENCY_KIND_OTHER: "Other",
}


def _tag(table: dict[int, tuple[str, str]], value: int) -> dict[str, str]:
    text, classes = table.get(value, ("Unknown", "govuk-tag--grey"))
    return presenters.tag(text, classes)


def period_text(period: G.Period) -> str:
    if not period.start:
        return ""
    start = presenters.long_date(period.start)
    if not period.end:
        return f"since {start} (ongoing)"
    if period.end == period.start:
        return start
    return f"{start} to {presenters.long_date(period.end)}"


def agency_names(collated: G.CollatedInformation) -> dict[str, str]:
    return {a.agency.agency_id: a.agency.name or a.agency.agency_id for a in collated.agencies}


def latest_versions(collated: G.CollatedInformation) -> dict[str, int]:
    """The return version of each agency the collated page shows (agencies without a return left out)."""
    return {a.agency.agency_id: a.version for a in collated.agencies if a.version}


def _duplicates_text(refs: list[str], names: dict[str, str]) -> str:
    return "; ".join(evidence.describe(ref, names) for ref in refs)


def timeline(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    """The merged chronology, oldest first: one MOJ timeline item per entry."""
    names = agency_names(collated)
    items = []
    for day in collated.chronology:
        for e in day.entries:
            items.append({
                "anchor": evidence.anchor(e.evidence_ref),
                "ref": e.evidence_ref,
                "date": e.entry.date,
                "date_text": presenters.long_date(e.entry.date),
                "agency": e.agency_name or names.get(e.agency_id, e.agency_id),
                "contact": CONTACT_TYPES.get(e.entry.contact_type, "Contact"),
                "practitioner": e.entry.practitioner_role,
                "summary": e.entry.summary,
                "decisions": e.entry.decisions,
                "multi_agency": len(day.agency_ids) > 1,
                "duplicates": _duplicates_text(list(e.possible_duplicate_of), names),
            })
    return items


def involvement(collated: G.CollatedInformation, *, version_href: str) -> list[dict[str, Any]]:
    """Involvement by agency, in request order: involved or not, period, concerns, learning themes, return."""
    names = agency_names(collated)
    rows = []
    for a in collated.agencies:
        themes: list[str] = []
        for learning in a.learning:
            themes.extend(t for t in learning.themes if t not in themes)
        involved = {G.INVOLVEMENT_INVOLVED: "Involved", G.INVOLVEMENT_NOT_INVOLVED: "Not involved"}.get(a.involvement, "Not known yet")
        rows.append({
            "agency_id": a.agency.agency_id,
            "anchor": evidence.anchor(a.return_ref) if a.return_ref else "",
            "name": a.agency.name or a.agency.agency_id,
            "kind": AGENCY_KINDS.get(a.agency.kind, ""),
            "area": a.agency.area,
            "status": _tag(REQUEST_STATUS, a.request_status),
            "involvement": involved,
            "period": period_text(a.involvement_period),
            "summary": a.involvement_summary,
            "concerns": [f"{CONCERN_TYPES.get(c.type, 'Concern')}"
                         + (f" about {', '.join(names.get(x, x) for x in c.about_agencies)}" if c.about_agencies else "")
                         for c in a.concerns],
            "themes": themes,
            "returned_on": presenters.long_date(a.returned_on),
            "late": a.late,
            "due": presenters.long_date(a.due),
            "version": a.version,
            "versions": [{"number": n, "href": version_href.format(agency=a.agency.agency_id, version=n), "latest": n == a.version}
                         for n in range(a.version, 0, -1)],
            "counts": {"chronology": a.chronology_entry_count, "episodes": a.key_practice_episode_count,
                       "good_practice": a.good_practice_count, "actions": len(a.immediate_actions)},
        })
    return rows


def learning(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    """Learning by theme. An item with several themes is listed under each; only its first listing
    carries its anchor (an id is unique in a page)."""
    names = agency_names(collated)
    groups, anchored = [], set()
    for group in collated.learning_by_theme:
        items = []
        for item in group.items:
            shown = _learning_item(item.learning, item.evidence_ref, names.get(item.agency_id, item.agency_id))
            if shown["anchor"] in anchored:
                shown["anchor"] = ""
            anchored.add(shown["anchor"])
            items.append(shown)
        groups.append({"theme": group.theme, "agencies": [names.get(x, x) for x in group.agency_ids], "items": items})
    return groups


def _learning_item(item: G.Learning, ref: str, agency: str) -> dict[str, Any]:
    earlier = ""
    if item.already_identified:
        earlier = "Identified before this case"
        if item.acted_on:
            earlier += f", {ACTED_ON.get(item.acted_on, '')}"
        if item.earlier_reviews:
            earlier += f" ({', '.join(item.earlier_reviews)})"
    return {"anchor": evidence.anchor(ref), "ref": ref, "agency": agency, "text": item.description,
            "themes": list(item.themes), "earlier": earlier}


def concerns(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    names = agency_names(collated)
    return [_concern_item(c.concern, c.evidence_ref, names.get(c.agency_id, c.agency_id), names) for c in collated.concerns]


def _concern_item(concern: G.WorkingTogetherConcern, ref: str, agency: str, names: dict[str, str]) -> dict[str, Any]:
    return {"anchor": evidence.anchor(ref), "ref": ref, "agency": agency, "type": CONCERN_TYPES.get(concern.type, "Concern"),
            "about": [names.get(x, x) for x in concern.about_agencies], "text": concern.description}


def episodes(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    names = agency_names(collated)
    return [_episode_item(e.episode, e.evidence_ref, names.get(e.agency_id, e.agency_id)) for e in collated.key_practice_episodes]


def _episode_item(episode: G.KeyPracticeEpisode, ref: str, agency: str) -> dict[str, Any]:
    return {"anchor": evidence.anchor(ref), "ref": ref, "agency": agency, "title": episode.title,
            "period": period_text(episode.period), "text": episode.description}


def good_practice(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    names = agency_names(collated)
    return [_good_item(g.good_practice, g.evidence_ref, names.get(g.agency_id, g.agency_id)) for g in collated.good_practice]


def _good_item(item: G.GoodPractice, ref: str, agency: str) -> dict[str, Any]:
    return {"anchor": evidence.anchor(ref), "ref": ref, "agency": agency, "date": presenters.long_date(item.date),
            "text": item.description}


def actions(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    names = agency_names(collated)
    return [_action_item(a.action, a.evidence_ref, names.get(a.agency_id, a.agency_id)) for a in collated.immediate_actions]


def _action_item(action: G.ImmediateAction, ref: str, agency: str) -> dict[str, Any]:
    return {"anchor": evidence.anchor(ref), "ref": ref, "agency": agency, "date": presenters.long_date(action.date),
            "subject": ACTION_SUBJECTS.get(action.subject, ""), "text": action.description,
            "status": presenters.tag("Completed", "govuk-tag--green") if action.completed else presenters.tag("Started", "govuk-tag--blue")}


def highlights(collated: G.CollatedInformation) -> list[dict[str, Any]]:
    names = agency_names(collated)
    return [{"date": presenters.long_date(h.date), "what": HIGHLIGHTS.get(h.kind, ""),
             "agencies": ", ".join(names.get(x, x) for x in h.agency_ids),
             "links": [{"href": f"#{evidence.anchor(ref)}", "text": evidence.describe(ref, names)} for ref in h.evidence_refs]}
            for h in collated.chronology_highlights]


def summary(collated: G.CollatedInformation) -> dict[str, Any]:
    c = collated.completeness
    return {
        "status": _tag(GATHERING_STATUS, collated.status),
        "version": collated.collation_version,
        "partial": collated.partial,
        "returned": c.returned, "requested": c.requested, "missing": c.missing, "late": c.late, "overdue": c.overdue,
        "missing_agencies": [a.name or a.agency_id for a in collated.missing_agencies],
        "named_without_request": list(collated.agencies_named_without_request),
    }


def return_version(version: G.AgencyReturnVersion) -> dict[str, Any]:
    """One stored version of an agency return, its items anchored by their evidence references."""
    r = version.agency_return
    base = version.return_ref
    name = r.agency.name or r.agency.agency_id
    names = {r.agency.agency_id: name}

    def ref(kind: str, n: int) -> str:
        return f"{base}#{kind}-{n}"

    return {
        "anchor": evidence.anchor(base),
        "agency": name,
        "kind": AGENCY_KINDS.get(r.agency.kind, ""),
        "area": r.agency.area,
        "version": version.version,
        "submitted_on": presenters.long_date(version.submitted_on),
        "late": version.late,
        "involvement": {G.INVOLVEMENT_INVOLVED: "Involved", G.INVOLVEMENT_NOT_INVOLVED: "Not involved"}.get(r.involvement, "Not stated"),
        "period": period_text(r.involvement_period),
        "summary": r.involvement_summary,
        "family_context": r.family_context,
        "completed_by": r.completed_by_role,
        "chronology": [{"anchor": evidence.anchor(ref("chronology", i)), "date_text": presenters.long_date(e.date), "date": e.date,
                        "agency": name, "contact": CONTACT_TYPES.get(e.contact_type, "Contact"), "practitioner": e.practitioner_role,
                        "summary": e.summary, "decisions": e.decisions, "duplicates": "", "multi_agency": False}
                       for i, e in enumerate(r.chronology, 1)],
        "episodes": [_episode_item(e, ref("episode", i), name) for i, e in enumerate(r.key_practice_episodes, 1)],
        "good_practice": [_good_item(g, ref("good-practice", i), name) for i, g in enumerate(r.good_practice, 1)],
        "learning": [_learning_item(item, ref("learning", i), name) for i, item in enumerate(r.learning, 1)],
        "actions": [_action_item(a, ref("action", i), name) for i, a in enumerate(r.immediate_actions, 1)],
        "concerns": [_concern_item(c, ref("concern", i), name, names) for i, c in enumerate(r.concerns, 1)],
    }
