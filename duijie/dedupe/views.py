"""Duplicate review pages for city/district staff: candidate pairs, a side-by-side comparison with the
differences highlighted, and the actions merge / not a duplicate / confirm a provisional institution
as new. Views only present: reads go through ``dedupe.selectors``, writes through ``dedupe.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from duijie.core.masking import mask
from duijie.core.pii import mask_pii
from duijie.core.registry import personal_fields, record_url
from duijie.dedupe import selectors, services
from duijie.dedupe.models import DuplicateKind

SCORES = (95, 90, 85, 80, 70)


def _require_reviewer(request: HttpRequest) -> None:
    if not selectors.can_review(request.user):
        raise PermissionDenied


def _kind(value: str | None) -> str:
    return value if value in DuplicateKind.values else DuplicateKind.ENTERPRISE


def _int(value, default: int) -> int:
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return default


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    kind = _kind(request.GET.get("kind"))
    min_score = _int(request.GET.get("min_score"), 85)
    found = selectors.candidate_list(user=request.user, kind=kind, min_score=min_score)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    model = services.kind_model(kind)
    ids = {c.a for c in page} | {c.b for c in page}
    objs = model._default_manager.in_bulk(ids)
    rows = [(c, objs.get(c.a), objs.get(c.b)) for c in page]
    counts = {k: len(selectors.candidate_list(user=request.user, kind=k, min_score=min_score)) if k != kind
              else len(found) for k in DuplicateKind.values}
    return render(request, "dedupe/candidates.html", {
        "kind": kind, "kinds": [(k, label, counts[k]) for k, label in DuplicateKind.choices],
        "min_score": min_score, "scores": SCORES, "page": page, "rows": rows})


def _display(obj, f, masked: dict[str, str]) -> str:
    if f.choices:
        value = getattr(obj, f"get_{f.name}_display")()
    else:
        value = getattr(obj, f.name)
    if value is None or value == "":
        return ""
    if f.name in masked:
        return mask(value, masked[f.name])
    return mask_pii(str(value)) if isinstance(value, str) else str(value)


def _compare_rows(model, a, b) -> list[dict]:
    masked = personal_fields(model)
    rows = []
    tail = ["region", "park", "visibility"]  # the record's own fields first, then scope
    fields = sorted(services.choosable_fields(model), key=lambda f: tail.index(f.name) + 1 if f.name in tail else 0)
    for f in fields:
        va, vb = getattr(a, f.attname), getattr(b, f.attname)
        rows.append({"name": f.name, "label": f.verbose_name, "a": _display(a, f, masked),
                     "b": _display(b, f, masked), "differs": va != vb and not (va in (None, "") and vb in (None, "")),
                     "default": "b" if va in (None, "") and vb not in (None, "") else "a"})
    for f in model._meta.many_to_many:
        ia = sorted(map(str, getattr(a, f.name).all()[:30]))
        ib = sorted(map(str, getattr(b, f.name).all()[:30]))
        rows.append({"name": "", "label": f.verbose_name, "a": "、".join(ia), "b": "、".join(ib),
                     "differs": ia != ib, "union": True})
    return rows


def _references(obj) -> list[tuple[str, int]]:
    """How many rows of each kind point at the record (what a merge would move)."""
    out = []
    for rel in services.reverse_relations(type(obj)):
        owner, fk = rel.related_model, rel.field
        n = owner._base_manager.filter(**{fk.name: obj.pk}).count()
        if n:
            out.append((f"{owner._meta.verbose_name}（{fk.verbose_name}）", n))
    return out


@login_required
def compare(request: HttpRequest, kind: str, a: int, b: int) -> HttpResponse:
    _require_reviewer(request)
    if kind not in DuplicateKind.values or a == b:
        raise Http404(kind)
    model = services.kind_model(kind)
    try:
        first, second = selectors.pair_get(user=request.user, kind=kind, a=a, b=b)
    except model.DoesNotExist:
        raise Http404(_("No such record, or you may not see it."))
    back = reverse("dedupe:candidates") + f"?kind={kind}"
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "merge":
                keep, drop = (first, second) if request.POST.get("keep") != "b" else (second, first)
                choices = {}
                for f in services.choosable_fields(model):
                    side = request.POST.get(f"field_{f.name}")
                    if side in {"a", "b"}:
                        chosen = first if side == "a" else second
                        choices[f.name] = "keep" if chosen is keep else "drop"
                merge = services.record_merge(keep=keep, drop=drop, by=request.user, field_choices=choices)
                messages.success(request, _("Merged “%(dropped)s” into “%(kept)s”.")
                                 % {"dropped": merge.dropped_repr, "kept": merge.kept_repr})
                return redirect(reverse("dedupe:merge", args=[merge.pk]))
            if action == "not_duplicate":
                services.not_duplicate_mark(kind=kind, first=first, second=second, by=request.user)
                messages.success(request, _("Noted: these two records are not duplicates; the pair is no longer listed."))
                return redirect(back)
            if action == "confirm_new" and kind == DuplicateKind.INSTITUTION:
                target = {str(first.pk): first, str(second.pk): second}.get(request.POST.get("institution", ""))
                if target is None:
                    raise ValidationError(_("Choose which institution to confirm."))
                services.institution_confirm_new(institution=target, by=request.user)
                messages.success(request, _("“%(name)s” is confirmed as a new institution.") % {"name": target})
                return redirect(back)
            raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
    pair = selectors.pair_reasons(kind=kind, first=first, second=second)
    return render(request, "dedupe/compare.html", {
        "kind": kind, "kind_label": DuplicateKind(kind).label, "a": first, "b": second, "pair": pair,
        "rows": _compare_rows(model, first, second), "back": back,
        "a_url": record_url(first), "b_url": record_url(second),
        "a_refs": _references(first), "b_refs": _references(second),
        "confirmable": [o for o in (first, second) if getattr(o, "is_provisional", False)],
    })


@login_required
def merges(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request)
    page = Paginator(selectors.merge_list(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "dedupe/merges.html", {"page": page})


@login_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reviewer(request)
    try:
        m = selectors.merge_list(user=request.user).get(pk=pk)
    except Exception:
        raise Http404(_("No such merge, or you may not see it."))
    model = services.kind_model(m.kind)
    kept = model._default_manager.filter(pk=m.kept_id).first()
    history = model.history.filter(id=m.dropped_id).order_by("-history_date")[:50]
    return render(request, "dedupe/merge.html", {"m": m, "kept": kept, "kept_url": record_url(kept) if kept else None,
                                                 "dropped_history": history})
