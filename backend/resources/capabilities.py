"""The home-care capability taxonomy, shipped as data (capabilities.toml) and checked when loaded."""

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from backend.errors import UserInputError
from backend.resources.vocabulary import ServiceKind

TAXONOMY_FILE = Path(__file__).with_name("capabilities.toml")
SOURCES_FILE = Path(__file__).with_name("sources.toml")
MAX_BIT = 62  # the masks are signed 64-bit integers on both databases


@dataclass(frozen=True)
class Group:
    key: str
    label: str


@dataclass(frozen=True)
class Capability:
    key: str
    label: str
    group: str
    bit: int
    applies_to: frozenset[ServiceKind]
    symbols: frozenset[str]
    notifications: tuple[str, ...]

    @property
    def mask(self) -> int:
        return 1 << self.bit

    def applies(self, kind: str) -> bool:
        return not self.applies_to or kind in self.applies_to


@dataclass(frozen=True)
class Taxonomy:
    version: str
    groups: tuple[Group, ...]
    capabilities: tuple[Capability, ...]

    def get(self, key: str) -> Capability | None:
        return self._by_key().get(key)

    @cache  # noqa: B019 - the taxonomy lives as long as the process
    def _by_key(self) -> dict[str, Capability]:
        return {c.key: c for c in self.capabilities}

    def group_label(self, key: str) -> str:
        return next(g.label for g in self.groups if g.key == key)


def fold_symbol(text: str) -> str:
    """受理記号 as the legend prints it, whatever the width and brackets: （支援診１） → 支援診1."""
    return re.sub(r"[()\[\]{}<>「」\s]", "", unicodedata.normalize("NFKC", text))


def _load(path: Path) -> Taxonomy:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = tuple(Group(g["key"], g["label"]) for g in data["groups"])
    group_keys = {g.key for g in groups}
    caps, keys, bits = [], set(), set()
    for i, c in enumerate(data["capabilities"]):
        where = f"{path.name}: capabilities[{i}] ({c.get('key')})"
        if c["key"] in keys or c["bit"] in bits:
            raise ValueError(f"{where}: key or bit used twice")
        if not 0 <= c["bit"] <= MAX_BIT:
            raise ValueError(f"{where}: bit must be 0–{MAX_BIT}")
        if c["group"] not in group_keys:
            raise ValueError(f"{where}: unknown group {c['group']}")
        kinds = frozenset(ServiceKind(k) for k in c.get("applies_to", []))
        keys.add(c["key"])
        bits.add(c["bit"])
        caps.append(Capability(key=c["key"], label=c["label"], group=c["group"], bit=c["bit"], applies_to=kinds,
                               symbols=frozenset(fold_symbol(s) for s in c.get("symbols", [])),
                               notifications=tuple(unicodedata.normalize("NFKC", n) for n in c.get("notifications", []))))
    return Taxonomy(version=data["version"], groups=groups, capabilities=tuple(caps))


@cache
def taxonomy() -> Taxonomy:
    return _load(TAXONOMY_FILE)


@cache
def sources() -> dict[str, dict[str, str]]:
    return tomllib.loads(SOURCES_FILE.read_text(encoding="utf-8"))


def parse_keys(raw: Sequence[str] | None, field: Sequence[str]) -> list[Capability]:
    """Capability keys as a user sent them; an unknown key is a user error naming its position."""
    out: dict[str, Capability] = {}
    for i, key in enumerate(raw or []):
        cap = taxonomy().get(str(key).strip())
        if cap is None:
            raise UserInputError([*field, str(i)], f"対応項目「{key}」は分類にありません。", "UNKNOWN_CAPABILITY")
        out[cap.key] = cap
    return list(out.values())


def mask_of(caps: Iterable[Capability]) -> int:
    return sum({c.bit: c.mask for c in caps}.values())


def keys_of_mask(mask: int) -> list[str]:
    return [c.key for c in taxonomy().capabilities if mask >> c.bit & 1]


def registrations_filed(kind: str, filings: Iterable[tuple[str, str]]) -> set[str]:
    """The registration capabilities a 名簿's filings (受理記号, 受理届出名称) give a service of this kind."""
    found: set[str] = set()
    folded = [(fold_symbol(symbol or ""), unicodedata.normalize("NFKC", name or "")) for symbol, name in filings]
    for cap in registrations(kind):
        for symbol, name in folded:
            if (symbol and symbol in cap.symbols) or any(n in name for n in cap.notifications):
                found.add(cap.key)
                break
    return found


def registrations(kind: str) -> list[Capability]:
    """The registration capabilities a 名簿 speaks for, for a service of this kind."""
    return [c for c in taxonomy().capabilities if c.group == "registrations" and c.applies_to and kind in c.applies_to]
