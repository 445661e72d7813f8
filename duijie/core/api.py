"""REST API: one ModelViewSet per record type, sharing selectors, FilterSets and services with
the UI. Serializers validate (model ``clean()`` included); services write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from duijie.core import selectors, services, versioning
from duijie.core.audit import audit, audit_failure, audit_hidden_probe
from duijie.core.choices import AuditAction
from duijie.core.forms import limit_parents, limit_scope_fields, limit_to_visible
from duijie.core.masking import looks_masked, mask
from duijie.core.pii import mask_pii
from duijie.core.registry import RecordType, personal_fields


def exception_handler(exc, context):
    if isinstance(exc, (services.StaleRecord, versioning.Precondition)):  # If-Match missing/stale: 428/412/409
        return versioning.response_for(exc, context.get("request"))
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.PermissionDenied):
        request = context.get("request")
        view = context.get("view")
        audit_failure(user=getattr(request, "user", None), action=AuditAction.DENIED, request=request,
                      object_type=getattr(getattr(view, "record_type", None), "slug", ""),
                      object_id=(context.get("kwargs") or {}).get("pk", ""),
                      detail={"method": getattr(request, "method", ""), "path": getattr(request, "path", "")})
    return drf_exception_handler(exc, context)


def _unless_masked(validator):
    """Field validator that lets a masked value through (validate() then restores the stored value
    or full_clean() refuses it)."""

    def run(value):
        if not (isinstance(value, str) and looks_masked(value)):
            validator(value)

    return run


class RecordSerializer(serializers.ModelSerializer):
    """Runs the model's ``clean()`` so the API refuses what the UI refuses, with field errors.
    Personal-data fields are masked in responses for users whose role does not need them."""

    def get_fields(self):
        fields = super().get_fields()
        # A masked value sent back unchanged must not fail the phone validator before validate()
        # restores the stored value; the model's full_clean() still validates real values.
        for name in personal_fields(self.Meta.model):
            if name in fields:
                fields[name].validators = [_unless_masked(v) for v in fields[name].validators]
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # A link may only point at a record the caller may see ("does not exist" otherwise).
            writable = {n: f for n, f in fields.items() if not f.read_only}
            instance = self.instance if isinstance(self.instance, models.Model) else None
            limit_to_visible(writable, request.user, instance)
            # Scope-deciding links offer only values inside the caller's scope (core.scope); the
            # service refuses a change the caller may not make at all, naming the field.
            limit_scope_fields(writable, request.user, instance or self.Meta.model())
            # What the record is filed for (a demand's enterprise): only what the caller may file for.
            limit_parents(writable, request.user, instance or self.Meta.model())
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is not None:
            for name, kind in personal_fields(model).items():
                value = attrs.get(name)
                if value and looks_masked(value) and value == mask(getattr(self.instance, name), kind):
                    attrs[name] = getattr(self.instance, name)  # masked value came back: unchanged
        m2m_names = {f.name for f in model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in m2m_names}
        instance = self.instance or model()
        if self.instance is not None:
            # Validate a copy so a refused update leaves the loaded instance untouched.
            instance = model._default_manager.get(pk=self.instance.pk)
        for k, v in plain.items():
            setattr(instance, k, v)
        try:
            exclude = [f.name for f in model._meta.fields if f.name not in plain and self.instance is None
                       and not f.editable] + list(m2m_names)
            instance.full_clean(exclude=exclude, validate_unique=True)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        # clean() may normalise values (USCC, patent numbers): keep them.
        for k in plain:
            attrs[k] = getattr(instance, k)
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Personal data is masked in every API read; the audited `personal` action gives full values.
        # Phones/ID numbers typed into free text are masked too.
        if not self.context.get("reveal"):
            personal = personal_fields(type(instance))
            for key, value in data.items():
                if isinstance(value, str) and key not in personal:
                    data[key] = mask_pii(value)
            for name, kind in personal_fields(type(instance)).items():
                if name in data:
                    data[name] = mask(data[name], kind)
        return data


def serializer_for(model: type[models.Model], fields: list[str] | tuple[str, ...] | str = "__all__",
                   base: type[RecordSerializer] = RecordSerializer, read_only: tuple[str, ...] = ()):
    exclude_hash = [f.name for f in model._meta.concrete_fields if f.name.endswith("_hash")]
    meta_attrs: dict = {"model": model, "read_only_fields": ("id", *read_only)}
    if fields == "__all__":
        meta_attrs["exclude"] = [*exclude_hash]
    else:
        meta_attrs["fields"] = ("id", *fields)
    meta = type("Meta", (), meta_attrs)
    return type(f"{model.__name__}Serializer", (base,), {"Meta": meta})


class RecordViewSet(viewsets.ModelViewSet):
    record_type: RecordType

    def get_queryset(self):
        return selectors.record_list(record_type=self.record_type, user=self.request.user).order_by("pk")

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            audit_hidden_probe(self.request, self.record_type, self.kwargs.get(self.lookup_url_kwarg or "pk"))
            raise

    def get_serializer_class(self):
        request = getattr(self, "request", None)
        return self.record_type.serializer_for_user(getattr(request, "user", None)) or self.serializer_class

    def _m2m(self, data: dict) -> tuple[dict, dict]:
        names = {f.name for f in self.record_type.model._meta.many_to_many}
        return {k: v for k, v in data.items() if k not in names}, {k: v for k, v in data.items() if k in names}

    def create(self, request, *args, **kwargs):
        # Refuse before validating, so a role without create rights learns nothing from field errors.
        if not selectors.can_create(request.user, self.record_type):
            raise exceptions.PermissionDenied()
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        plain, m2m = self._m2m(serializer.validated_data)
        serializer.instance = services.record_save(instance=self.record_type.model(**plain), by=self.request.user,
                                                   m2m=m2m)

    # ---- versions: GET sends ETag "<pk>-<version>"; PUT/PATCH/DELETE need If-Match (core.versioning)

    def _precondition(self, instance) -> int | None:
        """Refuse a foreign record first (403), then a missing (428) or stale (412) If-Match."""
        if self.record_type.reference_only or not selectors.can_edit(self.request.user, instance):
            raise exceptions.PermissionDenied()
        return versioning.expected_version(self.request, instance)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        if tag := versioning.etag(instance):
            response["ETag"] = tag
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self._expected_version = self._precondition(instance)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        if getattr(instance, "_prefetched_objects_cache", None):
            instance._prefetched_objects_cache = {}
        response = Response(serializer.data)
        if tag := versioning.etag(serializer.instance):
            response["ETag"] = tag
        return response

    def perform_update(self, serializer):
        instance = serializer.instance
        if self.record_type.reference_only or not selectors.can_edit(self.request.user, instance):
            raise exceptions.PermissionDenied()
        plain, m2m = self._m2m(serializer.validated_data)
        for k, v in plain.items():
            setattr(instance, k, v)
        if getattr(self, "_expected_version", None) is not None:
            instance.version = self._expected_version  # record_save writes only over this version
        serializer.instance = services.record_save(instance=instance, by=self.request.user, m2m=m2m)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self._expected_version = self._precondition(instance)
        self.perform_destroy(instance)
        return Response(status=204)

    def perform_destroy(self, instance):
        if self.record_type.reference_only or not selectors.can_delete(self.request.user, instance):
            raise exceptions.PermissionDenied()
        expected = getattr(self, "_expected_version", None)
        if expected is None and services.is_versioned(type(instance)):
            expected = instance.version
        services.record_delete(instance=instance, by=self.request.user, expected_version=expected)


class TransitionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def viewset_for(record_type: RecordType) -> type[RecordViewSet]:
    attrs: dict = {
        "record_type": record_type,
        "serializer_class": record_type.serializer,
        "filterset_class": record_type.filterset,
        "http_method_names": ["get", "head", "options"] if record_type.reference_only
        else ["get", "post", "put", "patch", "delete", "head", "options"],
    }
    if personal_fields(record_type.model):

        @extend_schema(responses=record_type.serializer,
                       description="The record with full personal data, if the user may see it; audited.")
        @action(detail=True, methods=["post"], url_path="personal")
        def personal(self, request, pk=None):
            obj = self.get_object()
            if selectors.personal_access(request.user, obj) != "reveal":
                raise exceptions.PermissionDenied()
            audit(user=request.user, action=AuditAction.REVEAL, obj=obj,
                  detail={"fields": sorted(personal_fields(type(obj))), "via": "api"})
            return Response(self.get_serializer_class()(obj, context={**self.get_serializer_context(),
                                                                      "reveal": True}).data)

        attrs["personal"] = personal

    if record_type.transitions:
        names = [t.name for t in record_type.transitions]

        @extend_schema(request=TransitionSerializer, responses=record_type.serializer,
                       description="Workflow step: one of " + ", ".join(names))
        @action(detail=True, methods=["post"], url_path=r"transition/(?P<name>[a-z_]+)")
        def transition(self, request, pk=None, name=None):
            obj = self.get_object()
            step = next((t for t in self.record_type.transitions if t.name == name), None)
            if step is None:
                raise exceptions.NotFound()
            body = TransitionSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            allowed = selectors.can_edit(request.user, obj) and (
                not step.admin_only or selectors.can_review(request.user, obj))
            # If-Match is optional here (a step reads the stored status itself); given, it must match.
            expected = versioning.expected_version(request, obj) if request.headers.get("If-Match") else None
            obj = services.record_transition(instance=obj, transition=step, by=request.user,
                                             reason=body.validated_data.get("reason", ""), allowed=allowed,
                                             expected_version=expected)
            response = Response(self.get_serializer(obj).data)
            if tag := versioning.etag(obj):
                response["ETag"] = tag
            return response

        attrs["transition"] = transition
    cls = type(f"{record_type.model.__name__}ViewSet", (RecordViewSet,), attrs)
    tag = str(record_type.slug)
    views = {m: extend_schema(tags=[tag]) for m in ("list", "retrieve", "create", "update", "partial_update", "destroy")}
    if services.is_versioned(record_type.model):
        views.update(versioning.schema_for_writes(record_type, tag))
    return extend_schema_view(**views)(cls)
