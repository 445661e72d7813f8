from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core.selectors import visible_queryset
from duijie.pairings import selectors
from duijie.pairings.models import Visit
from duijie.pairings.services import visit_draft_demand


@login_required
@require_POST
def draft_demand(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    visit = get_object_or_404(visible_queryset(Visit, request.user).select_related("enterprise"), pk=pk)
    try:
        demand = visit_draft_demand(visit=visit, line_no=line, by=request.user)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("registry:detail", "visits", visit.pk)
    messages.success(request, _("Draft demand “%(title)s” created; complete it and submit it for review.")
                     % {"title": demand.title})
    return redirect("registry:detail", "demands", demand.pk)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_government", False):
        raise PermissionDenied
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    return render(request, "pairings/overview.html", {
        "year": year, "years": list(range(this_year, this_year - 5, -1)),
        "ten_ten": selectors.ten_ten_summary(user=request.user, year=year),
        "placements": selectors.placement_summary(user=request.user, year=year),
        "pairings": selectors.pairing_counts(user=request.user),
    })
