"""Collation: every agency's latest return merged into one picture.

Pure: takes the rendered requests with their latest returns and gives the
CollatedInformation the advisory group reads, and the text-free
InformationCollated event the criteria service reads. Nothing is dropped:
entries that look like the same contact recorded twice are flagged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from google.protobuf import timestamp_pb2

from rapidreview.gathering.domain.refs import item_ref
from rapidreview.gathering.domain.requests import completeness
from rapidreview.v1 import gathering_pb2

G = gathering_pb2
EVENT_HIGHLIGHT_LIMIT = 500
# The event must stay under the 1 MB events carry (NATS max_payload): its fixed part (at most
# 100 agencies, gathering.handlers.MAX_REQUESTS_PER_CASE) takes under 400 KiB, and these budgets bound the rest.
EVENT_BYTES_BUDGET = 256 * 1024  # chronology highlights
EVENT_ITEMS_BUDGET = 192 * 1024  # concerns, learning items and immediate actions of all agencies
EVENT_THEMES_BUDGET = 64 * 1024  # learning themes
EVENT_NAMED_WITHOUT_REQUEST = 100
REFS_PER_THEME = 20
REFS_PER_HIGHLIGHT = 20
# Same day, same kind of contact and at least this share of words in common.
DUPLICATE_SIMILARITY = 0.8
# Above this many entries of one kind on one day, only identical summaries are compared.
PAIRWISE_LIMIT = 50


@dataclass(frozen=True)
class Contribution:
    """One request (rendered) and its latest return, if any."""

    request: gathering_pb2.InformationRequest
    agency_return: gathering_pb2.AgencyReturn | None = None


def normalise_tag(tag: str) -> str:
    """Case-folded, punctuation-free, single-spaced form of a theme tag, so that
    "Information-sharing" and "information sharing" group together."""
    text = tag.casefold().replace("&", " and ")
    text = re.sub(r"[-_/]", " ", text)
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


_WORD = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold()))


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    if a == b:
        return True
    union = len(a | b)
    return union > 0 and len(a & b) / union >= DUPLICATE_SIMILARITY


def _timestamp(value: dt.datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


def collate(case_id: str, partnership: str, status: int, collation_version: int,
            contributions: Sequence[Contribution], collated_at: dt.datetime) -> gathering_pb2.CollatedInformation:
    """The collated picture of `contributions` (in request order)."""
    requested = {c.request.agency.agency_id for c in contributions}
    order = {c.request.agency.agency_id: i for i, c in enumerate(contributions)}
    out = G.CollatedInformation(
        case_id=case_id, partnership=partnership, status=status, collation_version=collation_version,
        completeness=completeness([c.request for c in contributions]), collated_at=_timestamp(collated_at),
    )
    out.partial = out.completeness.missing > 0
    chronology: list[tuple[str, int, int, G.CollatedChronologyEntry]] = []
    episodes: list[G.CollatedKeyPracticeEpisode] = []
    actions: list[G.CollatedImmediateAction] = []
    named_without_request: dict[str, None] = {}
    for c in contributions:
        agency_id = c.request.agency.agency_id
        if c.agency_return is None:
            out.missing_agencies.append(c.request.agency)
            out.agencies.append(_awaiting(c.request))
            continue
        r, version = c.agency_return, c.request.latest_version
        out.agencies.append(_contribution(c.request, r))
        for i, entry in enumerate(r.chronology):
            chronology.append((entry.date, order[agency_id], i, G.CollatedChronologyEntry(
                agency_id=agency_id, agency_name=r.agency.name, entry=entry,
                evidence_ref=item_ref(agency_id, version, "chronology", i))))
        for i, episode in enumerate(r.key_practice_episodes):
            episodes.append(G.CollatedKeyPracticeEpisode(agency_id=agency_id, episode=episode,
                                                         evidence_ref=item_ref(agency_id, version, "episode", i)))
        for i, good in enumerate(r.good_practice):
            out.good_practice.append(G.CollatedGoodPractice(agency_id=agency_id, good_practice=good,
                                                            evidence_ref=item_ref(agency_id, version, "good-practice", i)))
        for i, concern in enumerate(r.concerns):
            missing = [a for a in concern.about_agencies if a not in requested]
            named_without_request.update(dict.fromkeys(missing))
            out.concerns.append(G.CollatedConcern(agency_id=agency_id, concern=concern, about_agencies_without_request=missing,
                                                  evidence_ref=item_ref(agency_id, version, "concern", i)))
        for i, action in enumerate(r.immediate_actions):
            actions.append(G.CollatedImmediateAction(agency_id=agency_id, action=action,
                                                     evidence_ref=item_ref(agency_id, version, "action", i)))
    out.chronology.extend(_merge_days(chronology, order))
    out.key_practice_episodes.extend(sorted(episodes, key=lambda e: (e.episode.period.start, order[e.agency_id])))
    out.immediate_actions.extend(sorted(actions, key=lambda a: (a.action.date, order[a.agency_id])))
    out.learning_by_theme.extend(_learning_by_theme(contributions, order))
    out.agencies_named_without_request.extend(named_without_request)
    out.chronology_highlights.extend(_highlights(out.chronology, out.key_practice_episodes))
    return out


def _awaiting(request: gathering_pb2.InformationRequest) -> gathering_pb2.AgencyContribution:
    return G.AgencyContribution(agency=request.agency, request_status=request.status, due=request.clock.due)


def _contribution(request: gathering_pb2.InformationRequest, r: gathering_pb2.AgencyReturn) -> gathering_pb2.AgencyContribution:
    agency_id, version = request.agency.agency_id, request.latest_version
    dates = [e.date for e in r.chronology]
    return G.AgencyContribution(
        agency=r.agency,
        request_status=request.status,
        involvement=r.involvement,
        involvement_period=r.involvement_period,
        involvement_summary=r.involvement_summary,
        version=version,
        return_ref=request.return_ref,
        returned_on=request.clock.completed_on,
        late=request.clock.late,
        due=request.clock.due,
        concerns=[G.ConcernSummary(type=c.type, about_agencies=c.about_agencies, evidence_ref=item_ref(agency_id, version, "concern", i))
                  for i, c in enumerate(r.concerns)],
        learning=[G.LearningSummary(themes=x.themes, already_identified=x.already_identified, acted_on=x.acted_on,
                                    earlier_reviews=x.earlier_reviews, evidence_ref=item_ref(agency_id, version, "learning", i))
                  for i, x in enumerate(r.learning)],
        good_practice_count=len(r.good_practice),
        concern_count=len(r.concerns),
        learning_count=len(r.learning),
        immediate_action_count=len(r.immediate_actions),
        immediate_actions=[G.ImmediateActionSummary(date=a.date, subject=a.subject, completed=a.completed,
                                                    evidence_ref=item_ref(agency_id, version, "action", i))
                           for i, a in enumerate(r.immediate_actions)],
        chronology_entry_count=len(r.chronology),
        key_practice_episode_count=len(r.key_practice_episodes),
        first_contact=min(dates) if dates else "",
        last_contact=max(dates) if dates else "",
    )


def _merge_days(entries: list[tuple[str, int, int, G.CollatedChronologyEntry]], order: dict[str, int]) -> list[G.ChronologyDay]:
    """Entries grouped by day (oldest first), agencies in request order, each
    agency's entries in submitted order; likely duplicates flagged."""
    entries.sort(key=lambda t: (t[0], t[1], t[2]))
    days: list[G.ChronologyDay] = []
    start = 0
    while start < len(entries):
        date = entries[start][0]
        end = start
        while end < len(entries) and entries[end][0] == date:
            end += 1
        day_entries = [t[3] for t in entries[start:end]]
        _flag_duplicates(day_entries)
        agency_ids = list(dict.fromkeys(e.agency_id for e in day_entries))
        days.append(G.ChronologyDay(date=date, entries=day_entries, agency_ids=agency_ids))
        start = end
    return days


def _flag_duplicates(day_entries: list[G.CollatedChronologyEntry]) -> None:
    # Words are only computed for entries that share a day and kind of contact
    # with another: most entries are alone in their bucket.
    by_kind: dict[int, list[G.CollatedChronologyEntry]] = defaultdict(list)
    for entry in day_entries:
        by_kind[entry.entry.contact_type].append(entry)
    for bucket in by_kind.values():
        if len(bucket) < 2:
            continue
        words = [_words(e.entry.summary) for e in bucket]
        pairwise = len(bucket) <= PAIRWISE_LIMIT
        for i in range(1, len(bucket)):
            if pairwise:
                matches = [bucket[j].evidence_ref for j in range(i) if _similar(words[i], words[j])]
            else:
                matches = [bucket[j].evidence_ref for j in range(i) if words[i] == words[j]]
            bucket[i].possible_duplicate_of.extend(matches)


def _learning_by_theme(contributions: Iterable[Contribution], order: dict[str, int]) -> list[G.LearningThemeGroup]:
    groups: dict[str, G.LearningThemeGroup] = {}
    for c in contributions:
        if c.agency_return is None:
            continue
        agency_id, version = c.request.agency.agency_id, c.request.latest_version
        for i, learning in enumerate(c.agency_return.learning):
            item = G.CollatedLearning(agency_id=agency_id, learning=learning, evidence_ref=item_ref(agency_id, version, "learning", i))
            for key in dict.fromkeys(normalise_tag(t) for t in learning.themes):
                if not key:
                    continue
                group = groups.get(key)
                if group is None:
                    shown = next(t.strip() for t in learning.themes if normalise_tag(t) == key)
                    group = groups[key] = G.LearningThemeGroup(theme=shown)
                if agency_id not in group.agency_ids:
                    group.agency_ids.append(agency_id)
                group.items.append(item)
    for group in groups.values():
        group.agency_ids.sort(key=order.__getitem__)
    return sorted(groups.values(), key=lambda g: (-len(g.agency_ids), normalise_tag(g.theme)))


def _highlights(days: Sequence[G.ChronologyDay], episodes: Sequence[G.CollatedKeyPracticeEpisode]) -> list[G.ChronologyHighlight]:
    out: list[G.ChronologyHighlight] = []
    for day in days:
        if len(day.agency_ids) > 1:
            out.append(G.ChronologyHighlight(date=day.date, kind=G.HIGHLIGHT_KIND_MULTI_AGENCY_DAY, agency_ids=day.agency_ids,
                                             evidence_refs=[e.evidence_ref for e in day.entries[:REFS_PER_HIGHLIGHT]]))
        by_ref = {e.evidence_ref: e.agency_id for e in day.entries}
        for entry in day.entries:
            if entry.possible_duplicate_of:
                refs = [*entry.possible_duplicate_of[:REFS_PER_HIGHLIGHT - 1], entry.evidence_ref]
                agencies = list(dict.fromkeys(by_ref[r] for r in refs))
                out.append(G.ChronologyHighlight(date=day.date, kind=G.HIGHLIGHT_KIND_POSSIBLE_DUPLICATE,
                                                 agency_ids=agencies, evidence_refs=refs))
    for episode in episodes:
        out.append(G.ChronologyHighlight(date=episode.episode.period.start, kind=G.HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE,
                                         agency_ids=[episode.agency_id], evidence_refs=[episode.evidence_ref]))
    out.sort(key=lambda h: (h.date, h.kind, h.evidence_refs[0]))
    return out


def collated_event(collated: gathering_pb2.CollatedInformation, trigger: int) -> gathering_pb2.InformationCollated:
    """The information.collated event for a published collation: the structured
    picture without free text or the full chronology, within the events' size
    limit whatever the returns hold (budgets above; counts stay complete)."""
    agencies = []
    for contribution in collated.agencies:
        copy = G.AgencyContribution()
        copy.CopyFrom(contribution)
        copy.involvement_summary = ""
        del copy.concerns[:], copy.learning[:], copy.immediate_actions[:]
        agencies.append(copy)
    event = G.InformationCollated(
        case_id=collated.case_id,
        partnership=collated.partnership,
        collation_version=collated.collation_version,
        trigger=trigger,
        partial=collated.partial,
        completeness=collated.completeness,
        missing_agencies=collated.missing_agencies,
        agencies=agencies,
        agencies_named_without_request=collated.agencies_named_without_request[:EVENT_NAMED_WITHOUT_REQUEST],
        collated_at=collated.collated_at,
    )
    # First items first, kind by kind, agency by agency: every agency's first concern is in
    # before any agency's second, and concerns (what most criteria read) before learning.
    used, full = 0, False
    depth = max((max(len(c.concerns), len(c.learning), len(c.immediate_actions)) for c in collated.agencies), default=0)
    for i in range(depth):
        for name in ("concerns", "learning", "immediate_actions"):
            for source, target in zip(collated.agencies, event.agencies, strict=True):
                items = getattr(source, name)
                if i >= len(items):
                    continue
                size = items[i].ByteSize() + 4  # tag and length prefix
                if used + size > EVENT_ITEMS_BUDGET:
                    full = True
                    break
                used += size
                getattr(target, name).append(items[i])
            if full:
                break
        if full:
            break
    used = 0
    for group in collated.learning_by_theme:
        theme = G.LearningThemeSummary(theme=group.theme, agency_ids=group.agency_ids,
                                       evidence_refs=[i.evidence_ref for i in group.items[:REFS_PER_THEME]])
        used += theme.ByteSize() + 4
        if used > EVENT_THEMES_BUDGET:
            full = True
            break
        event.learning_themes.append(theme)
    event.items_truncated = full or len(collated.agencies_named_without_request) > EVENT_NAMED_WITHOUT_REQUEST
    size = 0
    for highlight in collated.chronology_highlights:
        size += highlight.ByteSize() + 4  # tag and length prefix
        if len(event.chronology_highlights) == EVENT_HIGHLIGHT_LIMIT or size > EVENT_BYTES_BUDGET:
            event.chronology_highlights_truncated = True
            break
        event.chronology_highlights.append(highlight)
    return event


#: Bytes of chronology one GetCollatedInformation page carries at most (besides the
#: rest of the collation): a page of long entries holds fewer of them.
CHRONOLOGY_PAGE_BYTES = 2 * 1024 * 1024


def chronology_page(collated: gathering_pb2.CollatedInformation, after: str, page_size: int) -> str:
    """Keeps, in place, the days after `after` ("" = from the start) that fit in
    `page_size` entries and CHRONOLOGY_PAGE_BYTES (at least one day, never split);
    returns the last kept date when more days follow, else ""."""
    days = [d for d in collated.chronology if d.date > after] if after else list(collated.chronology)
    kept, count, size = [], 0, 0
    for day in days:
        day_size = day.ByteSize() + 8
        if kept and (count + len(day.entries) > page_size or size + day_size > CHRONOLOGY_PAGE_BYTES):
            break
        kept.append(day)
        count += len(day.entries)
        size += day_size
    more = len(kept) < len(days)
    del collated.chronology[:]
    collated.chronology.extend(kept)
    return kept[-1].date if more and kept else ""
