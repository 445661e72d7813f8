"""The public portal: published public demands, achievements, patents, scenarios and challenges as read-only
pages, for visitors without an account. Records come through the same selectors as everywhere
(an anonymous user sees only published, public records); contact details and personal data are
never shown here, and free text is masked."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from duijie.core import selectors
from duijie.core.pii import mask_pii
from duijie.core.registry import REGISTRY

# slug → (title field, summary field, fields shown on the detail page)
PUBLIC_TYPES = {
    "demands": ("title", "description", ("enterprise", "demand_type", "industry", "tech_field", "cooperation_mode",
                                         "budget_display", "deadline", "published_at")),
    "achievements": ("name", "introduction", ("institution", "unit_name", "field_display", "stage_display",
                                              "ip_form", "transfer_modes", "district_fit", "promotion_plan")),
    "patents": ("title", "abstract", ("application_no", "patent_type", "legal_status", "applicants", "ipc_codes",
                                      "application_date", "grant_date", "is_high_value")),
    "scenarios": ("title", "description", ("domain", "provider", "stage", "openness", "period_start", "period_end",
                                           "requirements")),
    "challenges": ("title", "problem", ("kind", "mode", "indicators", "budget_display", "deadline", "eligibility",
                                        "ip_terms", "payment_terms", "stage_display", "publicity_display")),
}
LABELS = {"budget_display": _("budget"), "stage_display": _("status"), "publicity_display": _("公示 of the decision"), "field_display": _("field (科技成果所属领域)"),
          "achievements.stage_display": _("stage (科技成果所处阶段)")}


def _public(slug: str):
    if slug not in PUBLIC_TYPES:
        raise Http404(slug)
    rt = REGISTRY[slug]
    qs = selectors.record_list(record_type=rt, user=_anonymous())
    states = getattr(rt.model, "PORTAL_STATES", None)  # e.g. closed demands stay readable, not listed
    return rt, qs if states is None else qs.filter(status__in=states)


def _anonymous():
    return AnonymousUser()  # the portal shows what the public may see, whoever is logged in


def home(request: HttpRequest) -> HttpResponse:
    sections = []
    for slug, (title, summary, _fields) in PUBLIC_TYPES.items():
        rt, qs = _public(slug)
        latest = [(obj, mask_pii(getattr(obj, summary) or "")[:120]) for obj in qs.order_by("-pk")[:5]]
        sections.append({"rt": rt, "slug": slug, "count": qs.count(), "latest": latest, "title": title})
    return render(request, "portal/home.html", {"sections": sections})


def listing(request: HttpRequest, slug: str) -> HttpResponse:
    rt, qs = _public(slug)
    title, summary, _fields = PUBLIC_TYPES[slug]
    q = request.GET.get("q", "").strip()
    if q:
        qs = rt.filterset({"q": q}, queryset=qs).qs
    page = Paginator(qs.order_by("-pk"), 20).get_page(request.GET.get("page"))
    rows = [(obj, getattr(obj, title), mask_pii(getattr(obj, summary) or "")[:200]) for obj in page]
    return render(request, "portal/list.html", {"rt": rt, "slug": slug, "page": page, "rows": rows, "q": q})


def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    rt, qs = _public(slug)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    title, summary, fields = PUBLIC_TYPES[slug]
    rows = []
    for name in fields:
        value = getattr(obj, f"get_{name}_display")() if hasattr(obj, f"get_{name}_display") else getattr(obj, name)
        if isinstance(value, list):
            value = "、".join(map(str, value))
        label = LABELS.get(f"{slug}.{name}") or LABELS.get(name) or rt.model._meta.get_field(name).verbose_name
        rows.append((label, mask_pii(value) if isinstance(value, str) else value))
    return render(request, "portal/detail.html", {"rt": rt, "slug": slug, "obj": obj, "title": getattr(obj, title),
                                                  "summary": mask_pii(getattr(obj, summary) or ""), "rows": rows})
