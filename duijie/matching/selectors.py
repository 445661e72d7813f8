"""Reads of the matching app: recommendations for a record and search across supply, for one viewer.

Candidates are masked inside the index by the viewer's visibility labels (``visibility.py``), then
every result passes back through ``core.selectors.visible_queryset`` (the authority) and the
declaration's ``recommend_filter``; the index is asked for more than a page (over-fetch, growing
×3 up to three times) so a page stays full after the re-check. Reasons quote only the query record
(which the viewer may read: views check it) and results the viewer may read.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Model
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from duijie.cooperation.models import CooperationProject, TechContract
from duijie.core import selectors as core_selectors
from duijie.core.registry import personal_fields, record_url
from duijie.matching import cooperation, declarations, documents, learning, policy, qvectors, store
from duijie.matching.visibility import viewer_labels
from duijie.orgs.models import Institution
from duijie.pairings.models import Pairing
from matchkit import Query, Reason, SearchMemo, Weights, highlight, lead_text

# What each detail page recommends ("institution" aggregates experts and achievements).
TARGETS: dict[str, tuple[str, ...]] = {
    "demand": ("expert", "achievement", "patent", "institution", "carrier"),
    "achievement": ("enterprise", "demand"),
    "patent": ("enterprise", "demand"),
    "expert": ("enterprise", "demand"),
    # a challenge (揭榜挂帅 / 赛马制) asks for solvers: experts (and their teams, grouped by the challenges
    # app) and institutions
    "challenge": ("expert", "institution"),
}
SUPPLY = ("achievement", "patent", "expert", "carrier")


@dataclass
class Match:
    id: str
    kind: str
    obj: Model
    score: float
    reasons: list[Reason]
    parts_norm: dict[str, float | None]
    rank: int = 0
    flags: list[str] = field(default_factory=list)
    snippet: str = ""  # safe HTML from _snippet (escaped text, <mark> around shared terms)
    # the unweighted features the fused score is linear in (matchkit ScoreParts.features), logged with
    # an impression for the feedback learner
    features: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str | None:
        return record_url(self.obj)

    @property
    def terms(self) -> tuple[str, ...]:
        return next((r.terms for r in self.reasons if r.code == "terms"), ())


def _query_for(obj: Model, target_kinds: list[str]) -> tuple[Query, str]:
    decl = declarations.for_model(obj)
    return _query_of(decl, obj, documents.build(decl, obj), target_kinds)


def _query_of(decl, obj: Model, rec, target_kinds: list[str]) -> tuple[Query, str]:
    """The query of ``obj`` from its index record ``rec`` (``documents.build`` / ``build_many``)."""
    if rec is None:
        return Query(), documents.record_id(decl.kind, obj.pk)
    ctx = cooperation.query_context(decl.kind, obj, rec.partners)
    return Query(title=rec.title, text=rec.text, id=rec.id, keywords=rec.keywords, industry=rec.industry,
                 field=rec.field, region=rec.region, institution=rec.institution, ipc=rec.ipc,
                 target_kinds=target_kinds, **ctx), rec.id


def _snippet(text: str, terms: tuple[str, ...], size: int = 120) -> SafeString:
    """The start of the result's own text (or around its first shared term), shared terms marked."""
    text = " ".join(text.split())
    start = 0
    for t in terms:
        i = text.lower().find(t.lower())
        if i > size // 2:
            start = i - size // 3
            break
    cut = text[start:start + size]
    marked = highlight(cut, terms, before="\x01", after="\x02") if terms else cut
    html = escape(marked).replace("\x01", "<mark>").replace("\x02", "</mark>")
    # the text is escaped above; only our own <mark> tags are added
    return mark_safe(("…" if start else "") + html + ("…" if start + size < len(text) else ""))  # noqa: S308


def _normalise_parts(results) -> dict[str, dict[str, float | None]]:
    top = max((r.parts.bm25 for r in results), default=0.0)
    dense = [r.parts.dense for r in results if not np.isnan(r.parts.dense)]
    lo, hi = (min(dense), max(dense)) if dense else (0.0, 0.0)
    out = {}
    for r in results:
        d = None if np.isnan(r.parts.dense) else ((r.parts.dense - lo) / (hi - lo) if hi > lo else 1.0)
        out[r.id] = {"bm25": (r.parts.bm25 / top) if top > 0 else 0.0, "dense": d, "structured": r.parts.structured}
    return out


_QV: dict[tuple, Any] = {}


def _query_vector(idx, q: Query):
    """The query's vector: in this process's memory, else kept on disk by the background worker
    (``qvectors``), else encoded now and kept (a panel asks for five kinds)."""
    if idx.encoder is None:
        return None
    text = lead_text(q.title, q.text, idx.lead_chars)
    key = (idx.encoder.name, text)
    if key not in _QV:
        if len(_QV) > 256:
            _QV.clear()
        vector = qvectors.get(idx.encoder.name, text)  # encoded in the background with the record
        if vector is None:
            vector = idx.encode_query(q)
            qvectors.put(idx.encoder.name, text, vector)
        _QV[key] = vector
    return _QV[key]


def _ranked(user, query: Query, kind: str, k: int, *, exclude: list[str], weights: Weights,
            keep: Any = None) -> list[tuple[Any, Model]]:
    """Index results of ``kind`` the viewer may read and that pass the declaration's filter, best first."""
    labels = viewer_labels(user)
    if labels == []:
        return []
    decl = declarations.get(kind)
    idx = store.get_index()
    q = Query(**{**query.__dict__, "target_kinds": [kind]})
    qv = _query_vector(idx, q)
    fetch, out = max(3 * k, 30), []
    for _round in range(4):
        results = idx.search(q, k=fetch, groups=labels, weights=weights, exclude=exclude, query_vector=qv,
                             memo=_once(("search",), SearchMemo))
        pks = [documents.parse_id(r.id)[1] for r in results]
        objs = _visible_objects(decl, user, pks)
        out = [(r, objs[pk]) for r, pk in zip(results, pks, strict=True) if pk in objs
               and (keep is None or keep(r, objs[pk]))]
        if len(out) >= k or len(results) < fetch:
            break
        fetch *= 3
    return out


def _visible_objects(decl, user, pks: list[str]) -> dict[str, Model]:
    """The records of ``pks`` the viewer may read and that pass the declaration's filter, by pk. Inside
    ``recommend_memo`` a record is read once for all the sections of a panel (the institutions'
    section ranks the experts and achievements the two sections above it show)."""
    memo = _MEMO.get()
    known: dict[str, Model | None] = (memo.setdefault(("objects", decl.kind, user.pk), {})
                                      if memo is not None else {})
    todo = [pk for pk in dict.fromkeys(pks) if pk not in known]
    if todo:
        visible = core_selectors.visible_queryset(decl.model, user).filter(pk__in=todo)
        if decl.recommend_filter:
            visible = visible.filter(**decl.recommend_filter)
        if decl.select_related:
            visible = visible.select_related(*decl.select_related)
        # Matches show names and reasons, never personal data: its fields are not read (nor decrypted,
        # a third of the model loading for the up to 120 candidates of each round).
        visible = visible.defer(*personal_fields(decl.model), *_related_personal_fields(decl))
        found = {str(o.pk): o for o in visible}
        known.update({pk: found.get(pk) for pk in todo})
    return {pk: o for pk in pks if (o := known[pk]) is not None}


def _related_personal_fields(decl) -> list[str]:
    """The personal fields of the records ``decl.select_related`` joins (an expert's or achievement's
    institution: its tech-transfer office phone), deferred like the match's own: a panel shows their
    names, and decrypting them cost a third of a millisecond per candidate."""
    out = []
    for path in decl.select_related or ():
        model = decl.model
        for name in path.split("__"):
            model = model._meta.get_field(name).related_model
        out += [f"{path}__{f}" for f in personal_fields(model)]
    return out


_MEMO: ContextVar[dict | None] = ContextVar("duijie_recommend_memo", default=None)


@contextmanager
def recommend_memo() -> Iterator[None]:
    """Inside the block, what several ``recommend`` calls for one record share is read once: the
    candidates' records (with the viewer's scope check), the learnt weights of a pair of kinds, the
    users' feedback on a pair, an expert's conflicts of interest and load, and in the index each
    candidate's structured signals and shared terms (``matchkit.SearchMemo``). The 推荐匹配 panel asks
    for five kinds, and its institutions' section ranks experts and achievements again (more of
    them: the candidate pool depends on k, so it searches anew, but the records it reads are the
    same). Every entry is per record (or pair), so a result never depends on what was asked before;
    outside the block every call reads the tables afresh."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _once(key: tuple, compute: Callable[[], Any]) -> Any:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _per_item(key: tuple, items: list, compute: Callable[[list], dict], missing: Any) -> dict:
    """``compute(items)`` (a dict by item, without the items it has nothing for) for the items not
    seen yet inside ``recommend_memo``; the answers of every item asked, ``missing`` left out."""
    memo = _MEMO.get()
    if memo is None:
        return compute(items)
    known = memo.setdefault(key, {})
    todo = [x for x in dict.fromkeys(items) if x not in known]
    if todo:
        found = compute(todo)
        known.update({x: found.get(x, missing) for x in todo})
    return {x: v for x in items if (v := known[x]) is not missing}


def _pair_adjustments(source: str, targets: list[str], user) -> tuple[dict[str, float], set[str]]:
    """``learning.pair_adjustments``, per target (each target's factor and hiding depend on that
    target alone)."""
    def compute(todo: list[str]) -> dict[str, tuple[float | None, bool]]:
        factors, hidden = learning.pair_adjustments(source, todo, user)
        return {t: (factors.get(t), t in hidden) for t in todo}

    got = _per_item(("pairs", source, user.pk), targets, compute, None)
    return ({t: f for t, (f, _h) in got.items() if f is not None}, {t for t, (_f, h) in got.items() if h})


# Reasons that alone do not make a match worth showing: a closeness every text of the domain has, a
# guessed field, where or how mature the two sides are (not what they are about), and the signals
# that only lower a rank.
_WEAK_REASONS = frozenset({"semantic", "inferred_field", "region", "stage", "tier", "load", "conflict", "feedback"})


def has_evidence(result, kind: str) -> bool:
    """A result is worth showing when a topical signal fired (industry, field, IPC, crosswalk,
    institution, past cooperation), a domain phrase is shared, or its
    cosine reaches the kind's floor (``settings.DUIJIE_MATCH_COSINE_FLOOR``); else it is filler and
    the panel says there is no good match yet."""
    if any(r.code not in _WEAK_REASONS for r in result.reasons):
        return True
    dense = result.parts.dense
    return dense == dense and dense >= settings.DUIJIE_MATCH_COSINE_FLOOR.get(kind, 1.0)  # NaN: no vector


def source_query(obj: Model) -> tuple[Query, str]:
    """The query a record makes (its text, fields and past-cooperation context: several queries), to
    build once when asking ``recommend`` for several kinds (the 推荐匹配 panel)."""
    return _query_for(obj, [])


def recommend(*, user, obj: Model, target_kind: str, k: int = 8, inactive: bool | None = None,
              prepared: tuple[Query, str] | None = None, shown: bool = True) -> list[Match]:
    """Recommendations of ``target_kind`` for ``obj`` (which the caller checked ``user`` may read):
    none for an inactive record (closed, rejected, lapsed), and only results with evidence. A caller
    asking for several kinds decides ``inactive`` once (``decl.is_inactive``, a query) and builds the
    source's query once (``source_query``), and passes them. ``shown=False``: the matches are only
    ranked, never shown (an institution's members), so their text excerpts and the names of the
    cooperation linking them are not looked up."""
    decl = declarations.for_model(obj)
    if decl is None or target_kind not in TARGETS.get(decl.kind, ()):
        return []
    if inactive if inactive is not None else decl.is_inactive(obj):
        return []
    if target_kind == "institution":
        return _institutions(user=user, obj=obj, k=k, inactive=False, prepared=prepared)
    if prepared is not None:
        query, source = dataclasses.replace(prepared[0], target_kinds=[target_kind]), prepared[1]
    else:
        query, source = _query_for(obj, [target_kind])
    if not (query.title or query.text):
        return []
    weights = _once(("weights", decl.kind, target_kind), lambda: learning.weights_for(decl.kind, target_kind))
    ranked = _ranked(user, query, target_kind, 2 * k, exclude=[source], weights=weights,
                     keep=lambda r, _o: has_evidence(r, target_kind))
    norm = _normalise_parts([r for r, _o in ranked])
    matches = [Match(id=r.id, kind=r.kind, obj=o, score=r.score, reasons=list(r.reasons), parts_norm=norm[r.id],
                     features=dict(r.parts.features)) for r, o in ranked]
    factors, hidden = _pair_adjustments(source, [m.id for m in matches], user)
    enterprise = _enterprise_of(obj)
    experts = [m.obj for m in matches if m.kind == "expert"]
    coi = {}
    if experts and enterprise is not None:
        # per expert: each expert's conflict with the enterprise depends on that expert alone
        by_pk = {e.pk: e for e in experts}
        coi = _per_item(("conflicts", enterprise.pk), list(by_pk),
                        lambda pks: policy.conflicts([by_pk[pk] for pk in pks], enterprise), None)
    elif decl.kind == "expert":
        # the expert against every match's enterprise at once (two queries, not two per match)
        ents = {m.id: _enterprise_of(m.obj) for m in matches}
        found = policy.conflicts_many([obj], {e.pk: e for e in ents.values() if e is not None}.values())
        coi = {mid: c for mid, e in ents.items() if e is not None and (c := found.get(e.pk, {}).get(obj.pk))}
    load = _per_item(("load",), [e.pk for e in experts], policy.expert_load, None) if experts else {}
    kept = []
    for m in matches:
        if m.id in hidden:
            continue
        c = coi.get(m.obj.pk) if m.kind == "expert" else coi.get(m.id)
        if c and c[0] == policy.EXCLUDE:
            continue
        if c:
            m.flags.append(c[1])
            m.score = _scaled(m.score, 0.8)
        f = factors.get(m.id, 1.0)
        if f != 1.0:
            m.score = _scaled(m.score, f)
            m.reasons.append(Reason("feedback", _("Adjusted by users' feedback (×%(f).2f)") % {"f": f}))
        n = load.get(m.obj.pk, 0) if m.kind == "expert" else 0
        if n:
            m.score = _scaled(m.score, policy.load_factor(n))
            m.reasons.append(Reason("load", _("Currently busy with %(n)d engagement(s); ranked lower") % {"n": n}))
        kept.append(m)
    kept.sort(key=lambda m: (-m.score, m.id))
    kept = kept[:k]
    if shown:
        _name_cooperation(user, decl.kind, obj, kept)
    idx = store.get_index()
    for i, m in enumerate(kept, start=1):
        m.rank = i
        rec = idx.get(m.id) if m.id in idx and shown else None
        m.snippet = _snippet(rec.text or rec.title, m.terms) if rec else ""
    return kept


def _cooperation_text(source_kind: str, target_kind: str, name: str | None) -> str:
    if target_kind in cooperation.ENTERPRISE_SIDE and source_kind in ("achievement", "patent"):
        return (_("Its institution worked with this enterprise before: %(name)s") % {"name": name} if name
                else _("Its institution has worked with this enterprise before"))
    if target_kind in cooperation.ENTERPRISE_SIDE:
        return (_("Worked with this enterprise before: %(name)s") % {"name": name} if name
                else _("Has worked with this enterprise before"))
    if target_kind == "expert":
        return (_("Worked with the demand's enterprise before: %(name)s") % {"name": name} if name
                else _("Has worked with the demand's enterprise before"))
    return (_("Its institution worked with the demand's enterprise before: %(name)s") % {"name": name} if name
            else _("Its institution has worked with the demand's enterprise before"))


def _name_cooperation(user, source_kind: str, obj: Model, matches: list[Match]) -> None:
    """Replace matchkit's generic 曾有合作 with what links the two sides, named only when the viewer may
    read that project, contract or pairing (a restricted project's name never reaches another org)."""
    todo = [(m, i) for m in matches for i, r in enumerate(m.reasons) if r.code == "cooperation"]
    if not todo:
        return
    vias = cooperation.linking_records(source_kind, obj, [(m.kind, m.obj) for m, _i in todo])
    wanted: dict[str, set[int]] = defaultdict(set)
    for found in vias.values():
        for via, pk in found:
            wanted[via].add(pk)
    models_ = {"project": CooperationProject, "contract": TechContract, "pairing": Pairing}
    readable = {via: {o.pk: o for o in core_selectors.visible_queryset(models_[via], user).filter(pk__in=pks)}
                for via, pks in wanted.items()}
    for m, i in todo:
        name = None
        for via, pk in vias.get((m.kind, m.obj.pk), ()):
            if pk in readable.get(via, {}):
                name = str(readable[via][pk]) if via != "pairing" else _("expert pairing (挂钩联系)")
                break
        m.reasons[i] = Reason("cooperation", _cooperation_text(source_kind, m.kind, name),
                              strength=m.reasons[i].strength)


def _scaled(score: float, factor: float) -> float:
    """``score`` moved by ``factor`` (<1 lowers, >1 raises) whatever its sign: fused scores are sums of
    per-query standardised signals and may be negative, where multiplying would move the wrong way."""
    return score * factor if score >= 0 else score / factor


def _enterprise_of(obj: Model):
    label = obj._meta.label
    if label == "orgs.Enterprise":
        return obj
    if label in ("demands.Demand", "challenges.Challenge"):
        return obj.enterprise  # a challenge's enterprise is its demand's (None on a 政府榜)
    return None


@dataclass
class InstitutionMatch:
    id: str
    kind: str
    obj: Model
    score: float
    members: list[Match]
    rank: int = 0
    flags: list[str] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        return record_url(self.obj)

    @property
    def reasons(self) -> list[Reason]:
        experts = [m for m in self.members if m.kind == "expert"]
        ach = [m for m in self.members if m.kind == "achievement"]
        text = _("%(e)d related expert(s), %(a)d related achievement(s): %(names)s") % {
            "e": len(experts), "a": len(ach), "names": "、".join(str(m.obj) for m in self.members[:3])}
        terms = tuple(dict.fromkeys(t for m in self.members for t in m.terms))[:5]
        out = [Reason("aggregate", text)]
        if terms:
            out.append(Reason("terms", "共同关键词：" + "、".join(terms), terms))
        return out

    @property
    def parts_norm(self) -> dict[str, float | None]:
        return self.members[0].parts_norm if self.members else {"bm25": 0.0, "dense": None, "structured": 0.0}

    @property
    def features(self) -> dict[str, float]:
        return self.members[0].features if self.members else {}

    snippet = ""


def _institutions(*, user, obj: Model, k: int, inactive: bool | None = None,
                  prepared: tuple[Query, str] | None = None) -> list[InstitutionMatch]:
    """Institutions ranked by their best related experts and achievements: best + ½ · the next two."""
    members: dict[int, list[Match]] = defaultdict(list)
    for kind in ("expert", "achievement"):
        for m in recommend(user=user, obj=obj, target_kind=kind, k=4 * k, inactive=inactive, prepared=prepared,
                           shown=False):
            if m.obj.institution_id:
                members[m.obj.institution_id].append(m)
    visible = {i.pk: i for i in core_selectors.visible_queryset(Institution, user).filter(pk__in=list(members))}
    out = []
    for pk, ms in members.items():
        if pk not in visible:
            continue
        ms.sort(key=lambda m: -m.score)
        score = ms[0].score + 0.5 * sum(m.score for m in ms[1:3])
        out.append(InstitutionMatch(id=f"institution:{pk}", kind="institution", obj=visible[pk], score=score,
                                    members=ms))
    out.sort(key=lambda m: (-m.score, m.id))
    for i, m in enumerate(out[:k], start=1):
        m.rank = i
    return out[:k]


def search(*, user, text: str, kinds: list[str] | None = None, industry: str = "", region: str = "",
           field_: str = "", k: int = 20) -> list[Match]:
    """Search across supply (achievements, patents, experts, carriers) with structured filters."""
    kinds = [x for x in (kinds or SUPPLY) if x in SUPPLY] or list(SUPPLY)
    if not text.strip():
        return []
    idx = store.get_index()

    def keep(r, _obj) -> bool:
        rec = idx.get(r.id)
        if industry and not (rec.industry or "").lstrip("ABCDEFGHIJKLMNOPQRST").startswith(industry.lstrip("ABCDEFGHIJKLMNOPQRST")):
            return False
        if region and not (rec.region or "").startswith(region):
            return False
        return not field_ or field_ in (rec.field or "")

    query = Query(text=text, industry=industry or None, region=region or None, field=field_ or None)
    out: list[Match] = []
    for kind in kinds:
        ranked = _ranked(user, query, kind, k, exclude=[], weights=Weights(), keep=keep)
        norm = _normalise_parts([r for r, _o in ranked])
        out += [Match(id=r.id, kind=r.kind, obj=o, score=r.score, reasons=list(r.reasons), parts_norm=norm[r.id],
                      features=dict(r.parts.features)) for r, o in ranked]
    out.sort(key=lambda m: (-m.score, m.id))
    out = out[:k]
    for i, m in enumerate(out, start=1):
        m.rank = i
        rec = idx.get(m.id)
        m.snippet = _snippet(rec.text or rec.title, m.terms)
    return out
