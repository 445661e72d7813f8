"""REST API: one ModelViewSet per record type, sharing selectors, FilterSets and services with
the UI. Serializers validate (model ``clean()`` included); services write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from duijie.core import selectors, services
from duijie.core.masking import mask
from duijie.core.registry import RecordType, personal_fields


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class RecordSerializer(serializers.ModelSerializer):
    """Runs the model's ``clean()`` so the API refuses what the UI refuses, with field errors.
    Personal-data fields are masked in responses for users whose role does not need them."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
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
        request = self.context.get("request")
        fields = personal_fields(type(instance))
        if not fields:
            return data
        full_pks = self.context.get("full_pks")
        if full_pks is not None:
            full = instance.pk in full_pks
        else:
            full = request is not None and selectors.personal_access(request.user, instance) == "full"
        if not full:
            for name, kind in fields.items():
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

    def list(self, request, *args, **kwargs):
        # Which rows of this page show full personal data: one query for the page, not one per row.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = self.get_serializer_context()
        if personal_fields(self.record_type.model):
            context["full_pks"] = selectors.full_personal_pks(request.user, self.record_type.model,
                                                             [r.pk for r in rows])
        serializer = self.get_serializer_class()(rows, many=True, context=context)
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

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

    def perform_update(self, serializer):
        instance = serializer.instance
        if self.record_type.reference_only or not selectors.can_edit(self.request.user, instance):
            raise exceptions.PermissionDenied()
        plain, m2m = self._m2m(serializer.validated_data)
        for k, v in plain.items():
            setattr(instance, k, v)
        serializer.instance = services.record_save(instance=instance, by=self.request.user, m2m=m2m)

    def perform_destroy(self, instance):
        if self.record_type.reference_only or not selectors.can_edit(self.request.user, instance):
            raise exceptions.PermissionDenied()
        services.record_delete(instance=instance, by=self.request.user)


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
            obj = services.record_transition(instance=obj, transition=step, by=request.user,
                                             reason=body.validated_data.get("reason", ""), allowed=allowed)
            return Response(self.get_serializer(obj).data)

        attrs["transition"] = transition
    cls = type(f"{record_type.model.__name__}ViewSet", (RecordViewSet,), attrs)
    tag = str(record_type.slug)
    return extend_schema_view(**{m: extend_schema(tags=[tag]) for m in
                                 ("list", "retrieve", "create", "update", "partial_update", "destroy")})(cls)
