"""Reported indicators (上报): official statistics figures the platform cannot compute from its
records — seed 002 一、主要指标完成情况 items 1–3 (R&D/GDP, 高新技术产业产值 and its share,
高新技术产业投资, 专利申请量 / 授权量, 万人有效发明专利拥有量). Each is filed as a ``ReportedValue``
through the normal registry (list, form, API, history at /r/reported-values/) and shown as stored,
flagged 上报. Contributed in core's plugin.py; the slugs are ``core.choices.ReportedIndicator``."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.choices import ReportedIndicator
from duijie.core.indicators import RECORD, REPORTED, Indicator

R = ReportedIndicator
PERCENT = pgettext_lazy("unit of measure", "%")
YI_YUAN = pgettext_lazy("unit of measure", "100 million yuan")
PATENTS = pgettext_lazy("unit of measure", "patents")
DOC = _("The value the statistics bureau reported for the unit (empty unit: the whole city) for the latest "
        "period lying inside the period asked for, as filed under 上报数 with its source and document; "
        "not computed from records.")
UNITS = {R.RD_GDP: PERCENT, R.HIGH_TECH_OUTPUT: YI_YUAN, R.HIGH_TECH_OUTPUT_SHARE: PERCENT,
         R.HIGH_TECH_INVESTMENT: YI_YUAN, R.PATENT_APPLICATIONS: PATENTS, R.PATENT_GRANTS: PATENTS,
         R.INVENTION_PATENTS_PER_10K: PATENTS}
SOURCES = {R.RD_GDP: "seed 002 一.1 (R&D经费支出占GDP的比重为2.77%)",
           R.HIGH_TECH_OUTPUT: "seed 002 一.2 (高新技术产业产值2131亿元)",
           R.HIGH_TECH_OUTPUT_SHARE: "seed 002 一.2 (占规上工业总产值45.2%)",
           R.HIGH_TECH_INVESTMENT: "seed 002 一.2 (高新技术产业投资306.4亿元)",
           R.PATENT_APPLICATIONS: "seed 002 一.3 (专利申请量21441件)",
           R.PATENT_GRANTS: "seed 002 一.3 (专利授权量9621件)",
           R.INVENTION_PATENTS_PER_10K: "seed 002 一.3 (万人有效发明专利拥有量达30.52件)"}

INDICATORS = tuple(
    Indicator(slug=choice.value, label=choice.label, documentation=DOC, unit=UNITS[choice],
              record_type="reported-values", kind=REPORTED, reach=RECORD,
              source=SOURCES[choice])
    for choice in ReportedIndicator
)
