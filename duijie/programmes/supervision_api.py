"""API of supervision reports: a programme's rounds, a round's report (per-unit scores, figures and
the record ids behind each figure, scoped like the pages: a unit administrator gets the issued
report's rows of its own units, nothing of a draft), and the supervising office's issue and reopen
actions. An issued report is never changed here (409 with the reason)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from duijie.core import selectors
from duijie.core.registry import REGISTRY
from duijie.programmes import supervision
from duijie.programmes.models import SupervisionRound


class SupervisionRoundSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    issue = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionRound
        fields = ["id", "programme", "kind", "name", "period_start", "period_end", "as_of", "status", "comment", "issue"]

    def get_issue(self, obj) -> int | None:
        latest = supervision.latest_issue(obj)
        return latest.number if latest else None


class RuleSerializer(serializers.Serializer):
    kind = serializers.CharField()
    points = serializers.CharField()
    cap = serializers.CharField(allow_null=True)
    per = serializers.CharField(allow_null=True)
    steps = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    unit_kinds = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()
    average = serializers.CharField(required=False, allow_null=True)


class CellSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    label = serializers.CharField()
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    expected = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    status = serializers.CharField()
    score = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    record_type = serializers.CharField()
    record_ids = serializers.ListField(child=serializers.IntegerField())
    rules = RuleSerializer(many=True)


class UnitSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    name = serializers.CharField(source="unit.name")
    rank = serializers.IntegerField()
    score = serializers.DecimalField(source="total", max_digits=9, decimal_places=2)
    maximum = serializers.DecimalField(max_digits=9, decimal_places=2)
    bonus = serializers.DecimalField(max_digits=9, decimal_places=2)
    lagging = serializers.SerializerMethodField()
    comment = serializers.SerializerMethodField()
    submission = serializers.SerializerMethodField()
    figures = CellSerializer(source="cells", many=True)

    def get_lagging(self, obj) -> list[str]:
        return [c.indicator for c in obj.lagging]

    def get_comment(self, obj) -> str:
        return obj.round_unit.comment if obj.round_unit else ""

    def get_submission(self, obj) -> str:
        return obj.round_unit.submission if obj.round_unit else ""


class ReportSerializer(serializers.Serializer):
    round = SupervisionRoundSerializer()
    frozen = serializers.BooleanField()
    issue = serializers.IntegerField(source="issue.number", allow_null=True, default=None)
    content_hash = serializers.CharField(source="issue.content_hash", allow_null=True, default=None)
    units = UnitSerializer(many=True)


def _government(request) -> None:
    if not getattr(request.user, "is_government", False):
        raise exceptions.PermissionDenied()


def _round(request, pk) -> SupervisionRound:
    _government(request)
    rnd = selectors.visible_queryset(SupervisionRound, request.user).filter(pk=pk).first()
    if rnd is None:
        raise exceptions.NotFound()
    return rnd


class RoundListView(APIView):
    @extend_schema(summary="Supervision rounds of a programme", responses=SupervisionRoundSerializer(many=True))
    def get(self, request, code: str):
        _government(request)
        programme = selectors.record_list(record_type=REGISTRY["programmes"], user=request.user).filter(code=code).first()
        if programme is None:
            raise exceptions.NotFound()
        return Response(SupervisionRoundSerializer(supervision.rounds(request.user, programme), many=True).data)


class ReportView(APIView):
    @extend_schema(
        summary="A supervision round's report",
        description="Issued: the frozen figures (value, target, score, status, the ids of the records counted, "
                    "the rules with their parameters) of the caller's units, ranked among all units. Draft: the "
                    "live report for the supervising office; 404 for others until it is issued.",
        responses=ReportSerializer)
    def get(self, request, pk: int):
        report = supervision.report(request.user, _round(request, pk))
        if report is None:
            raise exceptions.NotFound(detail="This round has not been issued yet.")
        return Response(ReportSerializer(report).data)


def _refusal(error: Exception) -> Response:
    if isinstance(error, PermissionDenied):
        return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)
    code = status.HTTP_409_CONFLICT if isinstance(error, supervision.ReportIssued) else status.HTTP_400_BAD_REQUEST
    body = error.message_dict if hasattr(error, "error_dict") else {"detail": " ".join(error.messages)}
    return Response(body, status=code)


class IssueView(APIView):
    @extend_schema(summary="Issue (freeze) a supervision round's report", request=None, responses=ReportSerializer)
    def post(self, request, pk: int):
        rnd = _round(request, pk)
        try:
            supervision.issue(rnd=rnd, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            return _refusal(e)
        rnd.refresh_from_db()
        return Response(ReportSerializer(supervision.report(request.user, rnd)).data, status=status.HTTP_201_CREATED)


class ReopenView(APIView):
    @extend_schema(summary="Reopen an issued supervision round (a reason is required)",
                   request=inline_serializer("ReopenRequest", {"reason": serializers.CharField()}),
                   responses=SupervisionRoundSerializer)
    def post(self, request, pk: int):
        rnd = _round(request, pk)
        try:
            supervision.reopen(rnd=rnd, by=request.user, reason=str(request.data.get("reason", "")))
        except (ValidationError, PermissionDenied) as e:
            return _refusal(e)
        rnd.refresh_from_db()
        return Response(SupervisionRoundSerializer(rnd).data)
