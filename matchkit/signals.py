"""Every matching signal, declared once.

A signal is one term of the hybrid score. Its declaration here is the only place that names it: the
fusion weights (:class:`matchkit.fusion.Weights` takes its fields from :data:`SIGNALS`), the feature
list the learner re-weights (:data:`matchkit.feedback.FEATURES`), the structured stage of a search
(:mod:`matchkit.index.features`), the reasons shown with a result and the product (duijie reads the
names, weights and reason codes from here) all read it.

Kinds, in the order the index evaluates them:

- ``text``: BM25 and the cosine to the query vector. They choose the candidates and are computed by
  the index's candidate stage (:mod:`matchkit.index.candidates`); ``explain`` turns the evidence into
  the reason text.
- ``field``: ``compute(query value, record value)`` on the one :class:`~matchkit.Record` /
  :class:`~matchkit.Query` field of the same name; pure, so the index memoises it per record value.
- ``pair``: ``compute(query, record)`` on the two whole objects (several fields, ids).
- ``inferred``: the inferred-technology-field overlap (:mod:`matchkit.fields`), normalised over the
  candidates like the text parts.

``compute`` of a field/pair signal returns ``(strength, reason text)`` — strength in [0, 1] (negative
lowers the rank, like ``load``), the short Chinese sentence shown with the result — or ``None`` when it
does not fire. The hybrid score adds ``weight × strength``; the strength is the feature logged with an
impression and learnt from.

To add a signal: write its function and one :class:`Signal` entry below (see
``docs/development/adding-a-matching-signal.md``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from matchkit import crosswalk as cw
from matchkit import structured as st

Strength = tuple[float, str] | None  # what a field/pair signal's compute returns


@dataclass(frozen=True)
class Signal:
    name: str  # the Weights field, the feature name and the reason code of a field/pair signal
    kind: str  # text | field | pair | inferred
    weight: float  # default fusion weight (tuned on bench/matching's dev half)
    doc: str  # what it measures, one line
    # field: fn(query value, record value); pair: fn(query, record) → (strength, reason text) | None
    compute: Callable[..., Strength] | None = None
    # text/inferred: builds the reason text from the evidence (see matchkit.index.reasons)
    explain: Callable[..., str] | None = None
    reason: str = ""  # the reason code on a result when it differs from ``name`` (text signals)
    # pair signals only — cheap gates that decide whether compute runs at all (never change a result):
    query_gate: Callable[[Any], bool] | None = None  # the query can fire it at all (else left out of the plan)
    record_gate: Callable[[Any], bool] | None = None  # fires only on records passing this …
    query_opens: Callable[[Any], bool] | None = None  # … unless the query passes this
    memo_key: Callable[[Any], tuple] | None = None  # the record fields compute reads (memoised per value)

    @property
    def reason_code(self) -> str:
        return self.reason or self.name


def _terms_reason(terms: list[str]) -> str:
    return "共同关键词：" + "、".join(terms)


def _semantic_reason(top_share: float) -> str:
    """A grade among the candidates (``top_share``: the share at least as close), not the raw cosine,
    which sits near 0.9 for almost every text of one language and domain."""
    if math.isnan(top_share):
        return "语义相近"
    percent = max(1, math.ceil(top_share * 100))
    level = "高" if percent <= 10 else "较高" if percent <= 30 else "一般"
    return f"语义相近度{level}（候选中前{percent}%）"


def _field_reason(item: tuple[str, str]) -> str:
    return f"同属技术领域（推断）：{item[0]}·{item[1]}"


def _listed(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _crosswalk_query(q: Any) -> bool:
    qp = cw.profile(q.industry, q.ipc, q.field, getattr(q, "discipline", None), getattr(q, "tracks", None))
    return bool(qp.divisions or qp.fields)


SIGNALS: tuple[Signal, ...] = (
    # text and inferred weights: chosen on bench/matching's development suite so they travel (suite.py,
    # "short/leximin" on all its sources; README "Weights chosen so they travel"); 0.15 / 0.85 / 0.7 before
    Signal("bm25", "text", 0.3, "BM25 over the index's own tokens, normalised over the candidates",
           explain=_terms_reason, reason="terms"),
    Signal("dense", "text", 0.85, "cosine of the passage vectors to the query vector, normalised over the candidates",
           explain=_semantic_reason, reason="semantic"),
    # structured signals: the most each can add to a fused score of ~1
    Signal("industry", "field", 0.15, "GB/T 4754 hierarchy distance", st.industry),
    Signal("field", "field", 0.10, "a shared technology/achievement field", st.field),
    Signal("region", "field", 0.05, "region proximity (NBS code prefixes or name paths)", st.region),
    Signal("ipc", "field", 0.10, "a shared IPC subclass or class", st.ipc),
    Signal("institution", "field", 0.05, "the same institution", st.institution),
    Signal("stage", "field", 0.05, "maturity fit (the query asks for a stage)", st.stage),
    Signal("tier", "field", 0.03, "enterprise tier at least the one asked for", st.tier),
    Signal("cooperation", "pair", 0.05, "past cooperation between the two sides", st.cooperation,
           record_gate=lambda d: bool(d.partners), query_opens=lambda q: bool(getattr(q, "partners", None))),
    Signal("load", "pair", 0.10, "an expert's current load: the strength is negative, so it lowers rank", st.load,
           record_gate=lambda d: d.load is not None and d.load > 0),
    Signal("crosswalk", "pair", 0.05, "same division/field through a taxonomy crosswalk (IPC, NSFC, tracks)",
           st.crosswalk, query_gate=_crosswalk_query,
           memo_key=lambda d: (d.industry, _listed(d.ipc), _listed(d.field), d.discipline, _listed(d.tracks))),
    # zero-shot technology-field inference (matchkit.fields): a tie-breaker, not a co-equal of the text —
    # at 0.7 it won on the demands whose labels are its own taxonomy and lost badly everywhere else; short
    # queries switch it off (fusion.SETTINGS short_inferred_field)
    Signal("inferred_field", "inferred", 0.1, "overlap of the two sides' inferred 高新技术领域 distributions",
           explain=_field_reason),
)

BY_NAME: dict[str, Signal] = {s.name: s for s in SIGNALS}
STRUCTURED: tuple[Signal, ...] = tuple(s for s in SIGNALS if s.kind in ("field", "pair"))
NAMES: tuple[str, ...] = tuple(s.name for s in SIGNALS)
REASON_CODES: tuple[str, ...] = tuple(s.reason_code for s in SIGNALS)


def get(name: str) -> Signal:
    return BY_NAME[name]


def _check() -> None:
    for s in SIGNALS:
        if s.kind not in ("text", "field", "pair", "inferred"):
            raise ValueError(f"signal {s.name}: unknown kind {s.kind!r}")
        if s.kind in ("field", "pair") and s.compute is None:
            raise ValueError(f"signal {s.name}: a {s.kind} signal needs compute")
    if len(BY_NAME) != len(SIGNALS):
        raise ValueError("two signals share a name")


_check()
