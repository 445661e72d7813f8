"""Saving and loading an index: ``<directory>/<generation>/`` holds the manifest, the records with
their tokens, the learnt terms, the passage vectors and the field prototypes; ``CURRENT`` names the
version readers load (replaced atomically)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matchkit import fields as fieldinf
from matchkit.encoders import Encoder
from matchkit.fusion import Weights
from matchkit.index import storage
from matchkit.index.records import KINDS, Record

if TYPE_CHECKING:
    from matchkit.index.facade import Index

FORMAT = "matchkit-index"
FORMAT_VERSION = 1


def save(idx: Index, directory: str | os.PathLike) -> Path:
    base = Path(directory)
    base.mkdir(parents=True, exist_ok=True)
    idx.compact()  # the saved and the in-memory index then rank identically
    if idx.encoder is not None and idx.weights.inferred_field:
        idx.field_prototypes()  # saved below, so processes that load the index never encode them
    name = f"{idx.generation:08d}"
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
    manifest: dict[str, Any] = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "generation": idx.generation,
        "count": len(idx._records), "dim": int(idx._vectors.shape[1]),
        "encoder": getattr(idx.encoder, "name", None), "lead_chars": idx.lead_chars,
        "candidates": idx.candidates, "weights": idx.weights.as_dict(),
        "bm25_k1": idx.bm25_k1, "bm25_b": idx.bm25_b, "ann_threshold": idx.ann_threshold,
        "ann_dtype": idx.ann_dtype, "bm25_topk_threshold": idx.bm25_topk_threshold,
    }
    with open(tmp / "records.jsonl", "w", encoding="utf-8") as f:
        for r, toks in zip(idx._records, idx._tokens, strict=True):
            f.write(json.dumps({"record": asdict(r), "tokens": toks}, ensure_ascii=False) + "\n")
    (tmp / "terms.txt").write_text("\n".join(idx.extra_terms), encoding="utf-8")
    np.save(tmp / "vectors.f16.npy", idx._vectors)
    np.save(tmp / "has_vector.npy", idx._has_vec)
    if idx._field_protos is not None:  # saves the next process encoding the taxonomy again
        np.save(tmp / "field_prototypes.f32.npy", idx._field_protos.vectors)
        manifest["field_prototypes"] = {"encoder": idx._field_protos.encoder_name,
                                        "taxonomy": fieldinf.DATA.name,
                                        "count": len(idx._field_protos.vectors)}
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    target = base / name
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)
    cur = base / ".CURRENT.tmp"
    cur.write_text(name, encoding="utf-8")
    os.replace(cur, base / "CURRENT")
    return target


def current_version(directory: str | os.PathLike) -> str | None:
    p = Path(directory) / "CURRENT"
    return p.read_text(encoding="utf-8").strip() if p.exists() else None


def load(cls: type[Index], directory: str | os.PathLike, encoder: Encoder | None = None) -> Index:
    base = Path(directory)
    version = current_version(base)
    path = base / version if version else base
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: not a {FORMAT} v{FORMAT_VERSION} index")
    if encoder is not None and manifest["encoder"] not in (None, encoder.name):
        raise ValueError(f"{path}: vectors were made by {manifest['encoder']}, not {encoder.name}")
    wnames = set(Weights.names())
    idx = cls(encoder, weights=Weights(**{k: v for k, v in manifest["weights"].items() if k in wnames}),
              lead_chars=manifest["lead_chars"], candidates=manifest["candidates"],
              bm25_k1=manifest.get("bm25_k1", 1.5), bm25_b=manifest.get("bm25_b", 0.75),
              ann_threshold=manifest.get("ann_threshold", 50_000), ann_dtype=manifest.get("ann_dtype", "f16"),
              **({"bm25_topk_threshold": manifest["bm25_topk_threshold"]} if "bm25_topk_threshold" in manifest else {}))
    terms = [t for t in (path / "terms.txt").read_text(encoding="utf-8").split("\n") if t]
    idx.tokenizer.add_terms(terms)
    idx.extra_terms = terms
    names = {f.name for f in fields(Record)}
    with open(path / "records.jsonl", encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            rec = Record(**{k: v for k, v in obj["record"].items() if k in names})
            idx._row[rec.id] = len(idx._records)
            idx._records.append(rec)
            idx._tokens.append(obj["tokens"])
            idx._norm_text.append(storage.norm_text(rec))
    storage.index_conflicts(idx)
    idx._vectors = idx._vec_buf = np.load(path / "vectors.f16.npy")
    idx._has_vec = np.load(path / "has_vector.npy")
    idx._kind = np.array([KINDS.index(r.kind) for r in idx._records], dtype=np.int8)
    idx._pair_rows = storage.pair_flags(idx._records)
    idx._alive = np.ones(len(idx._records), dtype=bool)
    storage.index_groups(idx)
    idx.generation = manifest["generation"]
    fp = manifest.get("field_prototypes")
    texts, owner = fieldinf.prototype_texts()
    if (fp and fp.get("taxonomy") == fieldinf.DATA.name and fp.get("count") == len(texts)
            and (encoder is None or fp.get("encoder") == encoder.name)):
        protos = fieldinf.FieldPrototypes(fp["encoder"], np.load(path / "field_prototypes.f32.npy"), owner)
        fieldinf.remember(protos)
        if encoder is not None:
            idx._field_protos = protos
    return idx
