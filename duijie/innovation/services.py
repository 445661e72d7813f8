"""Writes of the innovation score: indicator sets (copy, weights, publish), score runs (compute,
公示, publish = freeze), objections, bank consent and the bank export.

Each service owns its transaction, checks the actor, writes history (simple_history, with the
actor) and one audit entry, and announces what changed (``core.changes``). A refused step raises
``ValidationError`` naming the field and why, and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import changes, frozen, selectors
from duijie.core.access import city_prefix
from duijie.core.audit import audit, audit_failure
from duijie.core.choices import AuditAction
from duijie.core.roles import Role
from duijie.innovation import exports, scoring
from duijie.innovation.choices import ObjectionStatus, RunStatus, SetStatus
from duijie.innovation.models import (
    BankConsent,
    EnterpriseScore,
    IndicatorSet,
    Objection,
    ScoreRun,
)
from duijie.innovation.sources import Reader
from duijie.orgs.models import Enterprise, EnterpriseMetric

RAW = Decimal("0.0001")


def manages_city(user, region) -> bool:
    """City administrators run the score for their own city (a national set: any city's administrator
    may copy it, none may change it)."""
    prefix = city_prefix(user)
    return (getattr(user, "role", None) == Role.CITY_ADMIN and prefix is not None and region is not None
            and region.code.startswith(prefix))


def _manager(user, region) -> None:
    if not manages_city(user, region):
        raise PermissionDenied(_("Only the city's administrators manage its innovation score."))


def _save(obj, by, reason: str = ""):
    obj._history_user = by
    if reason:
        obj._change_reason = reason[:100]
    obj.save()
    return obj


def _errors(exc: scoring.SetError) -> ValidationError:
    return ValidationError({k: v for k, v in exc.errors.items()})


# ------------------------------------------------------------------------------------------------
# Indicator sets
# ------------------------------------------------------------------------------------------------

def indicator_set_copy(*, source: IndicatorSet, by) -> IndicatorSet:
    """A new draft version copied from ``source`` (indicators, weights, stage rule, totals). A copy of
    the national template becomes the actor's city's own set (version 1 of its own code)."""
    if source.region_id is None:
        region = by.organisation.region if getattr(by, "organisation", None) else None
        _manager(by, region)
        code = f"{source.code}-{region.code}"
        name = f"{source.name}（{region.name}）"
    else:
        region = source.region
        _manager(by, region)
        code, name = source.code, source.name
    with transaction.atomic():
        number = (IndicatorSet.objects.filter(code=code).order_by("-number").values_list("number", flat=True).first()
                  or 0) + 1
        copy = _save(IndicatorSet(code=code, number=number, name=name, region=region, source=source.source,
                                  stage_rule=source.stage_rule, stage_rule_clause=source.stage_rule_clause,
                                  group_totals=source.group_totals, totals_basis=source.totals_basis,
                                  derived_from=source), by, "copy")
        for ind in source.indicators.order_by("position"):
            ind.pk = None
            ind.id = None
            ind.version = 1
            ind.indicator_set = copy
            ind._state.adding = True
            _save(ind, by, "copy")
        audit(user=by, action=AuditAction.CREATE, obj=copy, detail={"copied_from": source.pk})
        changes.announce(changes.Kind.CREATED, IndicatorSet, [copy.pk])
    return copy


def _check_set(indicator_set: IndicatorSet, indicators: list[dict], group_totals) -> None:
    """Every rule of a set: the stage rule, each indicator's scoring parameters, the weights."""
    errors: dict[str, list[str]] = {}
    try:
        scoring.validate_stage_rule(indicator_set.stage_rule)
    except scoring.SetError as exc:
        errors.update(exc.errors)
    for ind in indicators:
        try:
            scoring.validate_params(ind["method"], ind["params"])
        except scoring.SetError as exc:
            for why in exc.errors.values():
                errors.setdefault(f"params-{ind['code']}", []).extend(why)
    try:
        scoring.validate_weights(indicators, group_totals)
    except scoring.SetError as exc:
        for k, v in exc.errors.items():
            errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)


def _rows(indicator_set: IndicatorSet) -> list[dict]:
    return [{"code": i.code, "group": i.group, "weights": i.weights, "method": i.method, "params": i.params}
            for i in indicator_set.indicators.order_by("position")]


def indicator_set_update_weights(*, indicator_set: IndicatorSet, group_totals: dict, weights: dict, by) -> IndicatorSet:
    """Set a draft set's group totals and its indicators' weights ({code: {stage: number}}) at once.
    Refused, nothing written, when a core group's weights do not add up to its total for a stage, a
    weight or total is negative or missing, or a bonus/negative weight is above its group's cap."""
    _manager(by, indicator_set.region)
    with transaction.atomic():
        locked = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
        if locked.status != SetStatus.DRAFT:
            raise ValidationError(_("A published indicator set cannot be changed; create a new version."))
        rows = _rows(locked)
        unknown = sorted(set(weights) - {r["code"] for r in rows})
        if unknown:
            raise ValidationError({"weights": _("No indicator %(codes)s in this set.") % {"codes": ", ".join(unknown)}})
        for r in rows:
            if r["code"] in weights:
                r["weights"] = weights[r["code"]]
        _check_set(locked, rows, group_totals)
        locked.group_totals = {s: {g: str(Decimal(str(v))) for g, v in t.items()} for s, t in group_totals.items()}
        _save(locked, by, "weights")
        for ind in locked.indicators.order_by("position"):
            if ind.code in weights:
                ind.weights = {s: str(Decimal(str(v))) for s, v in weights[ind.code].items()}
                _save(ind, by, "weights")
        audit(user=by, action=AuditAction.UPDATE, obj=locked, detail={"fields": ["group_totals", "weights"]})
        changes.announce(changes.Kind.UPDATED, IndicatorSet, [locked.pk], fields=["group_totals", "weights"])
    return locked


def indicator_set_publish(*, indicator_set: IndicatorSet, by) -> IndicatorSet:
    """Publish a draft set once every rule checks out; from then on it never changes."""
    _manager(by, indicator_set.region)
    with transaction.atomic():
        locked = IndicatorSet.objects.select_for_update().get(pk=indicator_set.pk)
        if locked.status != SetStatus.DRAFT:
            raise ValidationError(_("Only a draft indicator set can be published."))
        _check_set(locked, _rows(locked), locked.group_totals)
        locked.status, locked.published_at = SetStatus.PUBLISHED, timezone.now()
        _save(locked, by, "publish")  # the stored row is still the draft: this one write goes through
        audit(user=by, action=AuditAction.TRANSITION, obj=locked, detail={"from": "draft", "to": "published"})
        changes.announce(changes.Kind.UPDATED, IndicatorSet, [locked.pk], fields=["status", "published_at"])
    return locked


# ------------------------------------------------------------------------------------------------
# Score runs
# ------------------------------------------------------------------------------------------------

def _raw(v):
    if v is None or isinstance(v, bool):
        return v
    return str(Decimal(v).quantize(RAW))


def _as_number(raw):
    if raw is None or isinstance(raw, bool):
        return raw
    return Decimal(raw)


def score_lines(indicator_set: IndicatorSet, region, year: int) -> tuple[list[dict], list[dict]]:
    """The lines of a run (nothing written): one per enterprise of the city with yearly metrics for
    ``year`` and a founding date; the others are returned as skipped with the reason."""
    rule = indicator_set.stage_rule
    totals = indicator_set.group_totals
    indicators = list(indicator_set.indicators.order_by("position"))
    population, skipped = [], []
    candidates = (Enterprise.objects.filter(region__code__startswith=region.code)
                  .select_related("industry").prefetch_related("assessment_units").order_by("pk"))
    with_metrics = set(EnterpriseMetric.objects.filter(year=year, enterprise__region__code__startswith=region.code)
                       .values_list("enterprise_id", flat=True))
    for e in candidates:
        if e.pk not in with_metrics:
            skipped.append({"enterprise": e.pk, "name": e.name, "reason": _("no yearly metrics for %(y)s") % {"y": year}})
        elif e.founded_on is None:
            skipped.append({"enterprise": e.pk, "name": e.name, "reason": _("no founding date: the stage is unknown")})
        elif e.founded_on.year > year:
            skipped.append({"enterprise": e.pk, "name": e.name, "reason": _("founded after %(y)s") % {"y": year}})
        else:
            population.append(e)
    reader = Reader(population, year)
    stages = {e.pk: scoring.stage_of(rule, year - e.founded_on.year) for e in population}
    values = {ind.code: reader.read(ind.source, ind.source_params) for ind in indicators}
    lines = []
    for e in population:
        stage = stages[e.pk]
        breakdown = []
        for ind in indicators:
            got = values[ind.code].get(e.pk)
            raw = _raw(got.value) if got else None
            breakdown.append({"code": ind.code, "group": ind.group, "name": ind.name, "unit": ind.unit,
                              "source": ind.source, "method": ind.method, "params": ind.params,
                              "weight": str(ind.weights[stage]), "raw": raw,
                              "records": got.records if got else []})
        lines.append({"enterprise": e, "stage": stage, "breakdown": breakdown})
    _score(lines, totals)
    return lines, skipped


def _score(lines: list[dict], totals) -> None:
    """Shares, points and totals of ``lines`` from their stored raw values, weights and parameters —
    the same arithmetic at the run and at verification. A percentile compares the enterprises of the
    same stage."""
    by_stage: dict[tuple[str, str], list] = {}
    for line in lines:
        for b in line["breakdown"]:
            by_stage.setdefault((line["stage"], b["code"]), []).append(_as_number(b["raw"]))
    for line in lines:
        pts = []
        for b in line["breakdown"]:
            population = [v for v in by_stage[(line["stage"], b["code"])] if not isinstance(v, bool) and v is not None]
            sh = scoring.share(b["method"], b["params"], _as_number(b["raw"]), population)
            b["share"] = str(sh.quantize(RAW))
            b["points"] = str(scoring.points(Decimal(b["weight"]), sh))
            pts.append((b["group"], Decimal(b["points"])))
        line["total"] = scoring.total(pts, totals, line["stage"])
        line["maximum"] = scoring.cent(scoring.maximum(totals, line["stage"]))


def run_compute(*, indicator_set: IndicatorSet, region, year: int, by) -> ScoreRun:
    """Compute (or recompute) the draft run of a published set for a city and year, all or nothing."""
    _manager(by, region)
    if indicator_set.status != SetStatus.PUBLISHED:
        raise ValidationError({"indicator_set": _("Only a published indicator set is used for a run.")})
    if indicator_set.region_id is not None and indicator_set.region_id != region.pk:
        raise ValidationError({"indicator_set": _("This set belongs to another city.")})
    with transaction.atomic():
        run, _created = ScoreRun.objects.select_for_update().get_or_create(
            indicator_set=indicator_set, region=region, year=year)
        if run.status != RunStatus.DRAFT:
            raise ValidationError(_("A run in publicity or published is not recomputed (now: %(s)s).") % {
                "s": run.get_status_display()})
        lines, skipped = score_lines(indicator_set, region, year)
        old = list(run.scores.values_list("pk", flat=True))
        run.scores.all().delete()
        objs = EnterpriseScore.objects.bulk_create([
            EnterpriseScore(run=run, enterprise=x["enterprise"], stage=x["stage"],
                            founded_year=x["enterprise"].founded_on.year, total=x["total"], maximum=x["maximum"],
                            breakdown=x["breakdown"],
                            unit_ids=sorted(u.pk for u in x["enterprise"].assessment_units.all()),
                            park_id_at_run=x["enterprise"].park_id,
                            industry_code=x["enterprise"].industry.code if x["enterprise"].industry_id else "")
            for x in lines])
        run.computed_at, run.skipped = timezone.now(), skipped
        _save(run, by, "compute")
        audit(user=by, action=AuditAction.UPDATE, obj=run,
              detail={"computed": len(objs), "replaced": len(old), "skipped": len(skipped)})
        changes.announce(changes.Kind.DELETED, EnterpriseScore, old)
        changes.announce(changes.Kind.CREATED, EnterpriseScore, [o.pk for o in objs])
        changes.announce(changes.Kind.UPDATED, ScoreRun, [run.pk], fields=["computed_at", "skipped"])
    return run


def _move(run: ScoreRun, by, sources, target, **fields) -> ScoreRun:
    locked = ScoreRun.objects.select_for_update().get(pk=run.pk)
    if locked.status not in sources:
        raise ValidationError(_("This step is not possible while the run is “%(s)s”.") % {"s": locked.get_status_display()})
    old = locked.status
    locked.status = target
    for k, v in fields.items():
        setattr(locked, k, v)
    _save(locked, by, target)
    audit(user=by, action=AuditAction.TRANSITION, obj=locked, detail={"from": old, "to": target, "fields": sorted(fields)})
    changes.announce(changes.Kind.UPDATED, ScoreRun, [locked.pk], fields=["status", *fields])
    return locked


def run_publicise(*, run: ScoreRun, start: date | None, end: date | None, by) -> ScoreRun:
    """Start the publicity period (公示): each enterprise sees its line and may object until ``end``."""
    _manager(by, run.region)
    if start is None or end is None or end < start:
        raise ValidationError({"publicity_end": _("The publicity period ends before it starts.")})
    with transaction.atomic():
        if not run.scores.exists():
            raise ValidationError(_("Compute the run before its publicity."))
        return _move(run, by, (RunStatus.DRAFT,), RunStatus.PUBLICITY, publicity_start=start, publicity_end=end)


def frozen_doc(run: ScoreRun, scores) -> dict:
    """What a published run is: the set version, city, year and every line as computed."""
    return {"set": [run.indicator_set.code, run.indicator_set.number], "city": run.region.code, "year": run.year,
            "group_totals": run.indicator_set.group_totals, "stage_rule": run.indicator_set.stage_rule,
            "lines": [{"enterprise": s.enterprise_id, "stage": s.stage, "founded": s.founded_year,
                       "total": str(scoring.cent(s.total)), "maximum": str(scoring.cent(s.maximum)),
                       "breakdown": s.breakdown} for s in sorted(scores, key=lambda x: x.enterprise_id)]}


def run_publish(*, run: ScoreRun, by, today: date | None = None) -> ScoreRun:
    """After the publicity period and with every objection resolved: freeze the run (its lines no
    longer change; ``content_hash`` is the SHA-256 of what was published)."""
    _manager(by, run.region)
    today = today or timezone.localdate()
    with transaction.atomic():
        current = ScoreRun.objects.get(pk=run.pk)
        if current.status == RunStatus.PUBLICITY and current.publicity_end and today <= current.publicity_end:
            raise ValidationError(_("The publicity period runs until %(end)s; publish after it.") % {
                "end": current.publicity_end.isoformat()})
        open_ = current.objections.filter(status=ObjectionStatus.OPEN).count()
        if open_:
            raise ValidationError(_("%(n)s objection(s) are still open; resolve them first.") % {"n": open_})
        digest = frozen.content_hash(frozen_doc(current, list(current.scores.all())))
        return _move(current, by, (RunStatus.PUBLICITY,), RunStatus.PUBLISHED, published_at=timezone.now(),
                     content_hash=digest)


def verify(run: ScoreRun) -> list[str]:
    """What is wrong with a published run (empty: it verifies): each line recomputed from its stored
    raw values, weights and parameters, and the hash of the stored lines."""
    scores = list(run.scores.all())
    again = [{"stage": s.stage, "breakdown": [dict(b) for b in s.breakdown], "pk": s.pk} for s in scores]
    _score(again, run.indicator_set.group_totals)
    problems = []
    for s, line in zip(scores, again, strict=True):
        if scoring.cent(s.total) != line["total"] or any(
                a.get("points") != b["points"] for a, b in zip(s.breakdown, line["breakdown"], strict=True)):
            problems.append(_("%(e)s: stored %(stored)s, recomputed %(again)s.") % {
                "e": s.enterprise_id, "stored": s.total, "again": line["total"]})
    if run.content_hash and frozen.content_hash(frozen_doc(run, scores)) != run.content_hash:
        problems.append(_("The content hash does not match the stored lines."))
    return problems


# ------------------------------------------------------------------------------------------------
# Objections
# ------------------------------------------------------------------------------------------------

def _enterprise_user(user, enterprise) -> bool:
    return (getattr(user, "role", None) == Role.ENTERPRISE and enterprise.organisation_id is not None
            and user.organisation_id == enterprise.organisation_id)


def objection_file(*, score: EnterpriseScore, reason: str, indicator_code: str = "", by) -> Objection:
    """The enterprise objects to its line during 公示, with a reason (and the indicator concerned)."""
    if not _enterprise_user(by, score.enterprise):
        raise PermissionDenied(_("Only the enterprise itself objects to its score."))
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Say what is wrong and why (e.g. a contract missing, a figure mistyped).")
    codes = {b["code"] for b in score.breakdown}
    if indicator_code and indicator_code not in codes:
        errors["indicator_code"] = _("No indicator %(c)s in this score.") % {"c": indicator_code}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        run = ScoreRun.objects.select_for_update().get(pk=score.run_id)
        today = timezone.localdate()
        if run.status != RunStatus.PUBLICITY or (run.publicity_end and today > run.publicity_end):
            raise ValidationError(_("Objections are filed during the publicity period only."))
        obj = _save(Objection(run=run, enterprise=score.enterprise, indicator_code=indicator_code,
                              reason=reason.strip(), filed_by=by), by, "objection")
        audit(user=by, action=AuditAction.CREATE, obj=obj, detail={"run": run.pk})
        changes.announce(changes.Kind.CREATED, Objection, [obj.pk])
    return obj


def objection_resolve(*, objection: Objection, upheld: bool, resolution: str, by) -> Objection:
    """An office in the enterprise's scope resolves the objection with its reasons. Upheld: the data
    was corrected, so the run goes back to draft to be recomputed and publicised again."""
    if not (getattr(by, "is_government", False) and selectors.can_edit(by, objection.enterprise)):
        raise PermissionDenied(_("Only an office whose scope covers the enterprise resolves its objection."))
    if not (resolution or "").strip():
        raise ValidationError({"resolution": _("Give the reasons of the decision.")})
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.status != ObjectionStatus.OPEN:
            raise ValidationError(_("This objection is already resolved."))
        locked.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        locked.resolution, locked.resolved_by, locked.resolved_at = resolution.strip(), by, timezone.now()
        _save(locked, by, "resolve")
        audit(user=by, action=AuditAction.TRANSITION, obj=locked, detail={"to": locked.status})
        changes.announce(changes.Kind.UPDATED, Objection, [locked.pk], fields=["status", "resolution"])
        if upheld:
            _move(locked.run, by, (RunStatus.PUBLICITY,), RunStatus.DRAFT, publicity_start=None, publicity_end=None)
    return locked


# ------------------------------------------------------------------------------------------------
# Bank consent and the bank export
# ------------------------------------------------------------------------------------------------

def consent_give(*, enterprise: Enterprise, purpose: str, by) -> BankConsent:
    """The enterprise (one of its users) consents that its score go to banks for ``purpose``."""
    if not _enterprise_user(by, enterprise):
        raise PermissionDenied(_("Only a user of the enterprise gives its consent."))
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("Say what the score is given to banks for (e.g. 龙城科易贷).")})
    with transaction.atomic():
        c = _save(BankConsent(enterprise=enterprise, purpose=purpose.strip(), given_by=by, given_at=timezone.now()),
                  by, "consent")
        audit(user=by, action=AuditAction.CREATE, obj=c, detail={"enterprise": enterprise.pk})
        changes.announce(changes.Kind.CREATED, BankConsent, [c.pk])
    return c


def consent_withdraw(*, consent: BankConsent, by) -> BankConsent:
    if not _enterprise_user(by, consent.enterprise):
        raise PermissionDenied(_("Only a user of the enterprise withdraws its consent."))
    with transaction.atomic():
        locked = BankConsent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError(_("This consent is already withdrawn."))
        locked.withdrawn_at = timezone.now()
        _save(locked, by, "withdraw")
        audit(user=by, action=AuditAction.UPDATE, obj=locked, detail={"withdrawn": True})
        changes.announce(changes.Kind.UPDATED, BankConsent, [locked.pk], fields=["withdrawn_at"])
    return locked


def consenting(enterprise_ids) -> set[int]:
    """The enterprises among ``enterprise_ids`` with a consent in force."""
    return set(BankConsent.objects.filter(enterprise_id__in=list(enterprise_ids), withdrawn_at__isnull=True)
               .values_list("enterprise_id", flat=True))


def bank_export(*, run: ScoreRun, by, enterprise_ids: list[int] | None = None) -> tuple[bytes, list[int]]:
    """The xlsx for banks of a published run: only enterprises with a consent in force. Naming an
    enterprise without one refuses the whole export (nothing is produced). Every export — and every
    refused attempt — is in the audit trail. Call outside a transaction (the refusal's entry is
    written in its own)."""
    if not manages_city(by, run.region):
        audit_failure(user=by, action=AuditAction.EXPORT, obj=run, detail={"refused": "not the city's administrator"})
        raise PermissionDenied(_("Only the city's administrators export scores for banks."))
    if run.status != RunStatus.PUBLISHED:
        raise ValidationError(_("Only a published run is given to banks."))
    scores = {s.enterprise_id: s for s in run.scores.select_related("enterprise")}
    agreed = consenting(scores)
    if enterprise_ids is not None:
        unknown = sorted(set(enterprise_ids) - set(scores))
        missing = sorted(set(enterprise_ids) - agreed - set(unknown))
        if unknown or missing:
            names = [scores[i].enterprise.name for i in missing]
            audit_failure(user=by, action=AuditAction.EXPORT, obj=run,
                          detail={"refused": "no consent", "enterprises": missing + unknown})
            errors = {}
            if missing:
                errors["enterprise"] = _("No consent in force from %(names)s: their scores are not given to banks; "
                                         "nothing was exported.") % {"names": "、".join(names)}
            if unknown:
                errors["enterprise_ids"] = _("Not scored in this run: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
            raise ValidationError(errors)
        chosen = list(enterprise_ids)
    else:
        chosen = sorted(agreed)
    data = exports.bank_workbook(run, [scores[i] for i in chosen])
    audit(user=by, action=AuditAction.EXPORT, obj=run,
          detail={"format": "xlsx", "enterprises": sorted(chosen), "hash": run.content_hash})
    return data, sorted(chosen)
