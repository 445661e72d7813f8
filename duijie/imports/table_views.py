"""Pages of the official target tables (Annex 2 / Annex 3): upload for a chosen programme (then the
ordinary job page: preview, confirm), the sample generated from the seed, and a programme's table
exported with the live figures — scoped to the reader, every download audited."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duijie.core import selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import REGISTRY
from duijie.imports import layouts, readers, services
from duijie.imports.forms import UploadForm
from duijie.imports.kinds import TABLES
from duijie.imports.tables import export, samples


class TableUploadForm(UploadForm):
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [(p.code, f"{p.name}（{p.code}）") for p in programmes]
        self.fields["file"].label = gettext_lazy("Table (.xlsx, as printed or as exported)")
        self.fields["file"].widget.attrs["accept"] = ".xlsx"


def _programmes(user):
    return selectors.record_list(record_type=REGISTRY["programmes"], user=user).order_by("-period_start", "code")


def _table(request: HttpRequest, name: str):
    kind = TABLES.get(name)
    if kind is None:
        raise Http404(name)
    if not selectors.can_create(request.user, REGISTRY[kind.slug]):
        raise PermissionDenied
    return kind


@login_required
def table_upload(request: HttpRequest, name: str) -> HttpResponse:
    kind = _table(request, name)
    form = TableUploadForm(request.POST or None, request.FILES or None, programmes=_programmes(request.user),
                           initial={"programme": request.GET.get("programme", "")})
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            job = services.job_start(user=request.user, kind=kind, file_name=f.name, data=f.read(),
                                     options={"programme": form.cleaned_data["programme"]})
        except readers.FileProblem as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:job", pk=job.pk)
    return render(request, "imports/table_upload.html", {
        "kind": kind, "rt": REGISTRY[kind.slug], "form": form, "max_mb": services.max_bytes() / 1048576,
        "sqlite": connection.vendor == "sqlite", "tables": TABLES.values(),
        "has_sample": samples.path(name).exists(),
    }, status=400 if request.method == "POST" else 200)


@login_required
def table_sample(request: HttpRequest, name: str) -> FileResponse:
    """The table as seed 001 prints it (generated from the seed's text), to fill in or import."""
    if name not in TABLES or not samples.path(name).exists():
        raise Http404(name)
    return FileResponse(samples.path(name).open("rb"), as_attachment=True, filename=samples.NAMES[name],
                        content_type=layouts.FORMATS["xlsx"])


@login_required
def table_export(request: HttpRequest, name: str, code: str) -> HttpResponse:
    """The programme's table with a 完成 column beside each target: only the rows the reader may read."""
    if name not in TABLES:
        raise Http404(name)
    if not getattr(request.user, "is_government", False):
        raise PermissionDenied
    programme = _programmes(request.user).filter(code=code).first()
    if programme is None:
        raise Http404(code)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else None
    data, rows = export.export_table(name, programme, request.user, year=year, today=timezone.localdate())
    audit(user=request.user, action=AuditAction.EXPORT, obj=programme, request=request,
          detail={"table": name, "year": year, "rows": rows})
    response = HttpResponse(data, content_type=layouts.FORMATS["xlsx"])
    suffix = f"-{year}" if year else ""
    response["Content-Disposition"] = content_disposition_header(True, f"{programme.code}-{name}{suffix}.xlsx")
    return response


def table_links(request: HttpRequest, obj) -> list[tuple[str, str]]:
    """Buttons on a programme's pages (contributed as an ``Export`` for record type programmes): its
    Annex 2 and, per year of its yearly targets, Annex 3, with the live figures, and the tables' import
    for this programme; government roles only."""
    if not getattr(request.user, "is_government", False):
        return []
    links = [(_("Export Annex 2 (Excel)"), reverse("imports:table_export", args=["annex2", obj.code]))]
    for year in export.years(request.user, obj):
        links.append((_("Export Annex 3 %(year)d (Excel)") % {"year": year},
                      reverse("imports:table_export", args=["annex3", obj.code]) + f"?year={year}"))
    if selectors.can_create(request.user, REGISTRY["targets"]):
        links.append((_("Import a target table"),
                      reverse("imports:table_upload", args=["annex3"]) + f"?programme={obj.code}"))
    return links
