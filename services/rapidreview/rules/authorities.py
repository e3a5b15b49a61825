"""Local authorities by canonical code: "Leeds" and "Leeds City Council" are
one authority (ONS code E08000035).

The register is data (`rules/local-authorities.yaml`, with its source and
date); this module only reads it and normalises names. Rules compare
authorities through `AuthorityRegister.key`, never by free text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FILE_NAME = "local-authorities.yaml"
_CODE = re.compile(r"^[ENSW]\d{8}$")
# Council words that do not tell one authority from another, longest first.
_SUFFIXES = (
    "metropolitan borough council", "metropolitan district council", "city and county council",
    "county borough council", "borough council", "district council", "county council", "city council",
    "council", ", city of", ", county of",
)
_PREFIXES = ("london borough of", "royal borough of", "council of the", "the")


def normalise_name(name: str) -> str:
    """A name reduced for comparison: "Leeds City Council" -> "leeds",
    "Telford & Wrekin" -> "telford and wrekin", "St. Helens" -> "st helens"."""
    text = " ".join(name.casefold().replace("&", " and ").split())
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)].strip(), True
        for prefix in _PREFIXES:
            if text.startswith(prefix + " "):
                text, changed = text[len(prefix) + 1:].strip(), True
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


@dataclass(frozen=True)
class Authority:
    """One local authority of the register."""

    code: str
    name: str
    until: dt.date | None = None


class AuthorityRegister:
    """Names (and their variants) and codes of the local authorities."""

    def __init__(self, authorities: list[Authority], names: dict[str, str], source: str = "",
                 as_of: dt.date | None = None) -> None:
        self._by_code = {a.code: a for a in authorities}
        self._by_name = names
        self.source = source
        self.as_of = as_of

    @classmethod
    def empty(cls) -> AuthorityRegister:
        """A register that knows no authority: names are compared as written."""
        return cls([], {})

    @classmethod
    def load(cls, path: Path) -> AuthorityRegister:
        """Reads the register; ValueError names what is wrong."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("authorities"), list):
            raise ValueError("must be a mapping with an authorities: list")
        authorities: list[Authority] = []
        names: dict[str, str] = {}
        for i, item in enumerate(data["authorities"]):
            authority, variants = _entry(i, item)
            authorities.append(authority)
            for variant in variants:
                key = normalise_name(variant)
                if names.get(key, authority.code) != authority.code:
                    raise ValueError(f"authorities[{i}]: {variant!r} already names {names[key]}")
                names[key] = authority.code
        codes = [a.code for a in authorities]
        if len(set(codes)) != len(codes):
            raise ValueError("a code is listed twice")
        as_of = data.get("as_of")
        return cls(authorities, names, str(data.get("source") or "").strip(),
                   as_of if isinstance(as_of, dt.date) else None)

    def code(self, name: str) -> str | None:
        """The ONS code of an authority name or code (any listed variant), or None."""
        text = name.strip()
        if text.upper() in self._by_code:
            return text.upper()
        return self._by_name.get(normalise_name(text))

    def key(self, name: str) -> str:
        """What two names are compared by: the code when known, else the
        normalised name; "" for an empty name."""
        if not name.strip():
            return ""
        return self.code(name) or "name:" + normalise_name(name)

    def same(self, a: str, b: str) -> bool:
        """True when both names are recorded and are the same authority."""
        key = self.key(a)
        return bool(key) and key == self.key(b)

    def describe(self, name: str) -> str:
        """The official name with its code ("Leeds (E08000035)"), or the name as written."""
        code = self.code(name)
        if code is None or code not in self._by_code:
            return name.strip()
        return f"{self._by_code[code].name} ({code})"

    def __len__(self) -> int:
        return len(self._by_code)


def _entry(i: int, item: Any) -> tuple[Authority, list[str]]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ValueError(f"authorities[{i}]: needs a code and a name")
    code = str(item.get("code", ""))
    if not _CODE.match(code):
        raise ValueError(f"authorities[{i}]: {code!r} is not an ONS code like E08000035")
    until = item.get("until")
    if until is not None and not isinstance(until, dt.date):
        raise ValueError(f"authorities[{i}]: until must be a date")
    former = [str(c) for c in item.get("former_codes") or []]
    if any(not _CODE.match(c) for c in former):
        raise ValueError(f"authorities[{i}]: former_codes must be ONS codes")
    variants = [item["name"], *(str(a) for a in item.get("also") or []), *former]
    return Authority(code, item["name"], until), variants


def load_register(root: Path) -> AuthorityRegister:
    """The register in the rules folder `root`, or an empty one when it has none."""
    path = root / FILE_NAME
    return AuthorityRegister.load(path) if path.exists() else AuthorityRegister.empty()
