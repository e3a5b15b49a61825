"""An agency return being written: what the form pages have saved so far (pure, no I/O).

The draft is a plain JSON document (stored sealed by `drafts.py`): one dict of
answers per single-page section and a list of items per list section, each item
with a random id (so links to "change" or "remove" never carry what was typed).
`to_request` turns it into gathering's SubmitAgencyReturnRequest; `from_return`
prefills it from a submitted version (an amendment).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from rapidreview.v1 import common_pb2, gathering_pb2
from rapidreview.workspace.returns.fields import agency_id
from rapidreview.workspace.returns.sections import LISTS, SECTIONS, Section

G = gathering_pb2
FORMAT = 1


def new_item_id() -> str:
    return secrets.token_hex(4)


@dataclass
class ReturnDraft:
    """Answers by section. `answers[key]` is a dict for a single-page section, a list of item dicts
    (each with "id") for a list section. `done` lists the sections the person said are finished;
    `based_on` is the version an amendment was prefilled from (0: a first return)."""

    answers: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    based_on: int = 0

    # -- reading ---------------------------------------------------------------------------

    def single(self, key: str) -> dict[str, Any]:
        return dict(self.answers.get(key) or {})

    def items(self, key: str) -> list[dict[str, Any]]:
        return list(self.answers.get(key) or [])

    def item(self, key: str, item_id: str) -> dict[str, Any] | None:
        return next((i for i in self.items(key) if i.get("id") == item_id), None)

    @property
    def involved(self) -> bool | None:
        value = self.single("involvement").get("involvement")
        return None if not value else value == "involved"

    def status(self, sec: Section) -> str:
        """The task list's words: "Completed", "In progress", "Not yet started" (or "Not needed")."""
        if sec.key == "chronology" and self.involved is False and not self.items("chronology"):
            return "Not needed"
        if sec.key in self.done:
            return "Completed"
        has = bool(self.items(sec.key)) if not sec.single else any(v not in ("", None, []) for v in self.single(sec.key).values())
        return "In progress" if has else "Not yet started"

    @property
    def empty(self) -> bool:
        return not any(self.answers.values())

    # -- changing --------------------------------------------------------------------------

    def set_single(self, key: str, values: dict[str, Any]) -> None:
        self.answers[key] = values
        self.mark_done(key)

    def add_items(self, key: str, items: list[dict[str, Any]]) -> None:
        current = self.items(key)
        current.extend({**item, "id": new_item_id()} for item in items)
        self.answers[key] = current
        self.mark_done(key, False)

    def replace_item(self, key: str, item_id: str, values: dict[str, Any]) -> bool:
        current = self.items(key)
        for i, item in enumerate(current):
            if item.get("id") == item_id:
                current[i] = {**values, "id": item_id}
                self.answers[key] = current
                return True
        return False

    def remove_item(self, key: str, item_id: str) -> bool:
        current = self.items(key)
        kept = [i for i in current if i.get("id") != item_id]
        self.answers[key] = kept
        return len(kept) != len(current)

    def mark_done(self, key: str, done: bool = True) -> None:
        if done and key not in self.done:
            self.done.append(key)
        if not done and key in self.done:
            self.done.remove(key)

    # -- JSON ------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "answers": self.answers, "done": self.done, "based_on": self.based_on}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReturnDraft:
        return cls(dict(data.get("answers") or {}), list(data.get("done") or []), int(data.get("based_on") or 0))


# -- to and from gathering's messages ----------------------------------------------------------

def _enum(enum: Any, prefix: str, name: str) -> int:
    try:
        return int(enum.Value(f"{prefix}{name}")) if name else 0
    except ValueError:
        return 0


def _enum_name(enum: Any, prefix: str, value: int) -> str:
    return enum.Name(value)[len(prefix):] if value else ""


def to_request(draft: ReturnDraft, case_id: str, agency: common_pb2.Agency) -> G.SubmitAgencyReturnRequest:
    """The SubmitAgencyReturnRequest the draft stands for (the service validates it)."""
    r = G.AgencyReturn(agency=agency)
    inv = draft.single("involvement")
    r.involvement = {"involved": G.INVOLVEMENT_INVOLVED, "not_involved": G.INVOLVEMENT_NOT_INVOLVED}.get(inv.get("involvement", ""), 0)
    if r.involvement == G.INVOLVEMENT_INVOLVED:
        r.involvement_period.start = inv.get("start", "")
        r.involvement_period.end = inv.get("end", "")
    r.involvement_summary = inv.get("summary", "")
    about = draft.single("about")
    r.family_context = about.get("family_context", "")
    r.completed_by_role = about.get("completed_by_role", "")
    for e in draft.items("chronology"):
        r.chronology.add(date=e.get("date", ""), contact_type=_enum(G.ContactType, "CONTACT_TYPE_", e.get("contact_type", "")),
                         practitioner_role=e.get("role", ""), summary=e.get("summary", ""), decisions=e.get("decisions", ""),
                         entry_ref=e.get("ref", ""))
    for c in draft.items("concerns"):
        about_ids = ([agency.agency_id] if c.get("own_agency") else []) + [agency_id(n) for n in c.get("about") or []]
        r.concerns.add(type=_enum(G.ConcernType, "CONCERN_TYPE_", c.get("type", "")), description=c.get("description", ""),
                       about_agencies=list(dict.fromkeys(a for a in about_ids if a)))
    for learning in draft.items("learning"):
        identified = bool(learning.get("already_identified"))
        acted = learning.get("acted_on", "") if identified else ""
        r.learning.add(description=learning.get("description", ""),
                       themes=list(dict.fromkeys([*(learning.get("themes") or []), *(learning.get("other_themes") or [])])),
                       already_identified=identified,
                       acted_on=_enum(G.ActedOn, "ACTED_ON_", acted if acted != "UNKNOWN" else ""),
                       earlier_reviews=list(learning.get("earlier_reviews") or []) if identified else [])
    for g in draft.items("good_practice"):
        r.good_practice.add(date=g.get("date", ""), description=g.get("description", ""))
    for a in draft.items("actions"):
        r.immediate_actions.add(date=a.get("date", ""), subject=_enum(G.ActionSubject, "ACTION_SUBJECT_", a.get("subject", "")),
                                description=a.get("description", ""), completed=bool(a.get("completed")))
    for k in draft.items("episodes"):
        r.key_practice_episodes.add(title=k.get("title", ""), description=k.get("description", ""),
                                    period=G.Period(start=k.get("start", ""), end=k.get("end", "")))
    return G.SubmitAgencyReturnRequest(case_id=case_id, agency_return=r)


def from_return(r: G.AgencyReturn, version: int) -> ReturnDraft:
    """A draft prefilled from a submitted version, every section marked as done (an amendment)."""
    draft = ReturnDraft(based_on=version)
    own = r.agency.agency_id
    draft.answers["involvement"] = {
        "involvement": {G.INVOLVEMENT_INVOLVED: "involved", G.INVOLVEMENT_NOT_INVOLVED: "not_involved"}.get(r.involvement, ""),
        "start": r.involvement_period.start, "end": r.involvement_period.end, "summary": r.involvement_summary,
    }
    draft.answers["about"] = {"family_context": r.family_context, "completed_by_role": r.completed_by_role}
    draft.answers["chronology"] = [
        {"id": new_item_id(), "date": e.date, "contact_type": _enum_name(G.ContactType, "CONTACT_TYPE_", e.contact_type),
         "role": e.practitioner_role, "summary": e.summary, "decisions": e.decisions, "ref": e.entry_ref} for e in r.chronology]
    draft.answers["concerns"] = [
        {"id": new_item_id(), "type": _enum_name(G.ConcernType, "CONCERN_TYPE_", c.type), "own_agency": own in c.about_agencies,
         "about": [a for a in c.about_agencies if a != own], "description": c.description} for c in r.concerns]
    draft.answers["learning"] = [
        {"id": new_item_id(), "description": lp.description, "themes": list(lp.themes), "other_themes": [],
         "already_identified": lp.already_identified,
         "acted_on": _enum_name(G.ActedOn, "ACTED_ON_", lp.acted_on) or ("UNKNOWN" if lp.already_identified else ""),
         "earlier_reviews": list(lp.earlier_reviews)} for lp in r.learning]
    draft.answers["good_practice"] = [{"id": new_item_id(), "date": g.date, "description": g.description} for g in r.good_practice]
    draft.answers["actions"] = [
        {"id": new_item_id(), "date": a.date, "subject": _enum_name(G.ActionSubject, "ACTION_SUBJECT_", a.subject),
         "description": a.description, "completed": a.completed} for a in r.immediate_actions]
    draft.answers["episodes"] = [
        {"id": new_item_id(), "title": k.title, "start": k.period.start, "end": k.period.end, "description": k.description}
        for k in r.key_practice_episodes]
    draft.done = [s.key for s in SECTIONS]
    return draft


def split_themes(draft: ReturnDraft, vocabulary: list[str]) -> None:
    """Puts each learning tag that is not a vocabulary theme (as written in an earlier version or
    another system) under "other themes", so the checkboxes show the vocabulary and nothing is lost."""
    known = {t.casefold(): t for t in vocabulary}
    for item in draft.items("learning"):
        tags = [*(item.get("themes") or []), *(item.get("other_themes") or [])]
        item["themes"] = list(dict.fromkeys(known[t.casefold()] for t in tags if t.casefold() in known))
        item["other_themes"] = [t for t in tags if t.casefold() not in known]
    draft.answers["learning"] = draft.items("learning")


def locate(draft: ReturnDraft, path: str) -> tuple[Section | None, dict[str, Any] | None, int]:
    """The section, item and 1-based position a service field path points at
    ("agency_return.chronology[3].date" → chronology, its 4th item, 4)."""
    rest = path.removeprefix("agency_return.")
    head = rest.split(".", 1)[0]
    name, _, index = head.partition("[")
    for sec in SECTIONS:
        if sec.proto_field == name or (sec.key == "involvement" and name in ("involvement_period", "involvement_summary")) \
                or (sec.key == "about" and name == "completed_by_role"):
            if index and not sec.single:
                i = int(index.rstrip("]")) if index.rstrip("]").isdigit() else -1
                items = draft.items(sec.key)
                return sec, (items[i] if 0 <= i < len(items) else None), i + 1
            return sec, None, 0
    return None, None, 0



__all__ = ["LISTS", "ReturnDraft", "from_return", "locate", "new_item_id", "split_themes", "to_request"]
