"""The one way writes tell the rest of the product what changed (no model signals across apps).

A write service calls :func:`announce` inside its transaction; the announcement is dispatched to
the subscribers after the transaction commits (``transaction.on_commit``; at once outside a
transaction) and never if it rolls back. Apps that keep a copy of records (matching's index, the
coming notifications and programme figures) :func:`subscribe` from their ``AppConfig.ready``::

    from duijie.core import changes

    def on_change(change: changes.Change) -> None: ...

    changes.subscribe(on_change, kinds={changes.Kind.CREATED}, models={"demands.Demand"})

Announcements of one (kind, model, bulk) made at the same savepoint level of one transaction are
coalesced into one :class:`Change` (their pks and fields merged). A subscriber that raises is
logged; the write has committed and the other subscribers still run.

The kinds: ``created``, ``updated`` (``fields`` names what changed, by field name — many-to-many
and reverse relations included), ``deleted``, ``visibility_changed`` (a field that decides who may
see the record changed: visibility, owner, region, grants), ``opted_out`` (the person asked not to
be recommended: copies must drop the record at once) and ``erased`` (personal data erased: the same).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

log = logging.getLogger(__name__)


class Kind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    VISIBILITY_CHANGED = "visibility_changed"
    OPTED_OUT = "opted_out"
    ERASED = "erased"


@dataclass(frozen=True)
class Change:
    kind: Kind
    model: type[Model]
    pks: tuple
    fields: frozenset[str] = frozenset()
    bulk: bool = False

    @property
    def label(self) -> str:
        """The model's ``app_label.ModelName`` (what subscribers filter on)."""
        return self.model._meta.label


Handler = Callable[[Change], None]


@dataclass
class _Subscription:
    handler: Handler
    kinds: frozenset[Kind] | None
    models: frozenset[str] | None

    def wants(self, change: Change) -> bool:
        return ((self.kinds is None or change.kind in self.kinds)
                and (self.models is None or change.label in self.models))


_subscriptions: list[_Subscription] = []


def _label(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label


def subscribe(handler: Handler, *, kinds: Iterable[Kind] | None = None,
              models: Iterable[type[Model] | str] | None = None) -> None:
    """Call ``handler(change)`` after commit for every announced change of ``kinds`` (default all)
    on ``models`` (classes or ``"app_label.ModelName"``; default all). Call from ``AppConfig.ready``;
    subscribing the same function twice has no further effect."""
    sub = _Subscription(handler, frozenset(Kind(k) for k in kinds) if kinds is not None else None,
                        frozenset(_label(m) for m in models) if models is not None else None)
    if not any(s.handler is handler and s.kinds == sub.kinds and s.models == sub.models for s in _subscriptions):
        _subscriptions.append(sub)


def unsubscribe(handler: Handler) -> None:
    """Remove every subscription of ``handler`` (tests that subscribe for one test)."""
    _subscriptions[:] = [s for s in _subscriptions if s.handler is not handler]


def dispatch(change: Change) -> None:
    """Hand ``change`` to every subscriber that wants it, now. Services call :func:`announce`."""
    for sub in list(_subscriptions):
        if sub.wants(change):
            try:
                sub.handler(change)
            except Exception:
                log.exception("change subscriber %r failed on %s %s %s", sub.handler, change.kind, change.label,
                              change.pks[:20])


@dataclass
class _Pending:
    """Announcements waiting for one commit, merged per (kind, model, bulk, savepoint level)."""

    kind: Kind
    model: type[Model]
    bulk: bool
    pks: dict = field(default_factory=dict)  # ordered set
    fields: set[str] = field(default_factory=set)
    key: tuple = ()
    using: str = DEFAULT_DB_ALIAS
    callback: Callable[[], None] | None = None

    def run(self) -> None:
        _waiting(self.using).pop(self.key, None)
        dispatch(Change(self.kind, self.model, tuple(self.pks), frozenset(self.fields), self.bulk))


def _waiting(using: str) -> dict:
    conn = connections[using]
    if not hasattr(conn, "_duijie_changes"):
        conn._duijie_changes = {}
    return conn._duijie_changes


def announce(kind: Kind, model: type[Model], pks: Iterable, *, fields: Iterable[str] = (), bulk: bool = False,
             using: str = DEFAULT_DB_ALIAS) -> None:
    """Say that records ``pks`` of ``model`` changed (``kind``); subscribers hear it after commit."""
    kind = Kind(kind)
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return
    conn = connections[using]
    if not conn.in_atomic_block:
        dispatch(Change(kind, model, tuple(dict.fromkeys(pks)), frozenset(fields), bulk))
        return
    key = (kind, model, bulk, tuple(conn.savepoint_ids))
    waiting = _waiting(using)
    entry = waiting.get(key)
    # An entry whose callback Django dropped (its transaction rolled back) must not swallow this one.
    if entry is None or not any(func is entry.callback for _sids, func, _robust in conn.run_on_commit):
        entry = _Pending(kind, model, bulk, key=key, using=using)
        entry.callback = entry.run
        waiting[key] = entry
        transaction.on_commit(entry.callback, using=using)
    entry.pks.update(dict.fromkeys(pks))
    entry.fields.update(fields)
