"""Learning themes: free-text tags mapped onto the themes vocabulary.

Recurrent themes (LOCAL.RECURRENT_THEMES) can only be found when this case's
returns and earlier reviews use the same words, so every tag is mapped onto
the edition's vocabulary (rules/<edition>/themes.yaml, the default being
THEMES.md) case-insensitively and through synonyms. A tag that maps onto no
theme stays visible as itself and still matches the same tag elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


def normalise_tag(tag: str) -> str:
    """Case-folded, punctuation-free, single-spaced form used for matching
    ("Non-Mobile  babies" and "non mobile babies" compare equal)."""
    text = tag.casefold().replace("&", " and ")
    text = re.sub(r"[-_/]", " ", text)
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Theme:
    """One theme of the vocabulary and the other words used for it."""

    name: str
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferenceReview:
    """A review whose themes count as earlier learning for every case, e.g. a
    national review a partnership chooses to compare against."""

    review_id: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class TagMapping:
    """Tags split into vocabulary themes (canonical names, first-seen order)
    and tags that matched no theme (as written, first-seen order)."""

    matched: tuple[str, ...]
    unmatched: tuple[str, ...]


@dataclass
class ThemeVocabulary:
    """The themes a partnership's reviews are compared on."""

    themes: tuple[Theme, ...]
    reference_reviews: tuple[ReferenceReview, ...] = ()
    _index: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for theme in self.themes:
            for word in (theme.name, *theme.synonyms):
                key = normalise_tag(word)
                known = self._index.get(key)
                if known is not None and known != theme.name:
                    raise ValueError(f"{word!r} is listed under both {known!r} and {theme.name!r}")
                self._index[key] = theme.name

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ThemeVocabulary:
        """Builds the vocabulary from the parsed themes.yaml."""
        themes = tuple(
            Theme(str(item["name"]), tuple(str(s) for s in item.get("synonyms") or ()))
            for item in data.get("themes") or ()
        )
        reviews = tuple(
            ReferenceReview(str(item["review_id"]), tuple(str(t) for t in item.get("themes") or ()))
            for item in data.get("reference_reviews") or ()
        )
        return cls(themes, reviews)

    def canonical(self, tag: str) -> str | None:
        """The vocabulary theme `tag` means, or None."""
        return self._index.get(normalise_tag(tag))

    def key(self, tag: str) -> str:
        """The matching key of a tag: its theme, or the tag itself normalised."""
        return self.canonical(tag) or normalise_tag(tag)

    def map_tags(self, tags: Iterable[str]) -> TagMapping:
        """Splits tags into vocabulary themes and unmatched tags."""
        matched: dict[str, None] = {}
        unmatched: dict[str, str] = {}
        for tag in tags:
            if not tag.strip():
                continue
            theme = self.canonical(tag)
            if theme:
                matched.setdefault(theme)
            else:
                unmatched.setdefault(normalise_tag(tag), tag.strip())
        return TagMapping(tuple(matched), tuple(unmatched.values()))


@dataclass(frozen=True)
class RecurrentTheme:
    """A theme of this case also found in earlier reviews."""

    theme: str
    review_ids: tuple[str, ...]


def recurrent_themes(
    vocabulary: ThemeVocabulary,
    case_tags: Iterable[str],
    earlier_reviews: Sequence[tuple[str, Sequence[str]]],
) -> list[RecurrentTheme]:
    """Themes of this case that appear in earlier reviews (the case's
    `earlier_reviews` then the vocabulary's reference reviews), each with the
    ids of the reviews it appears in, in the order given."""
    reviews = [*earlier_reviews, *((r.review_id, r.themes) for r in vocabulary.reference_reviews)]
    review_keys = [(review_id, {vocabulary.key(t) for t in themes if t.strip()}) for review_id, themes in reviews]
    found: list[RecurrentTheme] = []
    seen: set[str] = set()
    for tag in case_tags:
        if not tag.strip():
            continue
        key = vocabulary.key(tag)
        if key in seen:
            continue
        seen.add(key)
        ids = tuple(dict.fromkeys(review_id for review_id, keys in review_keys if key in keys))
        if ids:
            found.append(RecurrentTheme(vocabulary.canonical(tag) or tag.strip(), ids))
    return found
