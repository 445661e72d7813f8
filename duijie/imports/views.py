"""Import pages: template download, upload → preview (dry run) → confirm → result, and history.
Views only present; the engine and services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core import selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import REGISTRY
from duijie.imports import layouts, progress, readers, services, sheets
from duijie.imports import selectors as job_selectors
from duijie.imports.forms import UploadForm
from duijie.imports.kinds import BY_SLUG, KINDS
from duijie.imports.models import ImportJob, ImportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_import(user, kind) -> bool:
    if kind.city_admin_only:
        return bool(getattr(user, "is_city_admin", False))
    return selectors.can_create(user, REGISTRY[kind.slug])


def _kind_for(request: HttpRequest, slug: str):
    kind = BY_SLUG.get(slug)
    if kind is None:
        raise Http404(slug)
    if not _may_import(request.user, kind):
        raise PermissionDenied
    return kind


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _job(request: HttpRequest, pk: int) -> ImportJob:
    try:
        return job_selectors.import_job_get(user=request.user, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404(_("No such import, or you may not see it."))


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    """A job the user may act on (confirm, run again, cancel): only the one who uploaded it."""
    obj = _job(request, pk)
    if obj.user_id != request.user.pk:
        raise PermissionDenied
    return obj


@login_required
def history(request: HttpRequest) -> HttpResponse:
    services.sweep_stale()
    page = Paginator(job_selectors.import_job_list(user=request.user), 50).get_page(request.GET.get("page"))
    kinds = [(k, REGISTRY[k.slug]) for k in KINDS.values() if _may_import(request.user, k) and not k.table]
    tables = [k for k in KINDS.values() if k.table and _may_import(request.user, k)]
    page.object_list = list(page.object_list)
    for job in page.object_list:
        job.snap = progress.read(job) if job.running else None  # running jobs show their progress
    return render(request, "imports/history.html", {"page": page, "kinds": kinds, "tables": tables})


@login_required
def template(request: HttpRequest, slug: str) -> HttpResponse:
    if slug == "targets":
        return redirect("imports:table_sample", "annex3")
    kind = _kind_for(request, slug)
    return _xlsx(sheets.template_xlsx(kind), f"{slug}-template.xlsx")


@login_required
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    if slug == "targets":
        return redirect("imports:table_upload", "annex3")
    kind = _kind_for(request, slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    forms = layouts.for_kind(kind.name)
    if forms:  # official forms (the Annex-1 Word form …) are uploaded here too
        extra = sorted({ext for layout in forms for ext in layout.extensions} - {".xlsx"})
        form.fields["file"].widget.attrs["accept"] += "," + ",".join(extra)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            job = services.job_start(user=request.user, kind=kind, file_name=f.name, data=f.read())
        except readers.FileProblem as exc:  # refused before anything was stored
            form.add_error("file", str(exc))
        else:
            return redirect("imports:job", pk=job.pk)
    return render(request, "imports/upload.html", {
        "kind": kind, "rt": REGISTRY[slug], "form": form, "max_mb": services.max_bytes() / 1048576,
        "background_rows": services.background_rows(),
        "sqlite": connection.vendor == "sqlite", "layouts": forms,
    }, status=400 if request.method == "POST" else 200)


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    services.sweep_stale()  # a stopped run shows as interrupted, with a button to run it again
    obj = _job(request, pk)
    rows = obj.preview
    if request.GET.get("only") == "errors":
        rows = [r for r in rows if r[1] == "error"]
    page = Paginator(rows, 200).get_page(request.GET.get("page"))
    kind = KINDS[obj.kind]
    file_errors = [e for e in obj.error_rows if e[0] is None]
    return render(request, "imports/job.html", {
        "job": obj, "kind": kind, "rt": REGISTRY[kind.slug], "page": page, "file_errors": file_errors,
        "can_confirm": obj.status == ImportStatus.PREVIEWED and obj.user_id == request.user.pk,
        "only_errors": request.GET.get("only") == "errors", "shown": len(obj.preview),
        "total": obj.new + obj.updated + obj.unchanged + obj.errors - len(file_errors),
        "snap": progress.read(obj) if obj.running else None, "sqlite": connection.vendor == "sqlite",
        "can_retry": obj.user_id == request.user.pk and services.can_retry(obj),
    })


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the job page (and the history page) polls; once the job has finished it
    asks htmx to reload the page, which then shows the outcome."""
    services.sweep_stale()
    obj = _job(request, pk)
    response = render(request, "imports/partials/progress.html", {
        "job": obj, "snap": progress.read(obj) if obj.running else None, "compact": bool(request.GET.get("compact")),
        "sqlite": connection.vendor == "sqlite"})
    if not obj.running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_job(request, pk)
    try:
        result = services.job_confirm(job=obj, user=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("imports:job", pk=obj.pk)
    if result is None:
        messages.info(request, _("Confirmed: the background worker is writing the rows."))
    elif result.committed:
        c = result.counts
        messages.success(request, _("Imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.") % c)
    else:
        messages.error(request, _("Nothing was written: the file has problems (see below)."))
    return redirect("imports:job", pk=obj.pk)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_job(request, pk)
    try:
        services.job_retry(job=obj)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("Queued again: the background worker will pick it up."))
    return redirect("imports:job", pk=obj.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _own_job(request, pk)
    services.job_cancel(job=obj)
    return redirect("imports:history")


@login_required
def errors(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _job(request, pk)
    return _xlsx(sheets.error_report_xlsx(obj.error_rows, _("Errors")), f"import-{obj.pk}-errors.xlsx")


# ---------------------------------------------------------------- official forms

def _layout(name: str, fmt: str) -> layouts.Layout:
    layout = layouts.LAYOUTS.get(name)
    if layout is None or fmt not in layout.formats:
        raise Http404(name)
    return layout


def _download(data: bytes, fmt: str, file_name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=layouts.FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response


@login_required
def form_blank(request: HttpRequest, layout: str, fmt: str) -> HttpResponse:
    """The empty official form offices fill in (no data in it: any signed-in user)."""
    lay = _layout(layout, fmt)
    return _download(lay.blank(fmt), fmt, f"{lay.title}.{fmt}")


@login_required
def form_export(request: HttpRequest, layout: str, fmt: str, pk: int) -> HttpResponse:
    """One record as its official form, filled in, for a user who may read the record (selectors).
    Personal data is masked as in every export; ``?full=1`` gives full values to a user who may see
    them (``selectors.personal_access`` = "reveal": the record's own party, government in scope) — the
    detail page offers it after the audited "show full" action. Every download is audited."""
    lay = _layout(layout, fmt)
    rt = REGISTRY[KINDS[lay.kind].slug]
    try:
        obj = selectors.record_get(record_type=rt, user=request.user, pk=pk)
    except rt.model.DoesNotExist:
        raise Http404(_("No such record, or you may not see it."))
    full = request.GET.get("full") == "1" and selectors.personal_access(request.user, obj) == "reveal"
    data = lay.write([obj], fmt, masked=not full)
    audit(user=request.user, action=AuditAction.EXPORT, obj=obj, request=request,
          detail={"layout": lay.name, "format": fmt, "unmasked": full})
    return _download(data, fmt, f"{lay.title}-{str(obj)[:100]}.{fmt}")


def form_links(request: HttpRequest, obj, *, layout: str) -> list[tuple[str, str]]:
    """Buttons on a record's detail page: its official form ``layout``, filled in (contributed as an
    ``Export`` in plugin.py, shown by core/views.record_detail). Once the user has taken the audited
    "show full" action on the page, the forms carry full values."""
    revealed = (request.method == "POST" and request.POST.get("reveal")
                and selectors.personal_access(request.user, obj) == "reveal")
    query = "?full=1" if revealed else ""
    return [(label, reverse("imports:form_export", args=[layout, fmt, obj.pk]) + query)
            for fmt, label in (("docx", _("Export the form (Word)")), ("xlsx", _("Export the form (Excel)")))]
