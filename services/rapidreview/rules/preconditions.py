"""A rule's preconditions as data: who the person is, where the incident
happened, the edition and the earlier rules the rule depends on.

Rule files state them under `preconditions:` so that a reader (and
docs/rules.md) sees at a glance when a rule can apply, and so that the rule
lint can check them against the conditions (`rapidreview rules test`).
"""

from __future__ import annotations

from typing import Any

from rapidreview.rules.model import PERSONS, PLACES, RESIDENCES, Preconditions, Rule

_KEYS = {"person", "place", "resident", "edition", "depends_on"}
_MAX_AGE = 25  # the oldest age CaseFacts accepts (care leavers up to 25)


class PreconditionError(ValueError):
    """The preconditions of a rule file are malformed."""


def parse(data: Any, edition: str) -> Preconditions:
    """Preconditions from a rule file's `preconditions:` mapping."""
    if not isinstance(data, dict):
        raise PreconditionError("preconditions must be a mapping (person, place, resident, edition, depends_on)")
    unknown = set(data) - _KEYS
    if unknown:
        raise PreconditionError(f"preconditions: unknown keys {', '.join(sorted(unknown))}")
    missing = [k for k in ("person", "place", "edition", "depends_on") if k not in data]
    if missing:
        raise PreconditionError(f"preconditions: {', '.join(missing)} required")
    person, unborn = _person(data["person"])
    places = _places(data["place"])
    resident = data.get("resident", "any")
    if resident not in RESIDENCES:
        raise PreconditionError(f"preconditions.resident must be one of {', '.join(RESIDENCES)}")
    if data["edition"] != edition:
        raise PreconditionError(f"preconditions.edition must be this edition's name, {edition}")
    depends = data["depends_on"] or []
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        raise PreconditionError("preconditions.depends_on must be a list of rule IDs ([] for none)")
    return Preconditions(person, unborn, places, resident, edition, tuple(depends))


def _person(value: Any) -> tuple[dict[str, tuple[int, int]] | None, bool]:
    if value == "any":
        return None, True
    if not isinstance(value, dict) or not value:
        raise PreconditionError(
            "preconditions.person must be `any` or a mapping like {child: [0, 17], unborn: true}"
        )
    unborn = value.get("unborn", False)
    if not isinstance(unborn, bool):
        raise PreconditionError("preconditions.person.unborn must be true or false")
    kinds: dict[str, tuple[int, int]] = {}
    for kind, ages in value.items():
        if kind == "unborn":
            continue
        if kind not in PERSONS:
            raise PreconditionError(f"preconditions.person: {kind!r} is not one of {', '.join(PERSONS)}, unborn")
        if (not isinstance(ages, list) or len(ages) != 2 or not all(isinstance(a, int) for a in ages)
                or not 0 <= ages[0] <= ages[1] <= _MAX_AGE):
            raise PreconditionError(
                f"preconditions.person.{kind} must be inclusive age bounds [lowest, highest] within 0-{_MAX_AGE}"
            )
        kinds[kind] = (ages[0], ages[1])
    if not kinds and not unborn:
        raise PreconditionError("preconditions.person covers nobody")
    return kinds, unborn


def _places(value: Any) -> tuple[str, ...] | None:
    if value == "any":
        return None
    if not isinstance(value, list) or not value or any(p not in PLACES for p in value):
        raise PreconditionError(f"preconditions.place must be `any` or a list of {', '.join(PLACES)}")
    return tuple(value)


def covers_person(pre: Preconditions, *, unborn: bool, age: int | None, looked_after: bool, care_leaver: bool) -> bool:
    """True when a person with these facts is one the rule can apply to."""
    if pre.person is None:
        return True
    if unborn:
        return pre.unborn
    if age is None:
        return False
    flags = {"child": True, "looked_after": looked_after, "care_leaver": care_leaver}
    return any(flags[kind] and low <= age <= high for kind, (low, high) in pre.person.items())


def covers_place(pre: Preconditions, place: str, resident_in_area: bool) -> bool:
    """True when an incident at `place` (PLACES) fits the rule's place and residence."""
    if pre.places is not None and place not in pre.places:
        return False
    if pre.resident == "in_area":
        return resident_in_area
    if pre.resident == "elsewhere":
        return not resident_in_area
    return True


_PLACE_TEXT = {
    "england_in_area": "England, in the notifying authority's area",
    "england_elsewhere": "England, in another authority's area",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
    "outside_uk": "outside the UK",
}
_PERSON_TEXT = {"child": "child", "looked_after": "looked-after child", "care_leaver": "care leaver"}


def describe_person(pre: Preconditions) -> str:
    """E.g. "child aged 0-17; unborn child" or "anyone"."""
    if pre.person is None:
        return "anyone"
    parts = [f"{_PERSON_TEXT[kind]} aged {low}-{high}" for kind, (low, high) in pre.person.items()]
    if pre.unborn:
        parts.append("unborn child")
    return "; ".join(parts)


def describe_place(pre: Preconditions) -> str:
    """E.g. "Wales, Scotland; child resident in the notifying authority's area"."""
    text = "anywhere" if pre.places is None else ", ".join(_PLACE_TEXT[p] for p in pre.places)
    if pre.resident == "in_area":
        text += "; child normally resident in the notifying authority's area"
    elif pre.resident == "elsewhere":
        text += "; child normally resident elsewhere"
    return text



def markdown(rules: list[tuple[str, list[Rule]]]) -> str:
    """The preconditions of every rule of each edition as Markdown tables
    (docs/rules.md, between its `preconditions` markers). `rules` is
    [(edition title, [Rule])]."""
    out: list[str] = []
    for title, edition_rules in rules:
        out += [f"#### {title}", "", "| rule | person | place | depends on | creates |", "|---|---|---|---|---|"]
        for rule in edition_rules:
            pre = rule.preconditions
            if pre is None:
                continue
            depends = ", ".join(pre.depends_on) or "–"
            creates = ", ".join(rule.creates) or "–"
            out.append(f"| {rule.id} | {describe_person(pre)} | {describe_place(pre)} | {depends} | {creates} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
