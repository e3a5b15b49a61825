"""Evidence references as links (pure functions, no I/O).

The criteria service cites its evidence by reference (docs/gathering.md, "Evidence references"):
`return:<agency id>:v<version>` names a version of an agency return, a fragment an item in it
(`#chronology-2`, `#concern-1`, `#learning-1`, `#good-practice-1`, `#action-1`, `#episode-1`);
anything else is the id of an earlier or national review (`LSCP-2021-03`, `CSPRP-2022-BRUISING`).

Every cited item has one anchor, `anchor(ref)`, wherever the workspace shows it: the collated page
carries the anchors of the latest version of each return, the page of one return version those of
that version. So a checklist line links to the collated page when it cites the latest version,
else to the version's own page, and a review id to the list of reviews on the checklist page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RETURN = re.compile(r"^return:(?P<agency>[a-z0-9][a-z0-9-]{1,63}):v(?P<version>[1-9][0-9]{0,5})(?:#(?P<item>[a-z-]+-[1-9][0-9]{0,5}))?$")
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")

#: What each item kind of a return is, in words.
ITEM_KINDS = {
    "chronology": "chronology entry",
    "concern": "concern about working together",
    "learning": "learning",
    "good-practice": "good practice",
    "action": "immediate action",
    "episode": "key practice episode",
}


@dataclass(frozen=True)
class ReturnRef:
    """A parsed `return:<agency>:v<version>[#<item>]` reference."""

    agency_id: str
    version: int
    item: str = ""  # e.g. "chronology-2"; empty for the whole return

    @property
    def item_kind(self) -> str:
        return self.item.rpartition("-")[0]


def parse_return_ref(ref: str) -> ReturnRef | None:
    match = _RETURN.match(ref)
    if match is None:
        return None
    return ReturnRef(match["agency"], int(match["version"]), match["item"] or "")


def anchor(ref: str) -> str:
    """The HTML id of the element showing `ref` (the same wherever it is shown)."""
    return "ev-" + _UNSAFE.sub("-", ref).strip("-").lower()


def source_anchor(review_id: str) -> str:
    """The HTML id of an earlier or national review in the checklist's list of reviews."""
    return "review-" + _UNSAFE.sub("-", review_id).strip("-").lower()


@dataclass(frozen=True)
class EvidenceLink:
    ref: str
    text: str
    href: str  # empty: shown without a link (the person may not open it)
    kind: str  # "return" or "review"


def describe(ref: str, agency_names: dict[str, str]) -> str:
    """A reference in words: "GP practice, return version 1: learning 1"; a review id stays as it is."""
    parsed = parse_return_ref(ref)
    if parsed is None:
        return ref
    name = agency_names.get(parsed.agency_id, parsed.agency_id)
    text = f"{name}, return version {parsed.version}"
    if parsed.item:
        number = parsed.item.rpartition("-")[2]
        text += f": {ITEM_KINDS.get(parsed.item_kind, parsed.item_kind)} {number}"
    return text


def link(ref: str, *, collated_href: str, version_href: str, latest_versions: dict[str, int] | None,
         agency_names: dict[str, str], reviews_href: str | None = "") -> EvidenceLink:
    """Where a checklist's evidence reference leads.

    `collated_href` is the collated page's path; `version_href` a format string with `{agency}` and
    `{version}` for one return version's page; `latest_versions` the latest version of each agency's
    return as the collated page shows it, or None when the person may not read agency returns (the
    reference is then shown without a link). A review id links to `reviews_href#<source_anchor>`
    when given."""
    parsed = parse_return_ref(ref)
    if parsed is None:
        href = f"{reviews_href}#{source_anchor(ref)}" if reviews_href is not None else ""
        return EvidenceLink(ref, ref, href, "review")
    text = describe(ref, agency_names)
    if latest_versions is None:
        return EvidenceLink(ref, text, "", "return")
    if latest_versions.get(parsed.agency_id) == parsed.version:
        return EvidenceLink(ref, text, f"{collated_href}#{anchor(ref)}", "return")
    page = version_href.format(agency=parsed.agency_id, version=parsed.version)
    return EvidenceLink(ref, text, f"{page}#{anchor(ref)}", "return")
