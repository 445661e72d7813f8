"""REST endpoints of matching (DRF, in the OpenAPI schema): recommendations for a record the caller
may read, search across supply, and feedback. Scope: the source goes through the core selectors
(404 when unreadable), results through matching's selectors."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from duijie.core.registry import record_type_for
from duijie.matching import declarations, documents, services
from duijie.matching import selectors as match_selectors
from duijie.matching.models import IrrelevantReason, Verdict
from duijie.matching.views import source_for

ALL_TARGETS = sorted({k for v in match_selectors.TARGETS.values() for k in v})


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    terms = serializers.ListField(child=serializers.CharField())


class MatchSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="kind:pk")
    kind = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    title = serializers.SerializerMethodField()
    url = serializers.CharField(allow_null=True)
    reasons = ReasonSerializer(many=True)
    flags = serializers.ListField(child=serializers.CharField())

    def get_title(self, m) -> str:
        return str(m.obj)


class RecommendationQuery(serializers.Serializer):
    source = serializers.CharField(help_text="kind:pk of a demand, achievement, patent or expert")
    kind = serializers.ChoiceField(choices=ALL_TARGETS)
    k = serializers.IntegerField(min_value=1, max_value=50, default=10)


def _source(user, source: str):
    skind, pk = documents.parse_id(source)
    decl = declarations.by_kind().get(skind)
    if decl is None or skind not in match_selectors.TARGETS or not pk.isdigit():
        raise Http404
    return source_for(user, record_type_for(decl.model).slug, pk)


class RecommendationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[RecommendationQuery], responses=MatchSerializer(many=True), tags=["matching"],
                   operation_id="match_recommendations")
    def get(self, request):
        q = RecommendationQuery(data=request.query_params)
        q.is_valid(raise_exception=True)
        obj = _source(request.user, q.validated_data["source"])
        matches = match_selectors.recommend(user=request.user, obj=obj, target_kind=q.validated_data["kind"],
                                            k=q.validated_data["k"])
        if matches and q.validated_data["kind"] != "institution":
            services.impressions_log(user=request.user, source=q.validated_data["source"], matches=matches)
        return Response(MatchSerializer(matches, many=True).data)


class SearchView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("q", str, required=True), OpenApiParameter("kind", str, many=True),
        OpenApiParameter("industry", str), OpenApiParameter("region", str), OpenApiParameter("field", str),
    ], responses=MatchSerializer(many=True), tags=["matching"], operation_id="match_search")
    def get(self, request):
        text = request.query_params.get("q", "")
        if not text.strip():
            raise serializers.ValidationError({"q": ["请输入要搜索的内容。"]})
        results = match_selectors.search(
            user=request.user, text=text[:500], kinds=request.query_params.getlist("kind"),
            industry=request.query_params.get("industry", ""), region=request.query_params.get("region", ""),
            field_=request.query_params.get("field", ""))
        return Response(MatchSerializer(results, many=True).data)


class FeedbackSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    reason = serializers.ChoiceField(choices=IrrelevantReason.choices, required=False, allow_blank=True)


class FeedbackView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=FeedbackSerializer, responses={201: FeedbackSerializer}, tags=["matching"],
                   operation_id="match_feedback")
    def post(self, request):
        s = FeedbackSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        _source(request.user, s.validated_data["source"])
        tkind = documents.parse_id(s.validated_data["target"])[0]
        if tkind not in ALL_TARGETS:
            raise serializers.ValidationError({"target": ["不是可以反馈的推荐结果。"]})
        services.feedback_record(user=request.user, **s.validated_data)
        return Response(s.validated_data, status=status.HTTP_201_CREATED)
