"""Query vectors kept on disk, so a recommendation panel never waits for the model.

A record's page asks for recommendations with the record itself as the query; encoding that query
(title + a 200-character lead) costs ~0.1 s on two cores, several times the search. The bulk worker
encodes the query side of every record that can be a query when it encodes its passage
(``services.encode_pending``), and the request only reads the vector. Free-text searches (short) and
records not yet encoded fall back to encoding at request time, and their vectors are kept too.

Files live beside the index versions (``DUIJIE_MATCH_DIR/qvec/ab/<sha1>.npy``, keyed by encoder name
and the exact text encoded), so every web and worker process of a host shares them; writes are atomic
(temporary file, then rename). A full rebuild clears them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from duijie.matching import store

# Kinds whose records are queries somewhere: detail-page panels (selectors.TARGETS) and the
# enterprise side of the 1:1 pair suggester.
QUERY_KINDS = frozenset({"demand", "achievement", "patent", "expert", "enterprise", "challenge"})


def _root() -> Path:
    return store.index_dir() / "qvec"


def _path(encoder_name: str, text: str) -> Path:
    key = hashlib.sha1(f"{encoder_name}\x00{text}".encode(), usedforsecurity=False).hexdigest()
    return _root() / key[:2] / f"{key}.npy"


def get(encoder_name: str, text: str) -> np.ndarray | None:
    try:
        return np.load(_path(encoder_name, text), allow_pickle=False)
    except (OSError, ValueError):
        return None


def put(encoder_name: str, text: str, vector: np.ndarray) -> None:
    path = _path(encoder_name, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, np.asarray(vector, dtype=np.float32), allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clear() -> None:
    shutil.rmtree(_root(), ignore_errors=True)


def count() -> int:
    root = _root()
    return sum(1 for _ in root.glob("*/*.npy")) if root.exists() else 0
