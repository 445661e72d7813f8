"""Crosswalks between the taxonomies records use, kept as data (``data/crosswalk_*.json``, each
with its provenance): Annex-1's 8 technology fields ↔ GB/T 4754 divisions, the 国家重点支持的
高新技术领域 first level (jstec's 技术领域) and NSFC departments → Annex-1 fields, IPC → GB/T 4754
divisions (a hand-built coarse table until the official 2018 concordance can be vendored) and park
tracks (细分赛道) → fields and divisions.

:func:`profile` reduces whatever a record or query carries (industry code, IPC codes, field names,
NSFC discipline, park tracks) to GB/T 4754 divisions and Annex-1 fields, so that two sides that use
different taxonomies can still be compared like with like.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from matchkit.text import gbt4754, normalize


@cache
def _load(name: str) -> dict:
    return json.loads(resources.files("matchkit").joinpath("data", name).read_text(encoding="utf-8"))


def fields_table() -> dict:
    return _load("crosswalk_fields.json")


def ipc_table() -> dict:
    return _load("crosswalk_ipc_gbt4754.json")["map"]


def tracks_table() -> dict:
    return _load("crosswalk_park_tracks.json")["tracks"]


@lru_cache(maxsize=1)
def _division_fields() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for f, divs in fields_table()["annex1_to_gbt4754_divisions"].items():
        for d in divs:
            out.setdefault(d, []).append(f)
    return {d: tuple(fs) for d, fs in out.items()}


_SPLIT = re.compile(r"[,，;；/、|\s]+")


def _items(value: str | Sequence[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = _SPLIT.split(value)
    return [v for v in (normalize(x).strip() for x in value) if v]


def annex1_for_field(value: str | Sequence[str] | None) -> set[str]:
    """Annex-1 fields named directly, through the 高新技术领域 first level or through a park track."""
    t = fields_table()
    annex, hl1, tracks = set(t["annex1_fields"]), t["hightech_l1_to_annex1"], tracks_table()
    out: set[str] = set()
    for item in _items(value):
        if item in annex:
            out.add(item)
        out.update(hl1.get(item, ()))
        out.update(tracks.get(item, {}).get("fields", ()))
    out.discard("其他")
    return out


def divisions_for_ipc(codes: Iterable[str] | None) -> set[str]:
    """GB/T 4754 divisions for IPC codes; the most specific key (subclass, class, section) wins."""
    m = ipc_table()
    out: set[str] = set()
    for c in codes or ():
        c = normalize(c).upper().replace(" ", "")
        for n in (4, 3, 1):
            if len(c) >= n and c[:n] in m:
                out.update(m[c[:n]])
                break
    return out


def annex1_for_nsfc(code: str | None) -> set[str]:
    """Annex-1 fields for an NSFC discipline code (e.g. "E0501" → by "E05", else by "E")."""
    if not code:
        return set()
    c = normalize(code).upper()
    m = fields_table()["nsfc_to_annex1"]
    for key in (c[:3], c[:1]):
        if key in m:
            return set(m[key]) - {"其他"}
    return set()


def division_for_industry(code: str | None) -> str | None:
    if not code:
        return None
    digits = re.sub(r"[^0-9]", "", normalize(code))
    return digits[:2] if len(digits) >= 2 else None


@dataclass(frozen=True)
class Profile:
    divisions: frozenset[str]
    fields: frozenset[str]
    via: tuple[str, ...]  # short notes of where they came from, for reasons


def profile(industry: str | None = None, ipc: Sequence[str] | None = None, field: str | Sequence[str] | None = None,
            discipline: str | None = None, tracks: Sequence[str] | None = None) -> Profile:
    """Divisions and Annex-1 fields of one side (cached: the same values recur across records)."""
    return _profile(industry or None, tuple(ipc or ()), field if isinstance(field, str) or field is None else tuple(field),
                    discipline or None, tuple(tracks or ()))


EMPTY = Profile(frozenset(), frozenset(), ())


@lru_cache(maxsize=1 << 16)
def _profile(industry, ipc, field, discipline, tracks) -> Profile:
    if not (industry or ipc or field or discipline or tracks):
        return EMPTY
    divs: set[str] = set()
    via: list[str] = []
    d = division_for_industry(industry)
    if d:
        divs.add(d)
    ipc_divs = divisions_for_ipc(ipc)
    if ipc_divs:
        divs |= ipc_divs
        via.append("IPC")
    track_items = _items(tracks)
    for t in track_items:
        divs.update(tracks_table().get(t, {}).get("divisions", ()))
    fields = annex1_for_field(field) | annex1_for_nsfc(discipline) | annex1_for_field(track_items)
    for dv in divs:
        fields.update(_division_fields().get(dv, ()))
    fields.discard("其他")
    if discipline:
        via.append("学科")
    if track_items:
        via.append("赛道")
    return Profile(frozenset(divs), frozenset(fields), tuple(via))


def division_name(code: str) -> str:
    return gbt4754()["names"].get(code, "")
