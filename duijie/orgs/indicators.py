"""Indicators counted over enterprise qualifications (contributed through plugin.py; the library,
which builds each figure from its declaration, is core/indicators.py).

小升高 cannot be declared as a filter over one table: an enterprise counts when its tier on the day
before the window (31 December of the year before) was the rung holding 科技型中小企业 and its tier on the
window's last day is the rung holding 高新技术企业 — two readings of the dated ladder (``orgs.tiers``),
so it is a custom compute starting from the library's scoped, owned records."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import DISTINCT, RECORD, STOCK, Figure, Window, indicator_records, party_location
from duijie.core.plugins import Indicator
from duijie.orgs import tiers
from duijie.orgs.choices import QualificationKind

# A certificate counts where its enterprise is (region, park or assessment units): seed 002 counts the
# district's high-tech enterprises (高新技术企业总数累计突破460家).
ENTERPRISE = party_location("enterprise")
HIGH_TECH = {"record_type": "qualifications", "filters": {"kind": QualificationKind.HIGH_TECH},
             "field_name": "enterprise", "reach": ENTERPRISE, "unit": pgettext_lazy("unit of measure", "enterprises"),
             "no_institution": _("High-tech certificates belong to enterprises; an institution holds none.")}

NO_INSTITUTION = _("Tiers belong to enterprises; an institution has none.")


def _move(from_kind: str, to_kind: str):
    def compute(user, window: Window) -> Figure:
        ents = indicator_records("enterprises", user, window, date_field=None, reach=RECORD,
                                 no_institution=NO_INSTITUTION)
        start = window.start - timedelta(days=1)
        ladder = tiers.ladder_on(window.end)
        by_kind = tiers.rung_of_kind(ladder)
        pks = ents.values_list("pk", flat=True)
        ids = list(pks)
        before, after = tiers.tiers_on(pks, start, ladder), tiers.tiers_on(pks, window.end, ladder)
        frm, to = by_kind[from_kind].rank, by_kind[to_kind].rank
        moved = [e for e in ids if (b := before.get(e)) and b.rank == frm and (a := after.get(e)) and a.rank == to]
        records = ents.filter(pk__in=moved)
        return Figure(value=len(moved), records=records)
    return compute


INDICATORS = (
    Indicator(
        slug="high-tech-enterprises", label=_("High-tech enterprises (stock)"),
        documentation=_("Distinct enterprises holding a high-tech enterprise certificate valid on the period's "
                        "last day (valid from on or before it, valid to empty or on or after it); once per "
                        "enterprise; counted where the enterprise is."),
        kind=STOCK, stock_from="valid_from", stock_to="valid_to",
        source="seed 002 (高新技术企业总数累计突破460家)", **HIGH_TECH,
    ),
    Indicator(
        slug="high-tech-certified", label=_("High-tech enterprises certified"),
        documentation=_("Distinct enterprises whose high-tech enterprise certificate starts (valid from) in the "
                        "period, renewals included (含到期重新申报); once per enterprise; counted where the "
                        "enterprise is."),
        kind=DISTINCT, date_field="valid_from",
        source="seed 002 (新增高新技术企业数150家（含到期重新申报）)", **HIGH_TECH,
    ),
    Indicator(
        slug="tech-sme-to-high-tech", label=_("Tech SMEs become high-tech enterprises (小升高)"),
        documentation=_("Enterprises whose tier (the highest rung of the tier ladder among the qualifications "
                        "valid that day) was the tech-based SME rung on the day before the period and is the "
                        "high-tech enterprise rung on its last day; counted where the enterprise is."),
        unit=pgettext_lazy("unit of measure", "enterprises"), record_type="enterprises", reach=RECORD,
        source="seed 004 第9条（构建科技型中小企业、高新技术企业…创新型企业培育梯队）",
        no_institution=NO_INSTITUTION,
        custom=_move(str(QualificationKind.TECH_SME), str(QualificationKind.HIGH_TECH)),
    ),
)
