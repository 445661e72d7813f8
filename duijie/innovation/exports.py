"""The bank export (龙城科易贷): a published run's lines of the enterprises that consented, as xlsx."""

from __future__ import annotations

import io

from duijie.core.models import AssessmentUnit
from duijie.innovation.choices import Stage
from duijie.innovation.selectors import rank_table

COLUMNS = ("序号", "企业名称", "统一社会信用代码", "所在板块", "年度", "企业阶段", "创新积分", "满分", "全市排名",
           "全市百分位", "技术创新指标得分", "成长经营指标得分", "辅助指标得分", "加分", "减分")


def bank_workbook(run, scores) -> bytes:
    from openpyxl import Workbook  # deferred: loaded only when an export is made

    ranks = rank_table(run)
    units = dict(AssessmentUnit.objects.values_list("pk", "name"))
    wb = Workbook()
    ws = wb.active
    ws.title = "创新积分"
    s = run.indicator_set
    ws.append([f"{run.region.name} {run.year} 年度企业创新积分（{s.name} v{s.number}）"])
    ws.append([f"内容校验码 SHA-256：{run.content_hash}", f"发布时间：{run.published_at:%Y-%m-%d}" if run.published_at else ""])
    ws.append(["仅含已授权向银行提供创新积分的企业；权重为本地配置，非指引原文。"])
    ws.append(list(COLUMNS))
    for n, x in enumerate(sorted(scores, key=lambda x: (-x.total, x.enterprise_id)), 1):
        by_group = {}
        for b in x.breakdown:
            by_group[b["group"]] = by_group.get(b["group"], 0) + float(b["points"])
        r = ranks[x.pk]["city"]
        ws.append([n, x.enterprise.name, x.enterprise.uscc or "", "、".join(units.get(u, "") for u in x.unit_ids),
                   run.year, str(Stage(x.stage).label), float(x.total), float(x.maximum), f"{r.rank}/{r.of}",
                   float(r.percentile), *(round(by_group.get(g, 0), 2) for g in ("tech", "growth", "aux", "bonus", "negative"))])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
