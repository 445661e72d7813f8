"""The innovation score (创新积分) in the demo: Changzhou's own indicator set (a copy of the national
template, published), the 2025 run computed from the demo's yearly metrics and records, publicised
and published (frozen), with a negative and a bonus item filed and the demo enterprise's consent
that its score go to banks (龙城科易贷)."""

from __future__ import annotations

from datetime import timedelta

from duijie.accounts.models import User
from duijie.core.models import Region
from duijie.innovation import services
from duijie.innovation.models import Adjustment, IndicatorSet
from duijie.orgs.models import Enterprise, EnterpriseMetric

YEAR = 2025  # the demo's latest year of enterprise metrics


def make_innovation(g) -> None:
    admin = User.objects.get(username="admin")
    city = Region.objects.get(code="3204")
    template = IndicatorSet.objects.get(code="national", number=1)
    own = services.indicator_set_copy(source=template, by=admin)
    own = services.indicator_set_publish(indicator_set=own, by=admin)
    g.count(IndicatorSet, 1)
    scored = list(Enterprise.objects.filter(region__code__startswith="3204", metrics__year=YEAR, founded_on__isnull=False)
                  .order_by("pk").values_list("pk", flat=True))
    adjustments = []
    if len(scored) > 10:
        adjustments = [
            Adjustment(enterprise_id=scored[3], year=YEAR, item="credit-default", reason="演示：列入经营异常名录（已移出前）",
                       document="演示·市场监管部门通报", filed_by=admin),
            Adjustment(enterprise_id=scored[7], year=YEAR, item="award", reason="演示：获江苏省科学技术奖三等奖",
                       document="演示·苏政发〔2025〕科技奖励决定", filed_by=admin),
        ]
        Adjustment.objects.bulk_create(adjustments)
        g.count(Adjustment, len(adjustments))
    run = services.run_compute(indicator_set=own, region=city, year=YEAR, by=admin)
    if not run.scores.exists():  # a tiny demo scale may have no scored enterprise: leave the run a draft
        return
    today = g.today
    run = services.run_publicise(run=run, start=today - timedelta(days=20), end=today - timedelta(days=8), by=admin)
    services.run_publish(run=run, by=admin, today=today)
    g.count(type(run), 1)
    _kunshan(g, template)


def _kunshan(g, template) -> None:
    """Kunshan scores its enterprises with the national template as it is (a city need not copy it);
    the demo enterprise (a Kunshan one) has consented, so its line reaches the bank export."""
    admin = User.objects.filter(username="kunshan").select_related("organisation__region").first()
    if admin is None or admin.organisation is None or admin.organisation.region is None:
        return
    region = admin.organisation.region
    if not EnterpriseMetric.objects.filter(year=YEAR, enterprise__region__code__startswith=region.code).exists():
        return
    run = services.run_compute(indicator_set=template, region=region, year=YEAR, by=admin)
    if not run.scores.exists():
        return
    run = services.run_publicise(run=run, start=g.today - timedelta(days=20), end=g.today - timedelta(days=8), by=admin)
    services.run_publish(run=run, by=admin, today=g.today)
    g.count(type(run), 1)
    user = User.objects.filter(username="enterprise").select_related("organisation").first()
    if user is not None and user.organisation_id:
        enterprise = Enterprise.objects.filter(organisation_id=user.organisation_id).first()
        if enterprise is not None:
            services.consent_give(enterprise=enterprise, purpose="龙城科易贷授信评估", by=user)
