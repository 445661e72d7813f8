"""The panel's figures: each scorecard's weighted total, per-reviewer normalisation (z-score of a
reviewer's totals over the bids they scored, so a strict and a lenient reviewer count alike), the
bids' ranking by mean normalised score, outlier flags (a reviewer's z this far from the others' mean
for the same bid: the challenge's ``outlier_z``), and the panel report workbook."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import mean, pstdev

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from duijie.challenges.models import Challenge, Scorecard


@dataclass
class Row:
    scorecard: Scorecard
    total: float
    z: float = 0.0
    outlier: bool = False
    values: list = field(default_factory=list)  # per criterion, in the criteria's order (the printed report)


@dataclass
class BidResult:
    bid: object
    rows: list[Row] = field(default_factory=list)

    @property
    def mean_total(self) -> float | None:
        return round(mean(r.total for r in self.rows), 2) if self.rows else None

    @property
    def mean_z(self) -> float | None:
        return round(mean(r.z for r in self.rows), 3) if self.rows else None


def weighted_total(card: Scorecard) -> float:
    scores = list(card.scores.all())
    weights = sum((s.criterion.weight for s in scores), Decimal(0))
    if not weights:
        return 0.0
    return float(sum((s.value * s.criterion.weight for s in scores), Decimal(0)) / weights)


def results(challenge: Challenge, cards) -> list[BidResult]:
    """The bids of ``cards`` (the scorecards the reader may see), best mean normalised score first."""
    rows = [Row(c, round(weighted_total(c), 3)) for c in cards]
    by_member: dict[int, list[Row]] = {}
    for r in rows:
        by_member.setdefault(r.scorecard.member_id, []).append(r)
    for member_rows in by_member.values():
        totals = [r.total for r in member_rows]
        mu, sd = mean(totals), pstdev(totals)
        for r in member_rows:
            r.z = round((r.total - mu) / sd, 3) if sd else 0.0
    by_bid: dict[int, BidResult] = {}
    for r in rows:
        by_bid.setdefault(r.scorecard.bid_id, BidResult(r.scorecard.bid)).rows.append(r)
    limit = float(challenge.outlier_z)
    for res in by_bid.values():
        for r in res.rows:
            others = [o.z for o in res.rows if o is not r]
            r.outlier = bool(others) and abs(r.z - mean(others)) > limit
    return sorted(by_bid.values(), key=lambda b: (-(b.mean_z or 0), -(b.mean_total or 0)))


def report_xlsx(challenge: Challenge, cards) -> bytes:
    """评审报告: the ranking, then every scorecard with its scores, total, z and outlier flag."""
    cards = list(cards)
    ranked = results(challenge, cards)
    criteria = list(challenge.criteria.all())
    wb = Workbook()
    ws = wb.active
    ws.title = _("Ranking")
    ws.append([challenge.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Rank"), _("Team"), _("Reviewers"), _("Mean weighted score"), _("Mean normalised score (z)"),
               _("Outlier scores")])
    for i, res in enumerate(ranked, start=1):
        ws.append([i, str(res.bid), len(res.rows), res.mean_total, res.mean_z, sum(r.outlier for r in res.rows)])
    detail = wb.create_sheet(_("Scorecards"))
    detail.append([_("Team"), _("Reviewer"), *[f"{c.name} (×{c.weight})" for c in criteria], _("Weighted score"),
                   "z", _("Outlier"), _("Comment"), _("Submitted at")])
    for res in ranked:
        for r in res.rows:
            values = {s.criterion_id: float(s.value) for s in r.scorecard.scores.all()}
            detail.append([str(res.bid), r.scorecard.member.expert.name, *[values.get(c.pk) for c in criteria],
                           r.total, r.z, _("yes") if r.outlier else "", r.scorecard.comment,
                           r.scorecard.submitted_at.strftime("%Y-%m-%d %H:%M")])
    for sheet in (ws, detail):
        for row in sheet.iter_rows(min_row=2, max_row=2 if sheet is ws else 1):
            for cell in row:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


STYLESHEET = "programmes/report-print.css"  # the supervision report's A4 print stylesheet


def report_context(challenge: Challenge, cards, objections) -> dict:
    """What the printable panel report shows: the panel with its conflict screen, the ranking, every
    scorecard with its scores, and the 公示 with its objections."""
    cards = list(cards)
    criteria = list(challenge.criteria.all())
    ranked = results(challenge, cards)
    for res in ranked:
        for r in res.rows:
            values = {s.criterion_id: s.value for s in r.scorecard.scores.all()}
            r.values = [values.get(c.pk) for c in criteria]
    return {"challenge": challenge, "criteria": criteria, "ranking": ranked, "objections": list(objections),
            "members": challenge.panel.select_related("expert__institution", "added_by")}


def report_html(context: dict, *, for_pdf: bool = False, request=None) -> str:
    return render_to_string("challenges/report_print.html", {**context, "for_pdf": for_pdf}, request=request)


def report_pdf(context: dict) -> bytes:
    """The printable page as an A4 PDF (the same template and the supervision report's stylesheet)."""
    # deferred: WeasyPrint (pango, fonts) is heavy; load it only when a PDF is asked for
    from weasyprint import CSS, HTML

    css = CSS(filename=finders.find(STYLESHEET))
    return HTML(string=report_html(context, for_pdf=True)).write_pdf(stylesheets=[css])
