"""Generic registry views: list (filter, search, sort, paginate), detail, create, edit, delete,
history, xlsx export and workflow transitions — for every record type in ``core.registry``.
Views only present: reads go through selectors, writes through services."""

from __future__ import annotations

import sys

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import server_error as default_server_error
from django_tables2 import RequestConfig

from duijie.core import plugins, selectors, services
from duijie.core.access import reach_memoized
from duijie.core.audit import audit, audit_failure, audit_hidden_probe
from duijie.core.choices import AuditAction
from duijie.core.export import export_queryset, export_xlsx, exportable_fields
from duijie.core.formatting import is_money, wan_html, without_yuan_unit
from duijie.core.forms import VERSION_FIELD, RecordForm
from duijie.core.history import SKIPPED, readable_changes
from duijie.core.masking import mask
from duijie.core.models import Grant, Park, Region
from duijie.core.pii import find_pii, mask_pii
from duijie.core.registry import REGISTRY, RecordType, personal_fields, record_url
from duijie.core.tables import build_table
from duijie.core.versioning import busy_response, is_database_busy

PAGE_SIZE = 25


def _record_type(slug: str) -> RecordType:
    try:
        return REGISTRY[slug]
    except KeyError:
        raise Http404(slug)


def _get(rt: RecordType, request: HttpRequest, pk):
    try:
        return selectors.record_get(record_type=rt, user=request.user, pk=pk)
    except (rt.model.DoesNotExist, ValueError, ValidationError):
        audit_hidden_probe(request, rt, pk)
        raise Http404(_("No such record, or you may not see it."))


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403 handler: every denied page request is recorded as a failure in the audit trail."""
    audit_failure(user=request.user, action=AuditAction.DENIED, request=request,
                  detail={"method": request.method, "path": request.path})
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """400 handler (a disallowed Host header, a malformed request): rendered without the request's
    context, since the request may have failed before the session and user were attached."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def server_error(request: HttpRequest) -> HttpResponse:
    """500 handler; a database too busy to take a write (SQLite's lock, also when it happened
    outside the view) is a 503 with Retry-After instead: nothing was written, sending again works."""
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    return default_server_error(request)


def _filtered(rt: RecordType, request: HttpRequest):
    """The user's records of this type under the request's filters (list page and export alike);
    an invalid filter matches nothing, never everything."""
    base = selectors.record_list(record_type=rt, user=request.user)
    filterset = rt.filterset(request.GET or None, queryset=base, request=request)
    if not filterset.is_bound:
        return filterset, base
    return filterset, filterset.qs if filterset.is_valid() else base.none()


@reach_memoized
def record_list(request: HttpRequest, slug: str) -> HttpResponse:
    rt = _record_type(slug)
    filterset, qs = _filtered(rt, request)
    table = build_table(rt)(qs)
    RequestConfig(request, paginate={"per_page": PAGE_SIZE}).configure(table)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    can_create = selectors.can_create(request.user, rt)
    # The import kind some app contributed for this type (imports): its template and upload links.
    kind = plugins.import_kind_for(rt.slug)
    can_import = kind is not None and (getattr(request.user, "is_city_admin", False) if kind.city_admin_only
                                       else can_create)
    return render(request, "core/record_list.html", {
        "rt": rt, "filter": filterset, "table": table, "query": query.urlencode(),
        "can_create": can_create, "can_import": can_import,
        "export_fields": exportable_fields(rt),
        "filtered": any(v for k, v in request.GET.items() if k not in {"page", "sort"}),
    })


def _field_rows(rt: RecordType, obj, user, show_full: bool) -> list[tuple[str, object, str | None]]:
    masked = personal_fields(rt.model)
    rows = []
    skip = {"id", "organisation"} | set(rt.detail_exclude)
    # The record's own fields first, then scope and bookkeeping fields.
    tail = ["owner_org", "region", "park", "visibility", "filed_by", "filed_by_org", "created_at", "updated_at",
            "version"]
    fields = sorted(rt.model._meta.concrete_fields, key=lambda f: tail.index(f.name) + 1 if f.name in tail else 0)
    for f in fields:
        if f.name in skip or f.name.endswith("_hash"):
            continue
        if f.choices:
            value = getattr(obj, f"get_{f.name}_display")()
        else:
            value = getattr(obj, f.name)
        link = None
        if f.is_relation and value is not None:
            link = record_url(value)
        if f.name in masked and not show_full:
            value = mask(value, masked[f.name])
        elif isinstance(value, str) and not show_full:
            value = mask_pii(value)
        if isinstance(value, list):
            value = "、".join(map(str, value))
        label = f.verbose_name
        if is_money(f) and value is not None:
            value, label = wan_html(value), without_yuan_unit(label)
        rows.append((label, value, link))
    for f in rt.model._meta.many_to_many:
        items = list(getattr(obj, f.name).all()[:50])
        rows.append((f.verbose_name, items or None, None))
    return rows


@reach_memoized
def record_detail(request: HttpRequest, slug: str, pk) -> HttpResponse:
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    access = selectors.personal_access(request.user, obj) if personal_fields(rt.model) else "none"
    revealed = False
    if request.method == "POST" and request.POST.get("reveal") and access == "reveal":
        # "Show full" personal data is an audited action (field names only in the entry).
        audit(user=request.user, action=AuditAction.REVEAL, obj=obj,
              detail={"fields": sorted(personal_fields(rt.model))})
        revealed = True
    elif request.method == "POST":
        raise PermissionDenied
    related = []
    for rel in rt.related:
        rrt = REGISTRY[rel.slug]
        rqs = selectors.record_list(record_type=rrt, user=request.user).filter(**{rel.lookup: obj.pk})
        table = build_table(rrt)(rqs[:20], orderable=False)
        add_url = None
        if "__" not in rel.lookup and rrt.form is not None and rel.lookup in rrt.form.base_fields \
                and selectors.can_create(request.user, rrt):
            add_url = f"{rrt.url('add')}?{rel.lookup}={obj.pk}"
        related.append({"rel": rel, "rt": rrt, "table": table, "count": rqs.count(), "add_url": add_url,
                        "url": f"{rrt.url()}?{rel.lookup}={obj.pk}"})
    can_edit = selectors.can_edit(request.user, obj) and not rt.reference_only
    transitions = []
    if hasattr(obj, "status"):
        for t in rt.transitions:
            if obj.status in t.sources and can_edit and (not t.admin_only or selectors.can_review(request.user, obj)):
                transitions.append(t)
    warnings = obj.uscc_warnings() if hasattr(obj, "uscc_warnings") else []
    warnings += obj.record_warnings() if hasattr(obj, "record_warnings") else []  # e.g. an expiring certificate
    grants = None
    if can_edit and getattr(obj, "visibility", None) not in (None, "classified"):
        grants = list(Grant.objects.filter(content_type=ContentType.objects.get_for_model(rt.model), object_id=obj.pk)
                      .select_related("user"))
    context = {
        "rt": rt, "obj": obj, "rows": _field_rows(rt, obj, request.user, revealed),
        "related": related, "can_reveal": access == "reveal" and not revealed, "revealed": revealed,
        "can_edit": can_edit, "can_delete": can_edit and selectors.can_delete(request.user, obj),
        "transitions": transitions, "warnings": warnings,
        "has_history": hasattr(obj, "history"), "grants": grants,
        # Buttons other apps contribute for this type (imports: the filled official form; cooperation:
        # an intention's projects) and their htmx panels (matching: 推荐匹配), asked of core/plugins.
        "detail_links": plugins.detail_links(rt.slug, request, obj),
        "panel_urls": plugins.detail_panel_urls(rt, obj.pk),
    }
    # A type may add panels of its own (e.g. a project's documents): detail_context returns more
    # context, with "panel_template" the template included above the related lists.
    if rt.detail_context is not None:
        context.update(rt.detail_context(request, obj, can_edit))
    return render(request, "core/record_detail.html", context)


def _save_form(request: HttpRequest, rt: RecordType, form, instance=None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    obj = form.save(commit=False)
    try:
        obj = services.record_save(instance=obj, by=request.user, m2m=form.m2m_data)
    except services.StaleRecord as exc:
        return _conflict_page(request, rt, form, exc)
    except PermissionDenied as exc:
        audit_failure(user=request.user, action=AuditAction.DENIED, request=request,
                      object_type=rt.model._meta.label_lower, object_id=instance.pk if instance else "",
                      detail={"method": request.method, "path": request.path, "reason": "scope"})
        form.add_error(None, str(exc) or _("You may not do this."))
        return None
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            form.add_error(None, exc.messages)
        return None
    messages.success(request, _("Saved “%(obj)s”.") % {"obj": obj})
    _warn_free_text_pii(request, form)
    for warning in obj.uscc_warnings() if hasattr(obj, "uscc_warnings") else []:
        messages.warning(request, warning)
    return redirect(record_url(obj))


def _display(model, name: str, value, masked: dict[str, str]) -> str:
    """One field's value as the conflict page shows it: choices by label, links by name, lists
    joined, personal data masked (also phones typed into free text)."""
    if name in masked:
        return mask(value, masked[name]) if value else ""
    try:
        db_field = model._meta.get_field(name)
    except Exception:
        db_field = None
    if hasattr(value, "all") and callable(value.all):
        value = list(value.all())
    if isinstance(value, (list, tuple, set)):
        return "、".join(sorted(str(v) for v in value))
    if value is None or value == "":
        return ""
    if db_field is not None and db_field.choices:
        value = dict(db_field.flatchoices).get(value, value)
    return mask_pii(str(value))


def _comparable(value):
    if hasattr(value, "all") and callable(value.all):
        value = list(value.all())
    if isinstance(value, (list, tuple, set)):
        return sorted(getattr(v, "pk", v) for v in value)
    if value in (None, ""):
        return None
    return getattr(value, "pk", value)


def _conflict_page(request: HttpRequest, rt: RecordType, form, exc) -> HttpResponse:
    """Someone saved the record after this user opened the form: nothing is written. Show the user's
    values beside the stored ones (differing fields highlighted, personal data masked) and let
    them reload the stored version to edit it again."""
    stored = rt.model._default_manager.filter(pk=exc.pk).first()
    if stored is not None and not selectors.can_edit(request.user, stored):
        stored = None  # it left the user's scope meanwhile: show no stored values
    masked = personal_fields(rt.model)
    rows = []
    for name, field in form.fields.items():
        if name == VERSION_FIELD or name not in form.cleaned_data:
            continue
        mine = form.cleaned_data[name]
        theirs = getattr(stored, name, None) if stored is not None else None
        rows.append({"label": field.label, "mine": _display(rt.model, name, mine, masked),
                     "theirs": _display(rt.model, name, theirs, masked) if stored is not None else "",
                     "differs": stored is not None and _comparable(mine) != _comparable(theirs)})
    return render(request, "core/record_conflict.html", {
        "rt": rt, "obj": stored, "pk": exc.pk, "rows": rows, "message": exc.messages[0],
        "mine_version": exc.expected, "stored_version": exc.current,
        "differing": sum(1 for r in rows if r["differs"]),
    }, status=409)


def _warn_free_text_pii(request: HttpRequest, form) -> None:
    labels = {"phone": _("phone number"), "id_number": _("ID number")}
    personal = set(personal_fields(form._meta.model))
    for name, value in form.cleaned_data.items():
        if name in personal or not isinstance(value, str):
            continue
        kinds = find_pii(value)
        if kinds:
            messages.warning(request, _("“%(field)s” contains what looks like a %(kinds)s; it is masked wherever "
                                        "the text is shown. Use the contact fields for personal data.")
                             % {"field": form.fields[name].label, "kinds": "、".join(str(labels[k]) for k in kinds)})


def _user_kwarg(form_class, request) -> dict:
    """Registry forms (``RecordForm``) limit their record dropdowns to what the user may see."""
    return {"user": request.user} if issubclass(form_class, RecordForm) else {}


@reach_memoized
def record_create(request: HttpRequest, slug: str) -> HttpResponse:
    rt = _record_type(slug)
    form_class = rt.form_for(request.user)
    if form_class is None or not selectors.can_create(request.user, rt):
        raise PermissionDenied
    form = form_class(request.POST or None, initial=request.GET.dict() if request.method == "GET" else None,
                      **_user_kwarg(form_class, request))
    if request.method == "POST":
        response = _save_form(request, rt, form)
        if response:
            return response
    return render(request, "core/record_form.html", {"rt": rt, "form": form, "obj": None}, status=200)


@reach_memoized
def record_edit(request: HttpRequest, slug: str, pk) -> HttpResponse:
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    form_class = rt.form_for(request.user)
    if form_class is None or rt.reference_only or not selectors.can_edit(request.user, obj):
        raise PermissionDenied
    form = form_class(request.POST or None, instance=obj, **_user_kwarg(form_class, request))
    if request.method == "POST":
        response = _save_form(request, rt, form, obj)
        if response:
            return response
    return render(request, "core/record_form.html", {"rt": rt, "form": form, "obj": obj})


PICK_RESULTS = 50
# The names a picker searches by, where the target model has them (records, regions, industries, accounts).
PICK_SEARCH_FIELDS = ("name", "short_name", "title", "code", "uscc", "username")


@reach_memoized
@require_GET
def record_pick(request: HttpRequest, slug: str, pk=None) -> JsonResponse:
    """The options of one big dropdown of a registry form (core.forms.RemoteChoices), searched: the
    form this user would be shown (add form, or with ``pk`` the edit form of that record) is built,
    and the field's own queryset — already narrowed to the user's scope and the organisations they
    may file for — is searched, so the picker offers exactly what the form accepts. ``q`` searches
    names and codes; ``within`` (a region code) narrows regions to a city's or district's places and
    ``level`` to cities (2) or districts (3); ``region`` narrows parks to a district's."""
    rt = _record_type(slug)
    form_class = rt.form_for(request.user)
    if form_class is None or not issubclass(form_class, RecordForm):
        raise Http404
    if pk is None:
        if not selectors.can_create(request.user, rt):
            raise PermissionDenied
        form = form_class(user=request.user)
    else:
        obj = _get(rt, request, pk)
        if rt.reference_only or not selectors.can_edit(request.user, obj):
            raise PermissionDenied
        form = form_class(instance=obj, user=request.user)
    field = form.fields.get(request.GET.get("field", ""))
    if not isinstance(field, ModelChoiceField) or field.disabled:
        raise Http404
    qs = field.queryset
    model = qs.model
    names = {f.name for f in model._meta.concrete_fields}
    searched = [n for n in PICK_SEARCH_FIELDS if n in names]
    for term in request.GET.get("q", "").split()[:8]:
        cond = Q()
        for name in searched:
            cond |= Q(**{f"{name}__icontains": term})
        qs = qs.filter(cond)
    within, level, region = (request.GET.get(k, "").strip() for k in ("within", "level", "region"))
    if model is Region:
        if within:
            qs = qs.filter(code__startswith=within)
        if level.isdigit():
            qs = qs.filter(level=int(level))
    elif region and "region" in names:
        qs = qs.filter(Q(region__isnull=True) | Q(region__code__startswith=region[:6]))
    if model is Park:
        qs = qs.select_related("region")
    rows = list(qs[:PICK_RESULTS + 1])
    results = []
    for obj in rows[:PICK_RESULTS]:
        item: dict = {"id": obj.pk, "text": field.label_from_instance(obj)}
        if model is Region:
            item.update(code=obj.code, level=obj.level)
        elif model is Park and obj.region_id:
            item["region"] = obj.region.code
        results.append(item)
    return JsonResponse({"results": results, "more": len(rows) > PICK_RESULTS})


def record_delete(request: HttpRequest, slug: str, pk) -> HttpResponse:
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    if rt.reference_only or not selectors.can_delete(request.user, obj):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.record_delete(instance=obj, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(record_url(obj))
        messages.success(request, _("Deleted “%(obj)s”.") % {"obj": obj})
        return redirect(rt.url())
    return render(request, "core/record_delete.html", {"rt": rt, "obj": obj})


@require_POST
def record_transition(request: HttpRequest, slug: str, pk, name: str) -> HttpResponse:
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    transition = next((t for t in rt.transitions if t.name == name), None)
    if transition is None:
        raise Http404(name)
    allowed = selectors.can_edit(request.user, obj) and (
        not transition.admin_only or selectors.can_review(request.user, obj))
    try:
        services.record_transition(instance=obj, transition=transition, by=request.user,
                                   reason=request.POST.get("reason", ""), allowed=allowed)
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(action)s: done.") % {"action": transition.label})
    return redirect(record_url(obj))


def record_history(request: HttpRequest, slug: str, pk) -> HttpResponse:
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    if not hasattr(obj, "history"):
        raise Http404
    masked = personal_fields(rt.model)  # masked here; "show full" is on the detail page
    entries = []
    records = list(obj.history.select_related("history_user").order_by("-history_date")[:100])
    for i, rec in enumerate(records):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if prev is not None:
            delta = rec.diff_against(prev, excluded_fields=[n for n in SKIPPED if hasattr(rec, n)])
            changes = readable_changes(rt.model, delta.changes, masked)
        entries.append({"rec": rec, "changes": changes})
    return render(request, "core/record_history.html", {"rt": rt, "obj": obj, "entries": entries})


def record_export(request: HttpRequest, slug: str) -> HttpResponse:
    rt = _record_type(slug)
    _, qs = _filtered(rt, request)
    columns = request.GET.getlist("columns")
    data = export_xlsx(rt, export_queryset(rt, qs).iterator(chunk_size=2000), columns)
    audit(user=request.user, action=AuditAction.EXPORT, object_type=rt.model._meta.label_lower,
          object_repr=str(rt.verbose_name_plural), detail={"filters": request.GET.dict(), "rows": qs.count()})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{rt.slug}-{stamp}.xlsx"'
    return response



@require_POST
def record_grant(request: HttpRequest, slug: str, pk) -> HttpResponse:
    """Share one restricted record with a named user, or assign a technology broker to it."""
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    to_user = get_user_model().objects.filter(username=request.POST.get("username", "").strip(), is_active=True).first()
    if to_user is None:
        messages.error(request, _("No active user with that username."))
        return redirect(record_url(obj))
    try:
        services.grant_create(obj=obj, to_user=to_user, by=request.user, purpose=request.POST.get("purpose", "access"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s may now see this record.") % {"user": to_user})
    return redirect(record_url(obj))


@require_POST
def record_grant_revoke(request: HttpRequest, slug: str, pk, grant_id: int) -> HttpResponse:
    rt = _record_type(slug)
    obj = _get(rt, request, pk)
    grant = Grant.objects.filter(pk=grant_id, object_id=obj.pk).first()
    if grant is None:
        raise Http404
    services.grant_revoke(grant=grant, by=request.user)
    messages.success(request, _("Access withdrawn."))
    return redirect(record_url(obj))
