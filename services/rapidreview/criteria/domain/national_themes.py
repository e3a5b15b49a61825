"""The national themes list: the Panel's published national reviews, annual
reports and briefings with their themes, compared by LOCAL.RECURRENT_THEMES
with every case alongside the partnership's own earlier reviews.

The list is data (`criteria/national_themes.yaml` by default, or the file named
by RR_NATIONAL_THEMES_FILE), dated and versioned. Its entries join a case's
facts as `EarlierReview`s marked `national`, so every evaluation stores the
entries it was compared with (and the list version) and replays to the same
result whatever list is in force later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.v1 import criteria_pb2, facts_pb2

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "national_themes.yaml"
KINDS = ("national_review", "annual_report", "briefing")
_VERSION = re.compile(r"^\d{4}\.\d{1,3}$")
_SOURCE_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,63}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_SOURCES = 500
MAX_THEMES = 30


class NationalThemesError(ValueError):
    """The list is malformed; the message names the file, the entry and the field."""


@dataclass(frozen=True)
class NationalSource:
    """One publication of the list."""

    source_id: str
    kind: str
    title: str
    publisher: str
    year: int
    published: str
    themes: tuple[str, ...]
    checked: str


@dataclass(frozen=True)
class NationalThemeList:
    """A version of the list."""

    version: str
    as_of: dt.date
    sources: tuple[NationalSource, ...]

    @property
    def sha256(self) -> str:
        """Digest of the canonical content: the same list always has the same digest."""
        return hashlib.sha256(canonical_json(self).encode("utf-8")).hexdigest()

    def reviews(self) -> list[facts_pb2.EarlierReview]:
        """The entries as earlier reviews to attach to a case's facts."""
        return [
            facts_pb2.EarlierReview(review_id=s.source_id, year=s.year, themes=list(s.themes), title=s.title,
                                    publisher=s.publisher, national=True, list_version=self.version)
            for s in self.sources
        ]

    def to_proto(self) -> criteria_pb2.GetNationalThemesResponse:
        return criteria_pb2.GetNationalThemesResponse(
            version=self.version, as_of=self.as_of.isoformat(), sha256=self.sha256,
            sources=[criteria_pb2.NationalThemeSource(
                source_id=s.source_id, kind=s.kind, title=s.title, publisher=s.publisher, year=s.year,
                published=s.published, themes=list(s.themes), checked=s.checked) for s in self.sources],
        )


def canonical_json(themes: NationalThemeList) -> str:
    """The list as canonical JSON (sorted keys, no spaces): what is digested and stored."""
    return json.dumps(to_mapping(themes), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_mapping(themes: NationalThemeList) -> dict[str, Any]:
    return {
        "version": themes.version,
        "as_of": themes.as_of.isoformat(),
        "sources": [
            {"id": s.source_id, "kind": s.kind, "title": s.title, "publisher": s.publisher, "year": s.year,
             "published": s.published, "themes": list(s.themes), "checked": s.checked}
            for s in themes.sources
        ],
    }


def load(path: Path, vocabulary: ThemeVocabulary) -> NationalThemeList:
    """Reads and validates a list file; NationalThemesError naming the file and entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NationalThemesError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise NationalThemesError(f"{path}: not valid YAML ({exc})") from None
    try:
        return parse(data, vocabulary)
    except NationalThemesError as exc:
        raise NationalThemesError(f"{path}: {exc}") from None


def parse(data: Any, vocabulary: ThemeVocabulary) -> NationalThemeList:
    """Validates a parsed list. Themes must be vocabulary themes (or their
    synonyms) and are stored under their vocabulary names, so they match the
    cases' mapped themes."""
    if not isinstance(data, Mapping):
        raise NationalThemesError("expected a mapping with version, as_of, publisher and sources")
    version = str(data.get("version", ""))
    if not _VERSION.match(version):
        raise NationalThemesError(f'version: expected "YYYY.N", got {version!r}')
    try:
        as_of = dt.date.fromisoformat(str(data.get("as_of", "")))
    except ValueError:
        raise NationalThemesError("as_of: expected a date YYYY-MM-DD") from None
    default_publisher = str(data.get("publisher") or "").strip()
    raw = data.get("sources")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        raise NationalThemesError("sources: expected a non-empty list")
    if len(raw) > MAX_SOURCES:
        raise NationalThemesError(f"sources: at most {MAX_SOURCES}")
    sources: list[NationalSource] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        where = f"sources[{i}]"
        if not isinstance(item, Mapping):
            raise NationalThemesError(f"{where}: expected a mapping")
        source = _source(item, where, as_of, default_publisher, vocabulary)
        if source.source_id in seen:
            raise NationalThemesError(f"{where}.id: {source.source_id} is listed twice")
        seen.add(source.source_id)
        sources.append(source)
    return NationalThemeList(version, as_of, tuple(sources))


def _source(item: Mapping[str, Any], where: str, as_of: dt.date, default_publisher: str,
            vocabulary: ThemeVocabulary) -> NationalSource:
    source_id = str(item.get("id", ""))
    if not _SOURCE_ID.match(source_id):
        raise NationalThemesError(f"{where}.id: 2-64 upper-case letters, digits and hyphens")
    kind = str(item.get("kind", ""))
    if kind not in KINDS:
        raise NationalThemesError(f"{where}.kind: one of {', '.join(KINDS)}")
    title = " ".join(str(item.get("title", "")).split())
    if not 1 <= len(title) <= 300:
        raise NationalThemesError(f"{where}.title: 1 to 300 characters")
    publisher = " ".join(str(item.get("publisher") or default_publisher).split())
    if not 1 <= len(publisher) <= 200:
        raise NationalThemesError(f"{where}.publisher: 1 to 200 characters (or a list-wide publisher)")
    year = item.get("year")
    if not isinstance(year, int) or not 2018 <= year <= as_of.year:
        raise NationalThemesError(f"{where}.year: a year from 2018 to {as_of.year} (as_of)")
    published = str(item.get("published") or "")
    if published and (not _MONTH.match(published) or published[:4] != str(year)):
        raise NationalThemesError(f'{where}.published: "YYYY-MM" in the year of publication')
    raw_themes = item.get("themes")
    if not isinstance(raw_themes, Sequence) or isinstance(raw_themes, str) or not 1 <= len(raw_themes) <= MAX_THEMES:
        raise NationalThemesError(f"{where}.themes: 1 to {MAX_THEMES} themes")
    themes: list[str] = []
    for j, tag in enumerate(raw_themes):
        theme = vocabulary.canonical(str(tag))
        if theme is None:
            raise NationalThemesError(f"{where}.themes[{j}]: {tag!r} is not a theme of the vocabulary (nor a synonym)")
        if theme not in themes:
            themes.append(theme)
    checked = " ".join(str(item.get("checked") or "").split())
    if not checked:
        raise NationalThemesError(f"{where}.checked: say how the title, date and themes were checked")
    return NationalSource(source_id, kind, title, publisher, year, published, tuple(themes), checked)


def from_canonical_json(text: str) -> NationalThemeList:
    """A list as stored (canonical JSON), trusted: it was validated when first loaded."""
    data = json.loads(text)
    return NationalThemeList(
        data["version"], dt.date.fromisoformat(data["as_of"]),
        tuple(NationalSource(s["id"], s["kind"], s["title"], s["publisher"], s["year"], s["published"],
                             tuple(s["themes"]), s["checked"]) for s in data["sources"]),
    )
