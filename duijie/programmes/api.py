"""API for programme progress beyond the generic /api/programmes/, /api/programme-indicators/ and
/api/targets/ endpoints: each target's figure with the ids of the records behind it, for the reader
(the same scoped computation as the progress page)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from duijie.core import plugins, scope, selectors
from duijie.core.registry import REGISTRY
from duijie.programmes import progress


class ProgressRowSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.pk")
    owner = serializers.CharField()
    owner_unit = serializers.IntegerField(source="target.owner_unit_id", allow_null=True)
    indicator = serializers.CharField(source="indicator_slug")
    period_start = serializers.DateField(source="target.period_start")
    period_end = serializers.DateField(source="target.period_end")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    text = serializers.CharField(source="target.text")
    # A count, or a sum / reported figure in the unit the target is printed in (亿元, 万元, %).
    actual = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True, coerce_to_string=False)
    record_type = serializers.SerializerMethodField()
    record_ids = serializers.ListField(child=serializers.IntegerField())
    expected = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    ratio = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    status = serializers.CharField()
    needs = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()

    def get_record_type(self, row) -> str | None:
        ind = plugins.indicators().get(row.indicator_slug)
        return ind.record_type if ind else None


class ProgressView(APIView):
    @extend_schema(
        summary="Progress of a programme's targets",
        description="One entry per target the caller may read: target, actual (the indicator's figure for the "
                    "caller), the ids of the records counted, the pace expected at `on` and the status by the "
                    "programme's thresholds. Targets of parks, institutions and departments are not computed yet.",
        parameters=[OpenApiParameter("start", date), OpenApiParameter("end", date),
                    OpenApiParameter("unit", int, description="Assessment unit id"),
                    OpenApiParameter("on", date, description="Date the pace is measured at (default: today)")],
        responses=ProgressRowSerializer(many=True))
    def get(self, request, code: str):
        programme = selectors.record_list(record_type=REGISTRY["programmes"], user=request.user).filter(code=code).first()
        if programme is None or not getattr(request.user, "is_government", False):
            raise exceptions.NotFound()
        params = {}
        for name in ("start", "end", "on"):
            if request.query_params.get(name):
                try:
                    params[name] = date.fromisoformat(request.query_params[name])
                except ValueError:
                    raise exceptions.ValidationError({name: ["YYYY-MM-DD"]}) from None
        unit = None
        if request.query_params.get("unit"):
            raw = request.query_params["unit"]
            unit = scope.units_in_scope(request.user).filter(pk=raw).first() if raw.isdigit() else None
            if unit is None:
                raise exceptions.NotFound()
        rows = progress.progress(request.user, programme, start=params.get("start"), end=params.get("end"),
                                 unit=unit, today=params.get("on") or timezone.localdate())
        return Response(ProgressRowSerializer(rows, many=True).data)
