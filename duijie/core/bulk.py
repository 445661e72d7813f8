"""Bulk row writing for services that write thousands of records at once (imports, index refreshes).

``bulk_create``/``bulk_update`` spend most of their time preparing each value field by field; at
100,000 rows that is minutes. Here each column gets its converter once, values that need no
conversion (text, integers, foreign-key ids) pass through untouched, repeated values (dates, the
one timestamp of the batch) are converted once, personal fields are encrypted with the key looked
up once, and each value is encrypted once for the record and its history row alike.

Rows go in with PostgreSQL ``COPY`` (ids reserved from the table's sequence first) or with
``executemany`` on SQLite (ids reserved by advancing ``sqlite_sequence`` — the first write of
the transaction, so the database's write lock is held from then on). Updates are one
``UPDATE … FROM (VALUES …)`` per chunk on PostgreSQL and ``executemany`` on SQLite. Every
write records django-simple-history rows (``+`` for created, ``~`` for changed) in bulk.

These functions neither open a transaction nor write audit entries: the calling service does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState

from duijie.core import crypto
from duijie.core.fields import EncryptedTextField

UPDATE_CHUNK = 1000
_PASS_SET = {str, int, bool, type(None)}
_PASS_TYPES = {"CharField", "TextField", "SlugField", "URLField", "EmailField", "IntegerField",
               "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
               "PositiveBigIntegerField", "BooleanField", "ForeignKey", "OneToOneField", "AutoField",
               "BigAutoField", "SmallAutoField"}
MEMO_LIMIT = 50_000


def new_instance(model: type[models.Model], values: dict[str, Any]) -> models.Model:
    """A model instance with ``values`` (by attname) over the field defaults, without the per-field
    work of ``Model.__init__`` (which costs more than everything else a bulk write does per row)."""
    static, made = _defaults(model)
    obj = model.__new__(model)
    d = obj.__dict__
    d.update(static)
    for attname, make in made:
        d[attname] = make()
    d.update(values)
    obj._state = ModelState()
    return obj


_defaults_cache: dict[type, tuple[dict[str, Any], list[tuple[str, Callable]]]] = {}


def _defaults(model) -> tuple[dict[str, Any], list[tuple[str, Callable]]]:
    if model not in _defaults_cache:
        fields = model._meta.concrete_fields
        _defaults_cache[model] = (
            {f.attname: f.get_default() for f in fields if not (f.has_default() and callable(f.default))},
            [(f.attname, f.default) for f in fields if f.has_default() and callable(f.default)])
    return _defaults_cache[model]


# ---------------------------------------------------------------- values

def _converter(f: models.Field) -> tuple[bool, Callable[[Any], Any]]:
    """(passes, convert): ``passes`` when values of the plain types (str, int, bool, None) go to the
    database as they are; ``convert`` gives the database value of any value."""
    prep = f.get_db_prep_save
    if f.get_internal_type() in _PASS_TYPES:
        return True, lambda v: prep(v, connection)
    if isinstance(f, models.JSONField):
        return False, lambda v: prep(v, connection)
    memo: dict = {}

    def convert_memo(v):  # dates, decimals, the batch's timestamps: few distinct values
        key = (type(v), v)
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # unhashable
            return prep(v, connection)
        out = prep(v, connection)
        if len(memo) < MEMO_LIMIT:
            memo[key] = out
        return out
    return False, convert_memo


class _Columns:
    """What one model's rows need: columns, attnames, converters, personal fields."""

    def __init__(self, model: type[models.Model]):
        fields = list(model._meta.concrete_fields)
        self.model = model
        self.table = model._meta.db_table
        self.fields = fields
        self.attnames = [f.attname for f in fields]
        self.getter = itemgetter(*self.attnames)
        self.columns = [f.column for f in fields]
        self.converters = [_converter(f) for f in fields]
        self.personal = [(i, f) for i, f in enumerate(fields) if isinstance(f, EncryptedTextField)]
        self.position = {a: i for i, a in enumerate(self.attnames)}
        self.auto_now = [f.attname for f in fields if getattr(f, "auto_now", False)]
        self.auto_now_add = [f.attname for f in fields if getattr(f, "auto_now_add", False)]
        self.pk_attname = model._meta.pk.attname

    def prepare(self, objs: Sequence[models.Model], now, adding: bool) -> list[tuple]:
        """Database values of every concrete field, column by column (the loops run in C where they
        can); fills timestamps and blind indexes on the instances too."""
        dicts = [o.__dict__ for o in objs]
        for d in dicts:
            for a in self.auto_now:
                d[a] = now
            if adding:
                for a in self.auto_now_add:
                    if d.get(a) is None:
                        d[a] = now
        if self.personal:
            index = crypto.blind_indexer()
            for _i, f in self.personal:
                if f.hash_field:
                    attname, hash_field = f.attname, f.hash_field
                    for d in dicts:
                        value = d.get(attname)
                        d[hash_field] = index(value) if value else ""
        missing = [a for a in self.attnames if a not in dicts[0]]
        if missing:  # instances loaded with only some fields never reach here; be safe anyway
            raise ValueError(f"bulk write of {self.table}: instances lack {missing}")
        getter = self.getter
        columns = list(zip(*map(getter, dicts), strict=True))
        for i, (passes, convert) in enumerate(self.converters):
            col = columns[i]
            if passes and set(map(type, col)) <= _PASS_SET:
                continue
            columns[i] = tuple(map(convert, col))
        if self.personal:
            encrypt = crypto.encrypter()
            is_ciphertext = crypto.is_ciphertext
            for i, _f in self.personal:
                columns[i] = tuple(encrypt(v) if v and not is_ciphertext(v) else v for v in columns[i])
        return columns


_columns_cache: dict[type, _Columns] = {}


def _cols(model) -> _Columns:
    if model not in _columns_cache:
        _columns_cache[model] = _Columns(model)
    return _columns_cache[model]


def history_model(model) -> type[models.Model] | None:
    attr = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, attr).model if attr else None


# ---------------------------------------------------------------- ids and raw writes

def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def reserve_ids(model, count: int) -> list[int]:
    """``count`` new primary keys of ``model``'s table, unused by anyone else."""
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [_q(table), pk, count])
            return [r[0] for r in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # AUTOINCREMENT tables: new ids come after both sqlite_sequence and the largest id, so
            # advancing sqlite_sequence reserves the range. The first statement is a write, so the
            # database's write lock is held before the largest id is read.
            cursor.execute("UPDATE sqlite_sequence SET seq = seq WHERE name = %s", [table])
            cursor.execute(f"SELECT coalesce(max({_q(pk)}), 0) FROM {_q(table)}")  # noqa: S608 (model identifiers)
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
            if row:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count - 1])
            return list(range(start, start + count))
    raise NotImplementedError(f"reserve_ids: {connection.vendor}")  # pragma: no cover


def insert_rows(table: str, columns: list[str], rows: list[Sequence]) -> None:
    if not rows:
        return
    cols = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {_q(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {_q(table)} ({cols}) VALUES ({marks})"  # noqa: S608 (model identifiers)
            cursor.executemany(sql, rows)


def update_rows(model, columns: list[str], rows: list[Sequence], *, bump: str | None = None) -> None:
    """``rows`` are (pk, value per column); every row sets all ``columns``, and ``bump`` (a column,
    the record's version) becomes ``bump + 1`` in SQL."""
    if not rows:
        return
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            by_column = {f.column: f for f in model._meta.concrete_fields}
            types = [model._meta.pk.rel_db_type(connection)] + [by_column[c].db_type(connection) for c in columns]
            names = ", ".join(_q(c) for c in [pk, *columns])
            sets = ", ".join([f"{_q(c)} = v.{_q(c)}" for c in columns]
                             + ([f"{_q(bump)} = t.{_q(bump)} + 1"] if bump else []))
            one = "(" + ", ".join(f"%s::{t}" for t in types) + ")"
            for i in range(0, len(rows), UPDATE_CHUNK):
                chunk = rows[i:i + UPDATE_CHUNK]
                values = ", ".join([one] * len(chunk))
                sql = (f"UPDATE {_q(table)} AS t SET {sets} FROM (VALUES {values}) "  # noqa: S608 (model identifiers)
                       f"AS v({names}) WHERE t.{_q(pk)} = v.{_q(pk)}")
                cursor.execute(sql, [x for row in chunk for x in row])
        else:
            sets = ", ".join([f"{_q(c)} = %s" for c in columns] + ([f"{_q(bump)} = {_q(bump)} + 1"] if bump else []))
            sql = f"UPDATE {_q(table)} SET {sets} WHERE {_q(pk)} = %s"  # noqa: S608 (model identifiers)
            cursor.executemany(sql, [(*row[1:], row[0]) for row in rows])


def _read_versions(model, pks: Sequence, column: str):
    """(pk, version) of the rows just updated (their row locks are held, so nobody moved them since)."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        for i in range(0, len(pks), UPDATE_CHUNK):
            chunk = list(pks[i:i + UPDATE_CHUNK])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {_q(pk)}, {_q(column)} FROM {_q(table)} WHERE {_q(pk)} IN ({marks})",  # noqa: S608
                           chunk)
            yield from cursor.fetchall()


# ---------------------------------------------------------------- records with history

def _history_rows(model, cols: _Columns, columns: list[tuple], kind: str, user_id, now, reason: str):
    """The history table's rows for ``columns`` (the record's prepared values: each personal value
    is encrypted once, for the record and its history row)."""
    hmodel = history_model(model)
    if hmodel is None:
        return None, [], []
    n = len(columns[0]) if columns else 0
    extra = {"history_date": now, "history_type": kind, "history_user_id": user_id, "history_change_reason": reason}
    names, out = [], []
    for f in hmodel._meta.concrete_fields:
        if f.attname == hmodel._meta.pk.attname:
            continue
        names.append(f.column)
        if f.attname in cols.position:
            out.append(columns[cols.position[f.attname]])
        else:
            value = extra.get(f.attname, f.get_default())
            passes, convert = _converter(f)
            out.append((value if passes and type(value) in _PASS_SET else convert(value),) * n)
    return hmodel, names, list(zip(*out, strict=True))


def insert(model: type[models.Model], objs: Sequence[models.Model], *, now, user=None,
           change_reason: str = "") -> Sequence[models.Model]:
    """Insert ``objs`` (new instances) and their ``+`` history rows; sets their primary keys."""
    if not objs:
        return objs
    cols = _cols(model)
    missing = [o for o in objs if o.__dict__.get(cols.pk_attname) is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing)), strict=True):
        obj.__dict__[cols.pk_attname] = pk
    columns = cols.prepare(objs, now, adding=True)
    insert_rows(cols.table, cols.columns, list(zip(*columns, strict=True)))
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    hmodel, hcolumns, hrows = _history_rows(model, cols, columns, "+", user_id, now, change_reason)
    if hmodel is not None:
        insert_rows(hmodel._meta.db_table, hcolumns, hrows)
    return objs


def update(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str], *, now, user=None,
           change_reason: str = "") -> None:
    """Write ``fields`` (attnames; timestamps and blind indexes of changed personal fields are added)
    of existing ``objs`` and record a ``~`` history row of each."""
    if not objs:
        return
    cols = _cols(model)
    columns = cols.prepare(objs, now, adding=False)
    names = set(fields) | set(cols.auto_now)
    for _i, f in cols.personal:
        if f.attname in names and f.hash_field:
            names.add(f.hash_field)
    version_i = cols.position.get("version")
    index = [i for i, a in enumerate(cols.attnames) if a in names and a not in (cols.pk_attname, "version")]
    pk_i = cols.position[cols.pk_attname]
    # Versioned records move on by one version in SQL (even when only many-to-many links changed:
    # they are written apart, and the history row below counts as a change too).
    if index or version_i is not None:
        update_rows(model, [cols.columns[i] for i in index],
                    list(zip(columns[pk_i], *(columns[i] for i in index), strict=True)),
                    bump=cols.columns[version_i] if version_i is not None else None)
    if version_i is not None:
        stored = dict(_read_versions(model, columns[pk_i], cols.columns[version_i]))
        versions = tuple(stored[pk] for pk in columns[pk_i])
        for obj, version in zip(objs, versions, strict=True):
            obj.__dict__["version"] = version
        columns[version_i] = versions
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    hmodel, hcolumns, hrows = _history_rows(model, cols, columns, "~", user_id, now, change_reason)
    if hmodel is not None:
        insert_rows(hmodel._meta.db_table, hcolumns, hrows)
