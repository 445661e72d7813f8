"""What goes in and comes out of an index: records, queries, results with their score parts and reasons."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

KINDS = ("expert", "achievement", "patent", "enterprise", "demand", "carrier", "challenge")  # append only: stored as indices
METHODS = ("hybrid", "bm25", "dense")


@dataclass
class Record:
    """A searchable record. ``title`` or ``text`` may be empty, not both."""

    id: str
    kind: str
    title: str = ""
    text: str = ""
    keywords: list[str] = dataclasses.field(default_factory=list)
    industry: str | None = None  # GB/T 4754 code (e.g. "3841" or "C3841")
    field: str | None = None  # technology/achievement field (comma-joined allowed)
    region: str | None = None  # NBS code ("320412") or "省 / 市 / 区县"
    institution: str | None = None
    ipc: list[str] = dataclasses.field(default_factory=list)
    stage: str | None = None  # maturity, e.g. Annex-1 研制阶段 / 试生产阶段 / 小批量生产阶段 / 批量生产阶段
    tier: str | None = None  # enterprise tier, e.g. 高新技术企业, 专精特新 (or a number 1–5)
    discipline: str | None = None  # NSFC discipline code, e.g. "E0501"
    tracks: list[str] = dataclasses.field(default_factory=list)  # park tracks (细分赛道)
    partners: list[str] = dataclasses.field(default_factory=list)  # ids of past cooperation partners
    load: float | None = None  # an expert's current pairings / open engagements (lowers rank)
    conflicts: list[str] = dataclasses.field(default_factory=list)  # organisation ids it must not be matched with
    # Visibility labels (e.g. "public", "org:12", "region:3204"): ``Index.search(groups=…)`` only
    # ranks records sharing at least one label with the viewer's. Opaque strings to matchkit.
    groups: list[str] = dataclasses.field(default_factory=list)


@dataclass
class Query:
    title: str = ""
    text: str = ""
    id: str = ""
    keywords: list[str] = dataclasses.field(default_factory=list)
    industry: str | None = None
    field: str | None = None
    region: str | None = None
    institution: str | None = None
    ipc: list[str] = dataclasses.field(default_factory=list)
    target_kinds: list[str] = dataclasses.field(default_factory=list)
    stage: str | None = None  # the maturity the query needs
    tier: str | None = None  # the least enterprise tier the query wants
    discipline: str | None = None
    tracks: list[str] = dataclasses.field(default_factory=list)
    partners: list[str] = dataclasses.field(default_factory=list)
    org: str | None = None  # the querying organisation (for conflicts of interest and past cooperation)


@dataclass(frozen=True)
class Reason:
    """Why a result matched. ``code``: a signal's reason code (``matchkit.signals.REASON_CODES``: terms,
    semantic, inferred_field and each structured signal's name) or ``conflict``."""

    code: str
    text: str  # short Chinese sentence for a list view
    terms: tuple[str, ...] = ()  # for ``terms``: shared terms, found in both normalised texts
    strength: float = 0.0  # structured signals: the signal's strength before weighting


@dataclass(frozen=True)
class ScoreParts:
    bm25: float  # raw BM25 score
    dense: float  # cosine similarity (nan when the record has no vector yet)
    structured: float  # weighted sum of structured signals
    fused: float  # the ranking score
    # hybrid only: the unweighted features the fused score is linear in, as (signal name, value) —
    # normalised BM25 and cosine, normalised inferred-field overlap, then the strength of each
    # structured signal that fired (matchkit.signals) — log them with an impression so
    # matchkit.feedback can learn new weights from feedback
    features: tuple[tuple[str, float], ...] = ()

    def feature_dict(self) -> dict[str, float]:
        return dict(self.features)


@dataclass(frozen=True)
class Result:
    id: str
    kind: str
    rank: int
    score: float
    parts: ScoreParts
    reasons: tuple[Reason, ...]


def record_text(title: str, text: str) -> str:
    return f"{title}\n{text}" if title and text else (title or text)


def validate(r: Record) -> None:
    if not isinstance(r.id, str) or not r.id:
        raise ValueError("record id must be a non-empty string")
    if r.kind not in KINDS:
        raise ValueError(f"record {r.id}: kind must be one of {KINDS}")
    if not (r.title or "").strip() and not (r.text or "").strip():
        raise ValueError(f"record {r.id}: title and text are both empty")
