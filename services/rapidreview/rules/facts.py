"""CaseFacts -> the fact the engine sees, the text rationales quote and the
evidence outcomes cite.

Derived facts (counts, area sets, theme matches, comparisons of local
authority names) are computed here in Python before the fact is asserted:
durable-rules compares a field with a constant, not two fields, and cannot
count list items. vocabulary.FACTS marks which facts are derived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rapidreview.rules import vocabulary as v
from rapidreview.rules.authorities import AuthorityRegister
from rapidreview.rules.themes import ThemeVocabulary, recurrent_themes
from rapidreview.v1 import common_pb2, facts_pb2

_HEALTH_KINDS = {
    common_pb2.AGENCY_KIND_HEALTH_GP,
    common_pb2.AGENCY_KIND_HEALTH_VISITING,
    common_pb2.AGENCY_KIND_HEALTH_MIDWIFERY,
    common_pb2.AGENCY_KIND_HEALTH_ACUTE_TRUST,
    common_pb2.AGENCY_KIND_HEALTH_MENTAL_HEALTH,
    common_pb2.AGENCY_KIND_HEALTH_OTHER,
}
_COUNTRY_TEXT = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
    "outside_uk": "outside the UK",
    "unspecified": "not recorded",
}


@dataclass
class CaseView:
    """What the rules read from one case."""

    fact: dict[str, Any]
    text: dict[str, str]
    evidence: dict[str, list[str]]
    unmatched_tags: tuple[str, ...] = ()
    clocks: dict[str, Any] = field(default_factory=dict)


class _AreaSet:
    """Area names compared by `key` (case-insensitively by default; local
    authorities by their code), displayed as first written."""

    def __init__(self, key: Callable[[str], str] = lambda name: name.strip().casefold()) -> None:
        self._names: dict[str, str] = {}
        self._key = key

    def add(self, name: str) -> None:
        if name.strip():
            self._names.setdefault(self._key(name), name.strip())

    def __len__(self) -> int:
        return len(self._names)

    def text(self) -> str:
        return ", ".join(self._names.values()) or "none recorded"


def _area_type(agency: common_pb2.Agency) -> int:
    if agency.area_type != common_pb2.AREA_TYPE_UNSPECIFIED:
        return agency.area_type
    if agency.kind == common_pb2.AGENCY_KIND_POLICE:
        return common_pb2.AREA_TYPE_POLICE_AREA
    if agency.kind in _HEALTH_KINDS:
        return common_pb2.AREA_TYPE_HEALTH_BOARD
    return common_pb2.AREA_TYPE_LOCAL_AUTHORITY


#: Items a rationale names from one list; the rest are counted ("and 37 more"), so a
#: rationale stays readable and bounded however many concerns or agencies a case has.
ITEMS_IN_TEXT = 10


def _shown(items: Iterable[str]) -> tuple[list[str], int]:
    kept, more = [], 0
    for item in items:
        if not item:
            continue
        if len(kept) < ITEMS_IN_TEXT:
            kept.append(item)
        else:
            more += 1
    return kept, more


def _join(items: Iterable[str], empty: str = "none") -> str:
    kept, more = _shown(items)
    return ("; ".join(kept) + (f"; and {more} more" if more else "")) if kept else empty


def _list(items: Iterable[str], empty: str = "none") -> str:
    kept, more = _shown(items)
    return (", ".join(kept) + (f" and {more} more" if more else "")) if kept else empty


def _age_text(child: facts_pb2.ChildFacts) -> str:
    if child.unborn:
        return "unborn"
    if not child.HasField("age_years"):
        return "unknown"
    if child.age_years == 0:
        return "under 1 year"
    return f"{child.age_years} year{'s' if child.age_years != 1 else ''}"


def _harm_summary(facts: facts_pb2.CaseFacts) -> str:
    if facts.died and facts.seriously_harmed:
        return "was seriously harmed and died"
    if facts.died:
        return "died"
    if facts.seriously_harmed:
        return "was seriously harmed"
    return "neither died nor was seriously harmed"


def case_view(
    facts: facts_pb2.CaseFacts, edition: str, themes: ThemeVocabulary, authorities: AuthorityRegister | None = None
) -> CaseView:
    """Builds the fact, rationale text and evidence lists for one case. Local
    authorities are compared by their code in `authorities`."""
    register = authorities or AuthorityRegister.empty()
    child = facts.child
    names = {a.agency.agency_id: a.agency.name or a.agency.agency_id for a in facts.agencies}
    involved = [a for a in facts.agencies if a.involved]

    def return_ref(agency: facts_pb2.AgencyFacts) -> str:
        return agency.return_ref or f"return:{agency.agency.agency_id}"

    joint, single, joint_text, single_text = [], [], [], []
    learning_refs, identified_refs, identified_tags, case_tags = [], [], [], []
    tag_refs: list[tuple[list[str], str]] = []
    concern_count = 0
    for agency in facts.agencies:
        recorder = names.get(agency.agency.agency_id, "an agency")
        for concern in agency.concerns:
            concern_count += 1
            about = _list((names.get(a, a) for a in concern.about_agencies), "unnamed agencies")
            ref = concern.evidence_ref or return_ref(agency)
            if concern.type in v.JOINT_WORKING_CONCERNS:
                joint.append(ref)
                joint_text.append(f"{concern.type.replace('_', ' ')} about {about} (recorded by {recorder})")
            elif concern.type == "single_agency_practice":
                single.append(ref)
                single_text.append(f"{about} (recorded by {recorder})")
        for item in agency.learning:
            ref = item.evidence_ref or return_ref(agency)
            learning_refs.append(ref)
            case_tags.extend(item.themes)
            tag_refs.append((list(item.themes), ref))
            if item.already_identified:
                identified_refs.append(ref)
                identified_tags.extend(item.themes)

    mapping = themes.map_tags(case_tags)
    identified = themes.map_tags(identified_tags)
    recurrent = recurrent_themes(
        themes, case_tags, [(r.review_id, list(r.themes)) for r in facts.earlier_reviews]
    )
    recurrent_keys = {themes.key(r.theme) for r in recurrent}
    recurrent_refs = [ref for tags, ref in tag_refs if any(themes.key(t) in recurrent_keys for t in tags)]
    recurrent_ids = list(dict.fromkeys(i for r in recurrent for i in r.review_ids))

    las, police, health = _AreaSet(register.key), _AreaSet(), _AreaSet()
    for name in (facts.notifying_la, facts.incident_la, facts.home_la):
        las.add(name)
    for agency in involved:
        {
            common_pb2.AREA_TYPE_POLICE_AREA: police,
            common_pb2.AREA_TYPE_HEALTH_BOARD: health,
        }.get(_area_type(agency.agency), las).add(agency.agency.area)

    not_returned = [names[a.agency.agency_id] for a in facts.agencies if not a.returned]
    returns_missing = max(facts.returns_missing, len(not_returned))
    panel_response = facts.panel_response or "none"

    fact: dict[str, Any] = {
        "edition": edition,
        "partnership": facts.partnership,
        "notifying_la": facts.notifying_la,
        "incident_la": facts.incident_la,
        "home_la": facts.home_la,
        "notified": bool(facts.panel_notification_sent_date),
        "withdrawn": facts.withdrawn,
        "rapid_review_sent": bool(facts.rapid_review_sent_date),
        "age_known": child.HasField("age_years"),
        "unborn": child.unborn,
        "looked_after": child.looked_after,
        "care_leaver": child.care_leaver,
        "disability": child.disability,
        "child_protection_plan": child.child_protection_plan,
        "died": facts.died,
        "seriously_harmed": facts.seriously_harmed,
        "recovered": facts.recovered,
        "harm_domain_count": len(facts.harm_domains),
        "nature": v.enum_name(*v.NATURE, facts.nature),
        "abuse_or_neglect": v.enum_name(*v.ABUSE, facts.abuse_or_neglect),
        "setting": v.enum_name(*v.SETTING, facts.setting),
        "incident_country": v.enum_name(*v.COUNTRY, facts.incident_country),
        "incident_la_known": bool(facts.incident_la.strip()),
        "incident_in_notifying_la": register.same(facts.incident_la, facts.notifying_la),
        "home_la_known": bool(facts.home_la.strip()),
        "home_la_is_notifying_la": register.same(facts.home_la, facts.notifying_la),
        "incident_la_is_home_la": register.same(facts.incident_la, facts.home_la),
        "referred_by_agency": bool(facts.referred_by.strip()),
        "agency_count": len(facts.agencies),
        "involved_agency_count": len(involved),
        "returns_missing": returns_missing,
        "concern_count": concern_count,
        "joint_working_concern_count": len(joint),
        "single_agency_concern_count": len(single),
        "learning_count": len(learning_refs),
        "already_identified_learning_count": len(identified_refs),
        "recurrent_theme_count": len(recurrent),
        "matched_earlier_review_count": len(recurrent_ids),
        "distinct_local_authorities": len(las),
        "distinct_police_areas": len(police),
        "distinct_health_areas": len(health),
        "family_moved_between_areas": facts.family_moved_between_areas,
        "no_agency_involvement_concern": facts.no_agency_involvement_concern,
        "panel_response": panel_response if panel_response in v.PANEL_RESPONSES else "none",
        "good_practice_count": sum(a.good_practice_count for a in facts.agencies),
        "immediate_action_count": sum(a.immediate_action_count for a in facts.agencies),
    }
    if child.HasField("age_years"):
        fact["age_years"] = child.age_years

    text = {key: _text(key, value) for key, value in fact.items()}
    text.update(
        {
            "la_aware_date": facts.la_aware_date or "not recorded",
            "incident_date": facts.incident_date or "not recorded",
            "panel_notification_sent_date": facts.panel_notification_sent_date or "not recorded",
            "rapid_review_sent_date": facts.rapid_review_sent_date or "not recorded",
            "child_ref": child.child_ref or "the child",
            "age": _age_text(child),
            "age_years": str(child.age_years) if child.HasField("age_years") else "unknown",
            "harm_summary": _harm_summary(facts),
            "harm_domains": _list(
                (v.enum_name(*v.HARM, d).replace("_", " ") for d in facts.harm_domains), "none recorded"
            ),
            "involved_agencies": _list((names[a.agency.agency_id] for a in involved), "none"),
            "joint_working_concerns": _join(joint_text),
            "single_agency_concerns": _join(single_text),
            "learning_themes": _list([*mapping.matched, *mapping.unmatched]),
            "already_identified_themes": _list([*identified.matched, *identified.unmatched]),
            "recurrent_themes": _join(f"{r.theme} ({', '.join(r.review_ids)})" for r in recurrent),
            "recurrent_reviews": _list(recurrent_ids),
            "unmatched_tags": _list(mapping.unmatched),
            "local_authorities": las.text(),
            "police_areas": police.text(),
            "health_areas": health.text(),
            "referred_by": facts.referred_by or "no agency",
            "missing_returns": _list(not_returned) if returns_missing == len(not_returned)
            else f"{returns_missing} return(s)",
            "incident_country": _COUNTRY_TEXT.get(fact["incident_country"], fact["incident_country"]),
            "panel_response": "none recorded" if panel_response == "none" else panel_response.replace("_", " "),
            "notifying_authority": register.describe(facts.notifying_la) or "not recorded",
            "incident_authority": register.describe(facts.incident_la) or "not recorded",
            "home_authority": register.describe(facts.home_la) or "not recorded",
        }
    )
    evidence = {
        "joint_working_concerns": joint,
        "single_agency_concerns": single,
        "learning": learning_refs,
        "already_identified_learning": identified_refs,
        "recurrent_reviews": recurrent_ids,
        "recurrent_learning": recurrent_refs,
        "involved_agency_returns": [return_ref(a) for a in involved],
    }
    return CaseView(fact, text, evidence, mapping.unmatched)


def _text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.replace("_", " ") if key in v.FACTS and v.FACTS[key].kind == "enum" else value
    return str(value)
