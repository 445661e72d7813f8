"""API beyond the generic /api/award-*/ record endpoints (scoped by the same selectors): a round's
budget and reconciliation, a draft rule version's sandbox, an issued payout list's verification."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from duijie.awards import payouts, sandbox, services
from duijie.awards.choices import RuleStatus
from duijie.awards.models import PayoutList
from duijie.core import selectors
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role

MONEY = {"max_digits": 16, "decimal_places": 2}


def _city_admin(request) -> None:
    if getattr(request.user, "role", None) != Role.CITY_ADMIN:
        raise exceptions.PermissionDenied()


class BudgetSerializer(serializers.Serializer):
    budget = serializers.DecimalField(**MONEY)
    used = serializers.DecimalField(**MONEY)
    left = serializers.DecimalField(**MONEY)
    status = serializers.CharField()
    paid = serializers.DecimalField(allow_null=True, **MONEY)
    unpaid = serializers.DecimalField(allow_null=True, **MONEY)


class BudgetView(APIView):
    @extend_schema(summary="Budget and reconciliation of an award round",
                   description="The scheme's budget for the year, what the round's lines use and what is left; "
                               "once the payout list is issued, paid and unpaid sums. Government roles whose scope "
                               "holds the round.", responses=BudgetSerializer)
    def get(self, request, pk: int):
        round_ = selectors.record_list(record_type=REGISTRY["award-rounds"], user=request.user).filter(pk=pk).first()
        if round_ is None or not getattr(request.user, "is_government", False):
            raise exceptions.NotFound()
        data = {**services.budget_status(round_), "status": round_.status, "paid": None, "unpaid": None}
        payout = PayoutList.objects.filter(round=round_).first()
        if payout is not None:
            rec = services.reconciliation(payout)
            data.update(paid=rec["paid"], unpaid=rec["unpaid"])
        return Response(BudgetSerializer(data).data)


class PayeeEffectSerializer(serializers.Serializer):
    payee_key = serializers.CharField()
    label = serializers.CharField()
    before = serializers.DecimalField(**MONEY)
    after = serializers.DecimalField(**MONEY)
    delta = serializers.DecimalField(**MONEY)


class SandboxSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    budget = serializers.DecimalField(**MONEY)
    total_before = serializers.DecimalField(**MONEY)
    total_after = serializers.DecimalField(**MONEY)
    delta = serializers.DecimalField(**MONEY)
    budget_left_after = serializers.DecimalField(**MONEY)
    paid_lines_before = serializers.IntegerField()
    paid_lines_after = serializers.IntegerField()
    outcomes_changed = serializers.IntegerField()
    payees = PayeeEffectSerializer(many=True)


class SandboxView(APIView):
    @extend_schema(summary="Budget sandbox of a draft rule version",
                   description="The effect of a draft rule version on the latest round of its scheme — totals and "
                               "each payee — as if it were published; nothing is written. City administrators.",
                   responses=SandboxSerializer)
    def get(self, request, pk: int):
        _city_admin(request)
        version = selectors.record_list(record_type=REGISTRY["award-rule-versions"], user=request.user) \
            .filter(pk=pk).select_related("scheme").first()
        if version is None:
            raise exceptions.NotFound()
        if version.status != RuleStatus.DRAFT:
            raise exceptions.ValidationError({"version": ["Only a draft version can be tried in the sandbox."]})
        round_ = version.scheme.rounds.order_by("-year").first()
        if round_ is None:
            raise exceptions.ValidationError({"version": ["The scheme has no round to try the version on."]})
        e = sandbox.simulate(round_=round_, draft=version, user=request.user)
        return Response(SandboxSerializer({
            "round": round_.pk, "budget": e.budget, "total_before": e.before.amount, "total_after": e.after.amount,
            "delta": e.delta, "budget_left_after": e.budget_left_after, "paid_lines_before": e.before.paid_lines,
            "paid_lines_after": e.after.paid_lines, "outcomes_changed": e.outcomes_changed,
            "payees": [{"payee_key": p.payee_key, "label": p.label, "before": p.before, "after": p.after,
                        "delta": p.delta} for p in e.payees]}).data)


class VerifySerializer(serializers.Serializer):
    content_hash = serializers.CharField()
    verified = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class VerifyView(APIView):
    @extend_schema(summary="Verify an issued payout list",
                   description="Recomputes every line from its stored inputs and the list's content hash.",
                   responses=VerifySerializer)
    def get(self, request, pk: int):
        payout = selectors.visible_queryset(PayoutList, request.user).filter(pk=pk).first()
        if payout is None or not getattr(request.user, "is_government", False):
            raise exceptions.NotFound()
        problems = payouts.verify(payout)
        return Response(VerifySerializer({"content_hash": payout.content_hash, "verified": not problems,
                                          "problems": problems}).data)
