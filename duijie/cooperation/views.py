"""Cooperation pages beyond the generic registry ones: project documents (upload, download,
remove), "create a project from an intention" and the effectiveness analytics."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from duijie.cooperation import analytics, services
from duijie.cooperation.choices import DocumentKind
from duijie.cooperation.models import CooperationProject, ProjectDocument
from duijie.core import selectors
from duijie.core.audit import audit, audit_failure
from duijie.core.choices import AuditAction
from duijie.core.registry import REGISTRY, record_url
from duijie.events.choices import EventType
from duijie.events.models import Intention

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _project(request: HttpRequest, pk: int) -> CooperationProject:
    try:
        return selectors.record_get(record_type=REGISTRY["projects"], user=request.user, pk=pk)
    except CooperationProject.DoesNotExist:
        raise Http404(_("No such record, or you may not see it."))


def _document(request: HttpRequest, pk: int) -> ProjectDocument:
    """A document whose project the user may read; otherwise 404 (no hint that it exists), audited."""
    doc = selectors.visible_queryset(ProjectDocument, request.user).filter(pk=pk).first()
    if doc is None:
        audit_failure(user=request.user, action=AuditAction.DENIED, request=request,
                      object_type="cooperation.projectdocument", object_id=pk,
                      detail={"method": request.method, "path": request.path})
        raise Http404(_("No such record, or you may not see it."))
    return doc


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(record_url(project))
    if upload.size > services.max_document_bytes():  # refuse before reading it
        messages.error(request, _("The file is %(size).1f MB; the largest file accepted is %(limit).1f MB.")
                       % {"size": upload.size / 1048576, "limit": services.max_document_bytes() / 1048576})
        return redirect(record_url(project))
    kind = request.POST.get("kind", "")
    if kind not in DocumentKind.values:
        messages.error(request, _("Choose the kind of document."))
        return redirect(record_url(project))
    try:
        doc = services.document_upload(project=project, by=request.user, kind=kind, file_name=upload.name,
                                       data=upload.read(), title=request.POST.get("title", "").strip())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Uploaded “%(doc)s”.") % {"doc": doc})
    return redirect(record_url(project))


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    data = services.document_read(document=doc, by=request.user)
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(doc.file_type, "application/octet-stream"))

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(doc.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    doc = _document(request, pk)
    project = doc.project
    services.document_delete(document=doc, by=request.user)
    messages.success(request, _("Removed “%(doc)s”.") % {"doc": doc})
    return redirect(record_url(project))


class IntentionChoiceForm(forms.Form):
    intention = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Intention"),
                                       widget=forms.Select(attrs={"class": "form-select"}))
    title = forms.CharField(label=gettext_lazy("Project title"), max_length=200, required=False,
                            help_text=gettext_lazy("Leave empty to use the intention's subject."),
                            widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["intention"].queryset = (
            selectors.editable_queryset(Intention, user).filter(event__isnull=False, projects__isnull=True)
            .select_related("event", "enterprise").order_by("-signed_on"))
        self.fields["intention"].label_from_instance = lambda i: f"{i.signed_on} · {i.event} · {i.enterprise} · {i.subject}"


@login_required
def from_intention(request: HttpRequest) -> HttpResponse:
    """由意向创建项目: pick an intention signed at an event (or arrive with ?intention=<id>)."""
    if not selectors.can_create(request.user, REGISTRY["projects"]):
        raise PermissionDenied
    form = IntentionChoiceForm(request.POST or None, user=request.user,
                               initial={"intention": request.GET.get("intention")})
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_from_intention(intention=form.cleaned_data["intention"], by=request.user,
                                                      title=form.cleaned_data["title"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Project “%(project)s” created from the intention.") % {"project": project})
            return redirect(record_url(project))
    return render(request, "cooperation/from_intention.html", {"form": form, "rt": REGISTRY["projects"]})


def _filters(request: HttpRequest) -> tuple[dict, dict]:
    def day(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    event_type = request.GET.get("event_type", "")
    filters = {"date_from": day("from"), "date_to": day("to"),
               "event_type": event_type if event_type in EventType.values else ""}
    granularity = "quarter" if request.GET.get("by") == "quarter" else "month"
    return filters, {"granularity": granularity, "event_types": EventType.choices}


@login_required
def effect(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_government", False):
        raise PermissionDenied
    filters, extra = _filters(request)
    data = analytics.report(request.user, granularity=extra["granularity"], **filters)
    return render(request, "cooperation/effect.html", {
        **extra, "data": data, "chart": analytics.chart_data(data), "columns": analytics.columns(),
        "totals": [(k, label, getattr(data["total"], k)) for k, label in analytics.STEPS], "filters": filters, "query": request.GET.urlencode(),
        "tables": ((_("By event"), data["events"]), (_("By event type"), data["by_type"]),
                   (_("By organiser"), data["by_organiser"]), (_("By period"), data["by_period"]))})


@login_required
def effect_export(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_government", False):
        raise PermissionDenied
    filters, extra = _filters(request)
    data = analytics.report(request.user, granularity=extra["granularity"], **filters)
    audit(user=request.user, action=AuditAction.EXPORT, object_type="cooperation.effect",
          object_repr=_("Effectiveness of events"), detail={"filters": request.GET.dict(), "rows": len(data["events"])})
    response = HttpResponse(analytics.export_xlsx(data),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="effect-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response
