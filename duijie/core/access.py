"""Who may read and edit a record, written once: the relations that give a viewer access, and what
each viewer holds of them. Two readers share this table:

- ``core.scope.edit_q`` turns it into a database filter (and ``core.selectors`` adds visibility,
  published state, grants and the confidential rule on top);
- :func:`record_keys` / :func:`viewer_keys` turn it into labels — a record's keys and a viewer's keys
  share one exactly when the selectors let the viewer read the record. The matching index stores the
  record keys and masks candidates by the viewer keys before ranking (``matching/visibility.py``).

A **relation** names a path from a record to a value and a **key** (``org``, ``region`` …); a viewer's
**reach** gives, per key, the values they hold. A record is in the viewer's scope when one of its
relations leads to a value the viewer holds under that relation's key (``prefix`` keys: a region
code starting with a held code). ``core/tests/test_access_labels.py`` checks, for every role and a
generated variety of records, that ``visible_queryset`` and the keys agree both ways.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q
from django.utils import timezone

from duijie.core.choices import Visibility
from duijie.core.models import AssessmentUnit, Grant
from duijie.core.roles import GOVERNMENT_ROLES, ORGANISATION_ROLES, PLATFORM_ADMIN_ROLES, Role

NOTHING = Q(pk__in=[])
OPEN_VISIBILITIES = (Visibility.PUBLIC, Visibility.PLATFORM)
# Keys that are not relations: published public records (anyone, also anonymous), published
# public/platform records (any logged-in user), and explicit grants (``grant:<user id>``).
PUBLIC, OPEN, GRANT = "public", "open", "grant"
# NBS region codes are 2/4/6/9/12 digits: a prefix key holds the record's code cut at each length.
REGION_CODE_LENGTHS = (2, 4, 6, 9, 12)


def _is_expert_fk(model: type[Model]) -> bool:
    field = model._meta.get_field("expert")
    return bool(field.is_relation and field.related_model and field.related_model._meta.label == "experts.Expert")


@dataclass(frozen=True)
class Relation:
    key: str
    path: str
    prefix: bool = False  # the value is a region code; held codes match by prefix
    own: bool = False  # the first field must be declared on the model (not a reverse relation)
    party: str | None = None  # the name a model's PARTY_FIELDS must list for this relation to count
    when: Callable[[type[Model]], bool] | None = None

    def applies(self, model: type[Model]) -> bool:
        first = self.path.split("__")[0]
        if first != "pk":
            fields = _own_fields(model) if self.own else _fields(model)
            if first not in fields:
                return False
        limited = getattr(model, "PARTY_FIELDS", None)
        if self.party is not None and limited is not None and self.party not in limited:
            return False
        return self.when is None or self.when(model)


def _label_is(label: str) -> Callable[[type[Model]], bool]:
    return lambda model: model._meta.label == label


# Names a model's PARTY_FIELDS may limit (a visit log names an enterprise, but the enterprise does
# not edit the bureau's notes about it).
RELATIONS: tuple[Relation, ...] = (
    # The filing account (parties) and the filing organisation (government bureaus and organisations).
    Relation("filer", "filed_by"),
    Relation("org", "filed_by_org"),
    # Organisations a record belongs to or names as a party.
    Relation("party_org", "owner_org"),
    Relation("party_org", "enterprise__organisation", party="enterprise"),
    Relation("party_org", "institution__organisation", party="institution"),
    Relation("party_org", "applicant_orgs", party="applicant_orgs"),
    Relation("party_org", "enterprises__organisation", own=True),
    Relation("party_org", "institutions__organisation", own=True),
    Relation("party_org", "seller_enterprise__organisation", own=True),
    # Experts act for themselves: the expert's own account, lead researcher, inventors, named experts.
    Relation("expert_user", "user", party="user"),
    Relation("expert_user", "lead_expert__user", party="lead_expert"),
    Relation("expert_user", "inventor_experts__user", party="inventor_experts"),
    Relation("expert_user", "experts__user", own=True),
    Relation("expert_user", "expert__user", own=True, party="expert", when=_is_expert_fk),
    Relation("broker_user", "broker", own=True),
    # Government scope: the record's region (city and unit), its owner's and filer's region (city),
    # its assessment units, its park (unit and park), its enterprises' park (park).
    Relation("region", "region__code", prefix=True),
    Relation("org_region", "owner_org__region__code", prefix=True),
    Relation("org_region", "filed_by_org__region__code", prefix=True),
    Relation("unit", "assessment_units"),
    Relation("unit", "owner_unit", own=True),  # what a unit owns (a programme's target)
    Relation("unit", "pk", when=_label_is("core.AssessmentUnit")),
    Relation("park", "park"),
    Relation("park", "owner_park", own=True),
    Relation("park", "pk", when=_label_is("core.Park")),
    Relation("park_party", "enterprise__park"),
    Relation("park_party", "enterprises__park", own=True),
)


def _fields(model: type[Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _own_fields(model: type[Model]) -> set[str]:
    """Fields declared on the model itself (no reverse relations, which may share a name)."""
    return {f.name for f in model._meta.get_fields() if not f.auto_created or f.concrete}


def _confidential_relations(model: type[Model]) -> list[Relation]:
    """A confidential record (``CONFIDENTIAL``: an enterprise's metrics, pairings, placements) is read
    by every party it names in any link, even where PARTY_FIELDS keeps them from editing it."""
    out = []
    for f in model._meta.get_fields():
        if not (f.is_relation and f.concrete and f.related_model is not None):
            continue
        target = f.related_model._meta.label
        if target in ("orgs.Enterprise", "orgs.Institution"):
            out.append(Relation("party_org", f"{f.name}__organisation"))
        elif target == "experts.Expert":
            out.append(Relation("expert_user", f"{f.name}__user"))
    return out


def edit_relations(model: type[Model]) -> list[Relation]:
    return [r for r in RELATIONS if r.applies(model)]


def read_relations(model: type[Model]) -> list[Relation]:
    """The relations that put a record of ``model`` in a viewer's read scope (visibility aside)."""
    rels = edit_relations(model)
    if getattr(model, "CONFIDENTIAL", False):
        rels += [r for r in _confidential_relations(model) if r not in rels]
    return rels


# ------------------------------------------------------------------------------------------------
# What a viewer holds
# ------------------------------------------------------------------------------------------------

def city_prefix(user) -> str | None:
    """Region-code prefix of a city administrator's city (None: no city, so no scope)."""
    org = getattr(user, "organisation", None)
    if org is None or org.region_id is None:
        return None
    return org.region.code


def unit_ids(unit) -> list[int]:
    """The unit and every unit inside it."""
    ids, frontier = [unit.pk], [unit.pk]
    while frontier:
        frontier = list(AssessmentUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


_REACH_MEMO: ContextVar[dict | None] = ContextVar("duijie_unit_reach_memo", default=None)


@contextmanager
def unit_reach_memo():
    """Inside the block each unit's reach, and each user's (``reach``: a city's units are a query), is
    read once (a progress page asks for the same eleven units for every indicator, a list page or a
    form for the user's reach once per record type it touches); outside it, every call reads the
    tables afresh."""
    token = _REACH_MEMO.set({})
    try:
        yield
    finally:
        _REACH_MEMO.reset(token)


def reach_memoized(view):
    """A view whose request reads each reach once (``unit_reach_memo``): list pages, forms, panels."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with unit_reach_memo():
            return view(*args, **kwargs)

    return wrapped


def unit_reach(unit) -> tuple[list[int], set[str], list[int]]:
    """What a unit administrator's unit reaches: the ids of the unit and the units inside it, the codes
    of the regions they map to, and the parks they map to."""
    memo = _REACH_MEMO.get()
    if memo is not None:
        if unit.pk not in memo:
            memo[unit.pk] = _unit_reach(unit)
        return memo[unit.pk]
    return _unit_reach(unit)


def _unit_reach(unit) -> tuple[list[int], set[str], list[int]]:
    ids = unit_ids(unit)
    units = AssessmentUnit.objects.filter(pk__in=ids)
    codes = set(units.values_list("regions__code", flat=True)) - {None}
    parks = list(units.values_list("parks", flat=True).exclude(parks=None))
    return ids, prefix_free(codes), parks


def prefix_free(codes: Iterable[str]) -> set[str]:
    """The codes no other of them is a prefix of: every use reads a code as "this region and the
    regions under it", so a district's code makes its towns' codes redundant — and each code left is
    one more condition (a subquery) in every query that tests the reach."""
    kept: list[str] = []
    for code in sorted(set(codes), key=len):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return set(kept)


def city_units(prefix: str):
    """Ids (a subquery) of the assessment units in a city: placed in it, mapped to its regions or
    holding its organisations."""
    return AssessmentUnit.objects.filter(
        Q(city__code__startswith=prefix) | Q(regions__code__startswith=prefix)
        | Q(organisations__region__code__startswith=prefix)).values_list("pk", flat=True)


EVERYTHING = None  # the reach of the command-line operator on the server: no limit


def reach(user) -> dict[str, Iterable] | None:
    """Key → values ``user`` holds; ``None``: everything (the server operator); ``{}``: nothing.
    A government user reaches by the bureau (what it filed) and by place; everyone else by the
    filing account and by what they are party to. An empty place grants nothing."""
    memo = _REACH_MEMO.get()
    if memo is None or getattr(user, "pk", None) is None:
        return _reach(user)
    key = ("reach", user.pk, getattr(user, "role", None), getattr(user, "organisation_id", None))
    if key not in memo:
        memo[key] = _reach(user)
    held = memo[key]
    return None if held is None else {k: list(v) for k, v in held.items()}


def _reach(user) -> dict[str, Iterable] | None:
    if not getattr(user, "is_authenticated", False) or user.role in PLATFORM_ADMIN_ROLES:
        return {}
    if getattr(user, "is_server_operator", False):
        return EVERYTHING  # accounts.models.SERVER_OPERATOR_USERNAME
    org = user.organisation
    held: dict[str, Iterable] = {}
    if user.role in GOVERNMENT_ROLES:
        if org is not None:
            held["org"] = [org.pk]
        if user.role == Role.CITY_ADMIN:
            prefix = city_prefix(user)
            if prefix is not None:  # a bureau without a city sees what it filed, never the whole platform
                held.update(region=[prefix], org_region=[prefix], unit=list(city_units(prefix).distinct()))  # a handful: tested directly
        elif user.role == Role.UNIT_ADMIN:
            if org is not None and org.assessment_unit_id:
                ids, codes, parks = unit_reach(org.assessment_unit)
                held.update(unit=ids, region=sorted(codes), park=parks)
        elif org is not None and org.park_id:  # park manager
            held.update(park=[org.park_id], park_party=[org.park_id])
        return held
    held["filer"] = [user.pk]
    # Experts and brokers act for themselves, not for the organisation they work at.
    if user.role in ORGANISATION_ROLES and org is not None:
        held.update(org=[org.pk], party_org=[org.pk])
    elif user.role == Role.EXPERT:
        held["expert_user"] = [user.pk]
    elif user.role == Role.BROKER:
        held["broker_user"] = [user.pk]
    return held


# ------------------------------------------------------------------------------------------------
# As a database filter
# ------------------------------------------------------------------------------------------------

def many_hop(model: type[Model], path: str) -> int | None:
    """The index in ``path`` of its first many-valued step (a many-to-many or reverse foreign key:
    following it can multiply a record), or None when every step is single-valued."""
    for k, name in enumerate(path.split("__")):
        if name == "pk":
            return None
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a lookup (code__startswith), not a field
            return None
        if field.many_to_many or field.one_to_many:
            return k
        if not field.is_relation:
            return None
        model = field.related_model
    return None


def path_q(model: type[Model], path: str, lookup: str, values: Iterable, *, exists: bool = False) -> Q:
    """Records of ``model`` for which one of the objects at ``path`` matches ``lookup`` with one of
    ``values`` (``startswith`` a region code: one value at a time), without multiplying rows: the
    single-valued start of the path stays a join and its first many-valued hop becomes a subquery —
    over the many-to-many table itself, hop by hop.

    ``exists=False``: an ``IN`` subquery, which PostgreSQL computes once and hashes — for the sets a
    figure's owner reaches (a district's projects). ``exists=True``: a correlated ``EXISTS``, which it
    may hash or probe by index per record — for sets that can outgrow memory (everything a city reads),
    where an ``IN`` list it cannot hash would be scanned again for every record."""
    k = many_hop(model, path)
    if k is None:
        return _any(lambda v: _single_q(model, path, lookup, v), lookup, values)
    names = path.split("__")
    head = "__".join(names[:k]) or "pk"
    owner = model
    for name in names[:k]:
        owner = owner._meta.get_field(name).related_model
    field = owner._meta.get_field(names[k])
    if field.many_to_many and field.concrete:  # over the many-to-many table, the rest from its far side
        through = field.remote_field.through
        src, dst = field.m2m_field_name(), field.m2m_reverse_field_name()
        rest = "__".join([dst, *names[k + 1:]])

        def inner(v):
            return through._default_manager.filter(path_q(through, rest, lookup, [v] if lookup != "in" else v,
                                                          exists=exists))
        column = src
    else:  # a reverse foreign key: from the owner itself
        rest = "__".join(names[k:])

        def inner(v):
            return owner._default_manager.filter(**{f"{rest}__{lookup}": v})
        column = "pk"
    if exists:
        return _any(lambda v: Q(Exists(inner(v).filter(**{column: OuterRef(head)}))), lookup, values)
    return _any(lambda v: Q(**{f"{head}__in": inner(v).values(column)}), lookup, values)


def through_q(model: type[Model], path: str, far: Q) -> Q | None:
    """Records of ``model`` for which one of the objects at ``path`` meets ``far`` (a condition over
    those objects' own fields), as one subquery over the many-to-many table — when ``path`` ends with
    its first many-valued hop, a concrete many-to-many (a project's enterprises, an outcome's
    project's enterprises); None otherwise (the caller tests each condition with :func:`path_q`).

    Several conditions on the same parties (a unit's assessment units, parks and regions) so read the
    many-to-many table once rather than once each: at a million records that table is the largest
    thing a figure reads."""
    names = path.split("__")
    k = many_hop(model, path)
    if k is None or k != len(names) - 1:
        return None
    owner = model
    for name in names[:k]:
        owner = owner._meta.get_field(name).related_model
    field = owner._meta.get_field(names[k])
    if not (field.many_to_many and field.concrete):
        return None
    through = field.remote_field.through
    parties = field.related_model._base_manager.filter(far).values("pk")
    inner = through._default_manager.filter(**{f"{field.m2m_reverse_field_name()}__in": parties})
    head = "__".join(names[:k]) or "pk"
    return Q(**{f"{head}__in": inner.values(field.m2m_field_name())})


# Lookups a single-valued path may hand to a subquery on its far table: a test that holds for no NULL.
_SUBQUERY_LOOKUPS = frozenset({"in", "exact", "startswith"})


def _single_q(model: type[Model], path: str, lookup: str, value) -> Q:
    """``path`` (single-valued hops only) matching ``lookup`` with ``value``, its last hop as a subquery
    on the far table (``owner_org__region__code__startswith='3204'`` → ``owner_org__region__in=<the
    regions under 3204>``): the database hashes the few matching rows once instead of joining that
    table to every record (a city's scope over 200k projects joined four region tables). The hops
    before it stay joins (a subquery over 100k organisations would cost a small table more than the
    join). Lookups that can hold for NULL (``isnull``) stay joins."""
    names = path.split("__")
    plain = Q(**{f"{path}__{lookup}": value})
    if lookup not in _SUBQUERY_LOOKUPS or len(names) < 2:
        return plain
    owner = model
    try:
        for name in names[:-2]:
            owner = owner._meta.get_field(name).related_model
        field = owner._meta.get_field(names[-2])
        owner._meta.get_field(names[-2]).related_model._meta.get_field(names[-1])
    except (FieldDoesNotExist, AttributeError):  # a lookup inside the path, not a field
        return plain
    if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
        return plain
    inner = field.related_model._base_manager.filter(**{f"{names[-1]}__{lookup}": value})
    return Q(**{f"{'__'.join(names[:-1])}__in": inner.values("pk")})


def _any(build: Callable[[object], Q], lookup: str, values) -> Q:
    """``build(values)`` for an ``in`` lookup (one condition), else the OR of ``build(v)`` per value."""
    if lookup == "in":
        return build(values)
    q = NOTHING
    for v in values:
        q |= build(v)
    return q


def relation_q(model: type[Model], rel: Relation, values: Iterable) -> Q:
    # EXISTS: what a city administrator reaches is most of the table.
    return path_q(model, rel.path, "startswith" if rel.prefix else "in", values, exists=True)


def reach_q(model: type[Model], held: dict[str, Iterable] | None, relations: list[Relation]) -> Q:
    """The records of ``model`` that one of ``relations`` puts within ``held`` (a :func:`reach`)."""
    if held is None:  # EVERYTHING
        return Q()
    q = NOTHING
    for rel in relations:
        if rel.key in held:
            q |= relation_q(model, rel, held[rel.key])
    return q


# ------------------------------------------------------------------------------------------------
# As labels
# ------------------------------------------------------------------------------------------------

def _walk(objs: list, path: str) -> list:
    for i, name in enumerate(path.split("__")):
        last = i == len(path.split("__")) - 1
        nxt: list = []
        for obj in objs:
            if name == "pk":
                nxt.append(obj.pk)
                continue
            field = obj._meta.get_field(name)
            if field.many_to_many or field.one_to_many:
                accessor = field.name if field.concrete else field.get_accessor_name()
                related = list(getattr(obj, accessor).all())
                nxt.extend(r.pk for r in related) if last else nxt.extend(related)
            elif field.is_relation and field.concrete:
                nxt.append(getattr(obj, field.attname) if last else getattr(obj, name))
            elif field.is_relation:  # reverse one-to-one
                target = getattr(obj, field.get_accessor_name(), None)
                nxt.append(target.pk if last and target is not None else target)
            else:
                nxt.append(getattr(obj, name))
        objs = [o for o in nxt if o is not None and o != ""]
    return objs


def label_joins(model: type[Model]) -> tuple[list[str], list[str]]:
    """select_related / prefetch_related that make :func:`record_keys` query-free for a batch
    (grants aside: :func:`grants_by_object`)."""
    sel: set[str] = set()
    pre: set[str] = set()
    for rel in read_relations(model):
        names, m, load, single = rel.path.split("__"), model, [], True
        for i, name in enumerate(names):
            if name == "pk":
                break
            field = m._meta.get_field(name)
            many = field.many_to_many or field.one_to_many
            if i == len(names) - 1 and not many:
                break  # the last hop is read from the row already loaded (a column or a foreign key id)
            load.append(name)
            single = single and not many and field.concrete
            m = field.related_model
        if load:
            (sel if single else pre).add("__".join(load))
    return sorted(sel), sorted(pre)


def grants_by_object(model: type[Model], pks: list) -> dict[str, set[int]]:
    """Object id → users holding an unexpired grant on it (``selectors.granted_ids``, per record)."""
    out: dict[str, set[int]] = {}
    rows = (Grant.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                 object_id__in=[str(p) for p in pks])
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate()))
            .values_list("object_id", "user"))
    for oid, uid in rows:
        out.setdefault(str(oid), set()).add(uid)
    return out


def _key(rel: Relation, value) -> list[str]:
    if rel.prefix:
        code = str(value)
        return [f"{rel.key}:{code[:n]}" for n in REGION_CODE_LENGTHS if len(code) >= n]
    return [f"{rel.key}:{value}"]


def record_keys(obj: Model, grants: set[int] | None = None) -> set[str]:
    """The keys of a registry record (``RecordBase``): who may read it, as ``selectors.visible_queryset``
    decides. ``grants``: the users holding an unexpired grant on it (fetched when None)."""
    model = type(obj)
    keys: set[str] = set()
    states = getattr(model, "PUBLISHED_STATES", None)
    published = not states or getattr(obj, "status", None) in states
    vis = getattr(obj, "visibility", None)
    if not getattr(model, "CONFIDENTIAL", False):  # confidential: never anonymous, open nor granted
        if published and vis == Visibility.PUBLIC:
            keys.add(PUBLIC)  # anonymous visitors
        if published and vis in OPEN_VISIBILITIES:
            keys.add(OPEN)
        if vis != Visibility.CLASSIFIED and obj.pk is not None:
            if grants is None:
                grants = grants_by_object(model, [obj.pk]).get(str(obj.pk), set())
            keys.update(f"{GRANT}:{u}" for u in grants)
    for rel in read_relations(model):
        for value in _walk([obj], rel.path):
            keys.update(_key(rel, value))
    return keys


def viewer_keys(user) -> set[str] | None:
    """The keys ``user`` holds (``None``: every record; an empty set: none)."""
    if not getattr(user, "is_authenticated", False):
        return {PUBLIC}
    if user.role in PLATFORM_ADMIN_ROLES:
        return set()
    held = reach(user)
    if held is None:  # EVERYTHING
        return None
    keys = {OPEN, f"{GRANT}:{user.pk}"}
    for key, values in held.items():
        keys.update(f"{key}:{v}" for v in values)
    return keys
