"""Supervision rounds (半年督查, 年度考核): the report, issuing (freezing) it, reopening it, verifying it.

A round assesses the programme's targets of one period for its units, counting records up to
``as_of`` (``progress.window_for`` cut at that date, the indicator's ``compute`` for the issuing
user) and scoring each unit × indicator by the indicator's ``ScoringRule`` rows valid at ``as_of``
(``scoring.py``). Units rank by total score (bonus included); ties share a rank.

**Issuing freezes it**: one ``ReportIssue`` with a ``ReportFigure`` per unit × indicator holding the
definition (indicator, label, target, the rules with their parameters and the average they used),
the value, the record ids counted, the score and the status, and a SHA-256 of the canonical JSON of
all of them. Later edits of records move live progress, never these rows; :func:`verify` recomputes
the hash and the scores from what is stored. Reopening needs a reason (kept on the issue, audited);
the next issue lists what changed against the previous one.

Writes go through the functions here (transaction, audit, change announcements); an issued round
refuses every change but reopening (:class:`ReportIssued`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import changes, plugins, scope, selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.roles import Role
from duijie.programmes import progress, scoring
from duijie.programmes.choices import RoundStatus, RuleKind, Status
from duijie.programmes.models import (
    ReportFigure,
    ReportIssue,
    RoundUnit,
    ScoringRule,
    SupervisionRound,
)

LAGGING = (Status.LAGGING, Status.AT_RISK)
PLACES = Decimal("0.0001")


class ReportIssued(ValidationError):
    """A change to a round whose report is issued (reopen it with a reason first)."""


@dataclass
class Cell:
    """One unit × indicator of a report (live or as issued)."""

    indicator: str
    label: str
    unit_of_measure: str
    target: Decimal | None
    target_text: str
    value: Decimal | None
    record_type: str
    record_ids: list
    expected: Decimal | None
    status: str
    rules: list
    score: Decimal | None
    target_pk: int | None = None

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def lagging(self) -> bool:
        return self.status in LAGGING


@dataclass
class UnitResult:
    unit: object
    cells: list[Cell] = field(default_factory=list)
    rank: int = 0
    round_unit: RoundUnit | None = None

    @property
    def total(self) -> Decimal:
        return sum((c.score for c in self.cells if c.score is not None), Decimal(0))

    @property
    def bonus(self) -> Decimal:
        return sum((scoring.score(r, c.value, c.target, r.get("average")) or Decimal(0)
                    for c in self.cells for r in c.rules if r["kind"] == RuleKind.BONUS), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((scoring.maximum(c.rules) for c in self.cells), Decimal(0))

    @property
    def lagging(self) -> list[Cell]:
        return [c for c in self.cells if c.lagging]


@dataclass
class Report:
    round: SupervisionRound
    issue: ReportIssue | None
    indicators: list[tuple[str, str]]
    units: list[UnitResult]

    @property
    def frozen(self) -> bool:
        return self.issue is not None


# ------------------------------------------------------------------------------------ reading

def rounds(user, programme):
    """The programme's rounds the user may read (their scope follows the programme's)."""
    return selectors.visible_queryset(SupervisionRound, user).filter(programme=programme)


def may_manage(user, programme) -> bool:
    """The supervising office: a city administrator who may edit the programme."""
    return getattr(user, "role", None) == Role.CITY_ADMIN and selectors.can_edit(user, programme)


def units_for(user, rnd: SupervisionRound) -> list[RoundUnit]:
    """The round's units the user's scope reaches (all for the supervising office)."""
    qs = rnd.round_units.select_related("unit").order_by("pk")
    if may_manage(user, rnd.programme):
        return list(qs)
    return list(qs.filter(unit__in=scope.units_in_scope(user)))


def latest_issue(rnd: SupervisionRound) -> ReportIssue | None:
    return rnd.issues.order_by("-number").first()


def _rank(units: list[UnitResult]) -> None:
    ordered = sorted(units, key=lambda u: -u.total)
    for i, u in enumerate(ordered):
        u.rank = ordered[i - 1].rank if i and ordered[i - 1].total == u.total else i + 1
    units.sort(key=lambda u: (u.rank, u.unit.pk))


def _canon(value) -> str | None:
    return None if value is None else format(Decimal(str(value)).quantize(PLACES), "f")


def live(user, rnd: SupervisionRound) -> Report:
    """The report as the records stand now, computed for ``user`` (the supervising office: all units)."""
    programme = rnd.programme
    round_units = units_for(user, rnd)
    by_unit = {ru.unit_id: UnitResult(unit=ru.unit, round_unit=ru) for ru in round_units}
    targets = {(t.owner_unit_id, t.programme_indicator_id): t for t in progress.targets(user, programme).filter(
        period_start=rnd.period_start, period_end=rnd.period_end, owner_unit__in=list(by_unit))}
    indicators = []
    for pi in programme.indicators.order_by("order", "pk"):
        if pi.indicator not in plugins.indicators():
            continue
        ind = plugins.indicator(pi.indicator)
        label = pi.label or str(ind.label)
        indicators.append((pi.indicator, label))
        rules = [r.definition() for r in ScoringRule.objects.filter(programme_indicator=pi).order_by("pk")
                 if r.valid_on(rnd.as_of)]
        cells = {}
        for unit_id in by_unit:
            target = targets.get((unit_id, pi.pk))
            cells[unit_id] = _cell(user, rnd, pi, ind, label, target)
        for rule in rules:  # the average a step rule compares with: the units it applies to
            if scoring.needs_average(rule):
                rule["average"] = _canon(scoring.average(
                    cells[u].value for u, r in by_unit.items() if scoring.applies(rule, r.unit.kind)
                    and cells[u].target is not None))
        for unit_id, result in by_unit.items():
            cell = cells[unit_id]
            if cell.target is not None:
                cell.rules = [r for r in rules if scoring.applies(r, result.unit.kind)]
                cell.score = _score(cell)
            result.cells.append(cell)
    units = list(by_unit.values())
    _rank(units)
    return Report(round=rnd, issue=None, indicators=indicators, units=units)


def _cell(user, rnd, pi, ind, label, target) -> Cell:
    cell = Cell(indicator=pi.indicator, label=label, unit_of_measure=str(ind.unit), target=None, target_text="",
                value=None, record_type=ind.record_type, record_ids=[], expected=None, status=Status.NOT_COMPUTED,
                rules=[], score=None)
    if target is None:
        return cell
    cell.target, cell.target_text, cell.target_pk = target.value, target.text, target.pk
    window = progress.window_for(target)
    if window is None:
        return cell
    window = replace(window, end=min(window.end, rnd.as_of))
    figure = ind.compute(user, window)
    shown = ind.shown(figure)
    cell.value = None if shown is None else Decimal(str(shown)).quantize(PLACES)
    cell.record_ids = figure.ids()
    cell.expected = (target.value * progress.elapsed(target.period_start, target.period_end, rnd.as_of)).quantize(
        Decimal("0.01"))
    if cell.value is not None:
        _ratio, cell.status = progress.status_for(rnd.programme, cell.value, target.value, cell.expected)
    return cell


def _score(cell: Cell) -> Decimal | None:
    scores = [scoring.score(r, cell.value, cell.target, r.get("average")) for r in cell.rules]
    scores = [s for s in scores if s is not None]
    return sum(scores, Decimal(0)) if scores else None


def frozen(user, issue: ReportIssue) -> Report:
    """The report as issued: the stored figures of the units the user's scope reaches, ranked among
    all the units of the issue."""
    rnd = issue.round
    figures = list(issue.figures.select_related("unit").order_by("pk"))
    by_unit: dict[int, UnitResult] = {}
    indicators: dict[str, str] = {}
    for fig in figures:
        d = fig.definition
        indicators.setdefault(fig.indicator, d["label"])
        by_unit.setdefault(fig.unit_id, UnitResult(unit=fig.unit)).cells.append(Cell(
            indicator=fig.indicator, label=d["label"], unit_of_measure=d["unit_of_measure"],
            target=None if d["target"] is None else Decimal(d["target"]), target_text=d["target_text"],
            value=fig.value, record_type=fig.record_type, record_ids=fig.record_ids,
            expected=None if d["expected"] is None else Decimal(d["expected"]), status=fig.status,
            rules=d["rules"], score=fig.score))
    units = list(by_unit.values())
    _rank(units)
    visible = {ru.unit_id: ru for ru in units_for(user, rnd)}
    shown = [u for u in units if u.unit.pk in visible]
    for u in shown:
        u.round_unit = visible[u.unit.pk]
    return Report(round=rnd, issue=issue, indicators=list(indicators.items()), units=shown)


def report(user, rnd: SupervisionRound) -> Report | None:
    """What the user reads of a round: the issued report when it is issued; the live one for the
    supervising office while it is a draft; nothing for a unit while it is a draft (its averages
    and ranks need every unit)."""
    if rnd.is_issued:
        return frozen(user, latest_issue(rnd))
    if may_manage(user, rnd.programme):
        return live(user, rnd)
    return None


# ------------------------------------------------------------------------------------ hashing

def _definition(rnd: SupervisionRound, unit, cell: Cell) -> dict:
    return {"unit": unit.code, "unit_name": unit.name, "unit_kind": unit.kind, "indicator": cell.indicator,
            "label": cell.label, "unit_of_measure": cell.unit_of_measure, "target": _canon(cell.target),
            "target_text": cell.target_text, "period": [rnd.period_start.isoformat(), rnd.period_end.isoformat()],
            "as_of": rnd.as_of.isoformat(), "expected": _canon(cell.expected), "rules": cell.rules}


def _entry(fig: ReportFigure) -> dict:
    return {"definition": fig.definition, "value": _canon(fig.value), "record_type": fig.record_type,
            "record_ids": sorted(fig.record_ids), "score": _canon(fig.score), "status": fig.status}


def content_hash(figures) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces) of the figures, ordered by unit and indicator."""
    entries = sorted((_entry(f) for f in figures), key=lambda e: (e["definition"]["unit"], e["definition"]["indicator"]))
    text = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify(issue: ReportIssue) -> list[str]:
    """Problems found when recomputing the issue from what it stores (empty: it is intact): the hash
    of the stored definitions, values and record ids; each score from its stored rules and value;
    each count's value from its record ids."""
    figures = list(issue.figures.select_related("unit"))
    problems = []
    if content_hash(figures) != issue.content_hash:
        problems.append(_("The stored figures do not give the issued hash."))
    for fig in figures:
        d = fig.definition
        cell = Cell(indicator=fig.indicator, label=d["label"], unit_of_measure="", target=_dec(d["target"]),
                    target_text="", value=fig.value, record_type="", record_ids=[], expected=None, status="",
                    rules=d["rules"], score=None)
        expected = _score(cell) if cell.target is not None else None
        if _canon(expected) != _canon(fig.score):
            problems.append(_("%(unit)s · %(label)s: the score %(stored)s is not what its rules give (%(computed)s).")
                            % {"unit": d["unit_name"], "label": d["label"], "stored": fig.score, "computed": expected})
        if d.get("indicator_kind") == "count" and fig.value is not None and fig.value != len(fig.record_ids):
            problems.append(_("%(unit)s · %(label)s: %(value)s counted but %(n)s record ids stored.")
                            % {"unit": d["unit_name"], "label": d["label"], "value": fig.value, "n": len(fig.record_ids)})
    return problems


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# ------------------------------------------------------------------------------------ writing

def _require_manager(by, rnd: SupervisionRound) -> None:
    if not may_manage(by, rnd.programme):
        raise PermissionDenied(_("Only the supervising office (a city administrator of the programme) may do this."))


def _require_draft(rnd: SupervisionRound) -> None:
    if rnd.is_issued:
        raise ReportIssued(_("“%(name)s” is issued and cannot be changed; reopen it with a reason first.")
                           % {"name": rnd.name})


def _save_round(rnd: SupervisionRound, by, fields: list[str]) -> None:
    rnd._history_user = by
    rnd.save()
    changes.announce(changes.Kind.UPDATED, SupervisionRound, [rnd.pk], fields=fields)


@transaction.atomic
def create_round(*, programme, by, kind: str, name: str, period_start: date, period_end: date, as_of: date,
                 units=None) -> SupervisionRound:
    """A draft round; its units are ``units`` or every unit with a target of the programme in the period."""
    if not may_manage(by, programme):
        raise PermissionDenied(_("Only the supervising office (a city administrator of the programme) may do this."))
    rnd = SupervisionRound(programme=programme, kind=kind, name=name, period_start=period_start,
                           period_end=period_end, as_of=as_of)
    rnd.full_clean()
    rnd._history_user = by
    rnd.save()
    if units is None:
        units = list(dict.fromkeys(progress.targets(by, programme).filter(
            period_start=period_start, period_end=period_end, owner_unit__isnull=False)
            .order_by("pk").values_list("owner_unit", flat=True)))
    else:
        units = [getattr(u, "pk", u) for u in units]
    RoundUnit.objects.bulk_create([RoundUnit(round=rnd, unit_id=u) for u in units])
    changes.announce(changes.Kind.CREATED, SupervisionRound, [rnd.pk])
    audit(user=by, action=AuditAction.CREATE, obj=rnd, detail={"units": len(units)})
    return rnd


@transaction.atomic
def comment(*, rnd: SupervisionRound, by, text: str, unit=None) -> None:
    """The supervising office's comment on one unit (``unit``) or on the whole round."""
    _require_manager(by, rnd)
    rnd = SupervisionRound.objects.select_for_update().get(pk=rnd.pk)
    _require_draft(rnd)
    if unit is None:
        rnd.comment = text.strip()
        _save_round(rnd, by, ["comment"])
        return
    ru = rnd.round_units.get(unit=unit)
    ru.comment = text.strip()
    ru._history_user = by
    ru.save()
    changes.announce(changes.Kind.UPDATED, RoundUnit, [ru.pk], fields=["comment"])
    audit(user=by, action=AuditAction.UPDATE, obj=ru, detail={"fields": ["comment"]})


@transaction.atomic
def submit(*, rnd: SupervisionRound, by, unit, text: str, attachment=None) -> RoundUnit:
    """A unit's own submission for the round (by its administrator, or the supervising office)."""
    if not (may_manage(by, rnd.programme) or scope.units_in_scope(by).filter(pk=unit.pk).exists()):
        raise PermissionDenied(_("You may file the submission of your own units only."))
    rnd = SupervisionRound.objects.select_for_update().get(pk=rnd.pk)
    _require_draft(rnd)
    ru = rnd.round_units.filter(unit=unit).first()
    if ru is None:
        raise ValidationError({"unit": _("%(unit)s is not assessed in this round.") % {"unit": unit}})
    ru.submission = text.strip()
    if attachment is not None:
        ru.attachment = attachment
    ru.submitted_by, ru.submitted_at = by, timezone.now()
    ru.full_clean(exclude=["round", "unit"])
    ru._history_user = by
    ru.save()
    changes.announce(changes.Kind.UPDATED, RoundUnit, [ru.pk], fields=["submission", "attachment"])
    audit(user=by, action=AuditAction.UPDATE, obj=ru, detail={"fields": ["submission"]})
    return ru


def _diff(previous: ReportIssue | None, figures: list[ReportFigure]) -> list[dict]:
    if previous is None:
        return []
    old = {(f.definition["unit"], f.indicator): f for f in previous.figures.all()}
    out = []
    for fig in figures:
        before = old.pop((fig.definition["unit"], fig.indicator), None)
        pairs = {"target": (before.definition["target"] if before else None, fig.definition["target"]),
                 "value": (_canon(before.value) if before else None, _canon(fig.value)),
                 "records": (len(before.record_ids) if before else None, len(fig.record_ids)),
                 "score": (_canon(before.score) if before else None, _canon(fig.score)),
                 "status": (before.status if before else None, fig.status)}
        for name, (a, b) in pairs.items():
            if a != b:
                out.append({"unit": fig.definition["unit_name"], "indicator": fig.definition["label"],
                            "field": name, "old": a, "new": b})
    for (_code, _slug), fig in old.items():
        out.append({"unit": fig.definition["unit_name"], "indicator": fig.definition["label"], "field": "value",
                    "old": _canon(fig.value), "new": None})
    return out


@transaction.atomic
def issue(*, rnd: SupervisionRound, by) -> ReportIssue:
    """Freeze the round's report as it stands for ``by`` (the supervising office) now."""
    _require_manager(by, rnd)
    rnd = SupervisionRound.objects.select_for_update().get(pk=rnd.pk)
    _require_draft(rnd)
    result = live(by, rnd)
    previous = latest_issue(rnd)
    iss = ReportIssue(round=rnd, number=(previous.number + 1) if previous else 1, issued_at=timezone.now(),
                      issued_by=by, content_hash="")
    iss._history_user = by
    iss.save()
    kinds = {slug: ind.kind for slug, ind in plugins.indicators().items()}
    figures = []
    for u in result.units:
        for cell in u.cells:
            definition = _definition(rnd, u.unit, cell) | {"indicator_kind": kinds.get(cell.indicator, "")}
            figures.append(ReportFigure(issue=iss, unit=u.unit, indicator=cell.indicator, definition=definition,
                                        value=cell.value, record_type=cell.record_type,
                                        record_ids=sorted(cell.record_ids), score=cell.score, status=cell.status))
    ReportFigure.objects.bulk_create(figures)
    iss.content_hash = content_hash(figures)
    iss.diff = _diff(previous, figures)
    iss.save(update_fields=["content_hash", "diff", "updated_at"])
    rnd.status = RoundStatus.ISSUED
    _save_round(rnd, by, ["status"])
    changes.announce(changes.Kind.CREATED, ReportIssue, [iss.pk])
    audit(user=by, action=AuditAction.TRANSITION, obj=rnd,
          detail={"to": "issued", "issue": iss.number, "hash": iss.content_hash, "changes": len(iss.diff)})
    return iss


@transaction.atomic
def reopen(*, rnd: SupervisionRound, by, reason: str) -> ReportIssue:
    """Reopen an issued round (its issued report stays as it was, marked reopened with the reason)."""
    _require_manager(by, rnd)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for reopening the issued report; it is kept with the report.")})
    rnd = SupervisionRound.objects.select_for_update().get(pk=rnd.pk)
    if not rnd.is_issued:
        raise ValidationError({"status": _("“%(name)s” is not issued; there is nothing to reopen.") % {"name": rnd.name}})
    iss = latest_issue(rnd)
    iss.reopened_at, iss.reopened_by, iss.reopen_reason = timezone.now(), by, reason.strip()
    iss._history_user = by
    iss.save(update_fields=["reopened_at", "reopened_by", "reopen_reason", "updated_at"])
    rnd.status = RoundStatus.DRAFT
    _save_round(rnd, by, ["status"])
    audit(user=by, action=AuditAction.TRANSITION, obj=rnd,
          detail={"to": "draft", "issue": iss.number, "reason": iss.reopen_reason})
    return iss
