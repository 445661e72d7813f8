"""Pages of matching: the 推荐匹配 panel (an htmx partial loaded after a detail page), feedback
buttons, and the search page across supply. Each view checks the source record through the core
selectors; matching's selectors scope every result."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duijie.core import selectors as core_selectors
from duijie.core.access import reach_memoized
from duijie.core.models import Industry
from duijie.core.registry import REGISTRY, record_type_for
from duijie.matching import declarations, documents, services
from duijie.matching import selectors as match_selectors
from duijie.matching.models import IrrelevantReason, Verdict
from duijie.supply.choices import AchievementField


def kind_labels() -> dict[str, str]:
    return {"expert": _("Experts"), "achievement": _("Achievements"), "patent": _("Patents"),
            "institution": _("Institutions"), "carrier": _("Carriers"), "enterprise": _("Enterprises"),
            "demand": _("Open demands")}


def source_for(user, slug: str, pk) -> object:
    """The record a panel or API call is about, if ``user`` may read it (404 otherwise: no hint)."""
    rt = REGISTRY.get(slug)
    if rt is None or declarations.for_model(rt.model) is None:
        raise Http404
    try:
        return core_selectors.record_get(record_type=rt, user=user, pk=pk)
    except (rt.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@require_GET
@reach_memoized
def panel(request: HttpRequest, slug: str, pk) -> HttpResponse:
    obj = source_for(request.user, slug, pk)
    decl = declarations.for_model(obj)
    source = documents.record_id(decl.kind, obj.pk)
    labels = kind_labels()
    only = request.GET.get("kind")
    sections, shown = [], []
    # Decided once for the panel, not once per section: whether the record is inactive, and its query.
    inactive = decl.is_inactive(obj)
    prepared = None if inactive else match_selectors.source_query(obj)
    kinds = [kind for kind in match_selectors.TARGETS.get(decl.kind, ()) if not inactive and (not only or kind == only)]
    found = {}
    with match_selectors.recommend_memo():
        # the institutions first: they rank more experts and achievements than those sections show, so
        # those sections then find their records already read (the order shown stays the declared one)
        for kind in sorted(kinds, key=lambda kind: kind != "institution"):
            found[kind] = match_selectors.recommend(user=request.user, obj=obj, target_kind=kind, k=5,
                                                    inactive=False, prepared=prepared)
    for kind in kinds:
        shown += found[kind]
        sections.append({"kind": kind, "label": labels[kind], "matches": found[kind]})
    services.impressions_log(user=request.user, source=source, matches=shown)  # one insert per panel
    return render(request, "matching/partials/panel.html", {
        "sections": sections, "source": source, "reasons": IrrelevantReason.choices,
        # the options of every result's "not relevant" menu, built once and not once per result
        "reason_options": format_html_join("", '<option value="{}">{}</option>', IrrelevantReason.choices),
        "inactive": inactive})


@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    source, target = request.POST.get("source", ""), request.POST.get("target", "")
    verdict, reason = request.POST.get("verdict", ""), request.POST.get("reason", "")
    skind, spk = documents.parse_id(source)
    decl = declarations.by_kind().get(skind)
    if decl is None or verdict not in Verdict.values or (reason and reason not in IrrelevantReason.values) \
            or not target:
        return HttpResponse(status=400)

    rt = record_type_for(decl.model)
    source_for(request.user, rt.slug, spk)  # the user must be able to read the source
    if not request.user.is_authenticated:
        raise PermissionDenied
    fb = services.feedback_record(user=request.user, source=source, target=target, verdict=verdict, reason=reason)
    return render(request, "matching/partials/feedback_done.html", {"fb": fb})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    kinds = [k for k in request.GET.getlist("kind") if k in match_selectors.SUPPLY]
    industry = request.GET.get("industry", "").strip()
    region = request.GET.get("region", "").strip()
    field = request.GET.get("field", "").strip()
    results = match_selectors.search(user=request.user, text=q, kinds=kinds, industry=industry, region=region,
                                     field_=field) if q else []
    labels = kind_labels()
    industry_name = Industry.objects.filter(code=industry).values_list("name", flat=True).first() if industry else ""
    return render(request, "matching/search.html", {
        "q": q, "kinds": kinds, "industry": industry, "industry_name": industry_name, "region": region,
        "field": field, "results": results, "kind_choices": [(k, labels[k]) for k in match_selectors.SUPPLY],
        "field_choices": AchievementField.values,
    })
