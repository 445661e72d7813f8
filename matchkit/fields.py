"""Zero-shot technology-field inference: which 高新技术领域 a text is about, from its vector alone.

Most records carry no technology field (the Annex-1 "achievement field" is often blank, demands and
experts have none). The taxonomy of 国家重点支持的高新技术领域 (2016; ``data/hightech_fields_2016.json``,
provenance there) names 8 first-level fields, 52 second-level items and ~250 third-level items. Each
third-level item name is embedded once as a passage (the *prototypes*); a text's **field
distribution** is the softmax of its vector's cosine to every prototype at temperature ``tau``,
summed per second-level item. Two sides are in the same field to the degree their distributions
overlap (dot product, 0..1).

No label is used: only the public taxonomy names and the encoder. On bench/matching (labels = the
demands' published 技术领域, which the engine is not given) this signal is what lifts the hybrid
above 1.3× BM25 (see bench/matching/README.md).

The distribution is computed from stored passage vectors at search time, for the candidates only
(~200–600 × 384 × 252 multiply-adds), so nothing extra is stored per record and no text is encoded
again; the prototypes cost one encoding of ~250 short names per process (saved with an index).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "hightech_fields_2016.json"
DEFAULT_TAU = 0.0075


@lru_cache(maxsize=1)
def taxonomy() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def items() -> tuple[tuple[str, str], ...]:
    """The second-level items as (first-level field, second-level item), in file order."""
    return tuple((f["name"], c["name"]) for f in taxonomy()["fields"] for c in f["children"])


@lru_cache(maxsize=1)
def prototype_texts() -> tuple[tuple[str, ...], np.ndarray]:
    """Third-level item names (the texts that are embedded) and, for each, its second-level item's index."""
    texts, owner = [], []
    k = 0
    for f in taxonomy()["fields"]:
        for c in f["children"]:
            for x in c["items"]:
                texts.append(x)
                owner.append(k)
            k += 1
    return tuple(texts), np.asarray(owner, dtype=np.int64)


@dataclass(frozen=True)
class FieldPrototypes:
    """Prototype vectors of the taxonomy for one encoder."""

    encoder_name: str
    vectors: np.ndarray  # (n_prototypes, dim) float32, L2-normalised
    owner: np.ndarray  # (n_prototypes,) index into items()

    @classmethod
    def build(cls, encoder) -> FieldPrototypes:
        texts, owner = prototype_texts()
        v = np.asarray(encoder.encode_passages(list(texts)), dtype=np.float32)
        return cls(encoder.name, v, owner)

    def distribution(self, vectors: np.ndarray, tau: float = DEFAULT_TAU) -> np.ndarray:
        """(m, dim) vectors → (m, n_items) field distributions (rows sum to 1)."""
        v = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        s = (v @ self.vectors.T) / max(tau, 1e-6)
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        e /= e.sum(axis=1, keepdims=True)
        return e @ _one_hot(self.owner)  # sum per second-level item


def _one_hot(owner: np.ndarray) -> np.ndarray:
    key = owner.tobytes()
    m = _one_hot_cache.get(key)
    if m is None:
        m = np.zeros((len(owner), len(items())), dtype=np.float32)
        m[np.arange(len(owner)), owner] = 1.0
        _one_hot_cache[key] = m
    return m


_one_hot_cache: dict[bytes, np.ndarray] = {}


_cache: dict[str, FieldPrototypes] = {}
_lock = threading.Lock()


def prototypes_for(encoder) -> FieldPrototypes:
    """The prototypes for ``encoder``, encoded once per process and encoder name."""
    name = getattr(encoder, "name", repr(encoder))
    with _lock:
        got = _cache.get(name)
    if got is None:
        got = FieldPrototypes.build(encoder)
        with _lock:
            _cache[name] = got
    return got


def remember(protos: FieldPrototypes) -> None:
    """Register prototypes loaded with a saved index so the process does not encode them again."""
    with _lock:
        _cache.setdefault(protos.encoder_name, protos)


def shared_field(pq: np.ndarray, pd: np.ndarray, least: float = 0.1) -> tuple[str, str] | None:
    """The second-level item both distributions put most of their joint mass on, if that mass is at
    least ``least`` (e.g. both sides ≥ ~0.32); else None."""
    joint = pq * pd
    k = int(np.argmax(joint))
    return items()[k] if float(joint[k]) >= least else None
