"""Candidates of a round, found in the records (免申即享) or filed with their basis records.

Every amount is recomputed from the basis records and the rule version in force on the line's
reference date (the contract's registration date; the year's last day for applications): nothing
here is typed. ``gather`` returns the engine's candidates, what each line stores beside them
(payee, basis ids, inputs) and the records found but not taken, each with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from duijie.awards import rules
from duijie.awards.choices import PAID_OUTCOMES, ApplicationStatus, CandidateSource, RuleStatus
from duijie.awards.models import Application, AwardLine, Round, RuleVersion
from duijie.core import plugins, selectors
from duijie.core.plugins import Window
from duijie.core.registry import REGISTRY

CONTRACTS = "tech-contracts"


@dataclass
class LineMeta:
    """What a line stores beside the engine's candidate."""

    version: RuleVersion
    basis_type: str
    basis_ids: list[int]
    inputs: dict[str, Any]
    reference_date: date
    payee_org_id: int | None = None
    expert_id: int | None = None
    person_name: str = ""
    application_id: int | None = None
    region_id: int | None = None
    unit_ids: list[int] = field(default_factory=list)


@dataclass
class Gathered:
    candidates: list[rules.Candidate]
    meta: dict[str, LineMeta]  # candidate key → what the line stores
    skipped: list[dict[str, str]]  # {"record": "tech-contracts:12", "reason": "…"}
    taken: dict[str, str]  # payee key → where it is already awarded (same purpose and year)


def version_for(versions: list[RuleVersion], day: date) -> RuleVersion | None:
    """The version in force on ``day``: valid then, the highest number wins."""
    valid = [v for v in versions if v.valid_on(day)]
    return max(valid, key=lambda v: v.number) if valid else None


def published_versions(round_: Round) -> list[RuleVersion]:
    return list(round_.scheme.rule_versions.filter(status=RuleStatus.PUBLISHED).order_by("number"))


def taken_elsewhere(round_: Round) -> dict[str, str]:
    """Payees already holding a line of the same purpose and year in another scheme."""
    rows = (AwardLine.objects.filter(round__scheme__purpose=round_.scheme.purpose, round__year=round_.year,
                                     outcome__in=PAID_OUTCOMES)
            .exclude(round__scheme=round_.scheme_id).select_related("round__scheme").order_by("pk"))
    out: dict[str, str] = {}
    for line in rows:
        out.setdefault(line.payee_key, str(line.round.scheme))
    return out


def _units(obj) -> list[int]:
    if obj is None or not hasattr(obj, "assessment_units"):
        return []
    return list(obj.assessment_units.values_list("pk", flat=True))


def _org_record(org):
    """The enterprise or institution behind an organisation (None for other organisations)."""
    for name in ("enterprise", "institution"):
        rec = getattr(org, name, None) if org is not None else None
        if rec is not None:
            return rec
    return None


def gather(round_: Round, user, versions: list[RuleVersion] | None = None) -> Gathered:
    """The candidates of ``round_`` as ``user`` (the city administrator running it) sees the records;
    ``versions`` replaces the published rule versions (the sandbox's draft)."""
    versions = published_versions(round_) if versions is None else versions
    out = Gathered([], {}, [], taken_elsewhere(round_))
    if round_.scheme.candidate_source == CandidateSource.REGISTERED_CONTRACTS:
        _from_contracts(round_, user, versions, out)
    else:
        _from_applications(round_, user, versions, out)
    return out


def _no_version(out: Gathered, record: str, day: date) -> None:
    out.skipped.append({"record": record, "reason": _("No published rule version is in force on %(day)s.") % {
        "day": day.isoformat()}})


def _from_contracts(round_: Round, user, versions, out: Gathered) -> None:
    """Every technology contract registered in the year → its transfer institution's reward (seed 003)."""
    year = round_.year
    figure = plugins.indicator("tech-contracts-registered").compute(user, Window(date(year, 1, 1), date(year, 12, 31)))
    contracts = figure.records.select_related("transfer_org").prefetch_related("assessment_units") \
        .order_by("registered_on", "pk")
    for c in contracts:
        record = f"{CONTRACTS}:{c.pk}"
        if c.transfer_org_id is None:
            out.skipped.append({"record": record, "reason": _("No technology transfer institution is named on "
                                                              "the contract.")})
            continue
        version = version_for(versions, c.registered_on)
        if version is None:
            _no_version(out, record, c.registered_on)
            continue
        org = c.transfer_org
        rec = _org_record(org)
        out.candidates.append(rules.Candidate(
            key=record, payee_key=f"org:{org.pk}", payee_label=str(org), rule=version.as_rule(),
            base=c.amount, order=(c.registered_on.isoformat(), c.pk)))
        out.meta[record] = LineMeta(
            version=version, basis_type=CONTRACTS, basis_ids=[c.pk],
            inputs={"amount": str(c.amount), "registration_number": c.registration_number,
                    "registered_on": c.registered_on.isoformat()},
            reference_date=c.registered_on, payee_org_id=org.pk, region_id=org.region_id or c.region_id,
            unit_ids=sorted(set(_units(rec)) | {u.pk for u in c.assessment_units.all()}))


def _from_applications(round_: Round, user, versions, out: Gathered) -> None:
    """Nominations and applications of the scheme: each amount from its basis records."""
    day = date(round_.year, 12, 31)
    apps = (Application.objects.filter(scheme=round_.scheme_id, status=ApplicationStatus.FILED)
            .select_related("payee_org", "expert").order_by("pk"))
    for app in apps:
        record = f"applications:{app.pk}"
        rt = REGISTRY.get(app.basis_type)
        if rt is None:
            out.skipped.append({"record": record, "reason": _("Unknown basis record type “%(t)s”.") % {"t": app.basis_type}})
            continue
        wanted = [int(i) for i in app.basis_ids]
        found = selectors.record_list(record_type=rt, user=user).filter(pk__in=wanted)
        found_ids = sorted(found.values_list("pk", flat=True))
        missing = sorted(set(wanted) - set(found_ids))
        if not found_ids or missing:
            out.skipped.append({"record": record, "reason": _("Basis records missing or not visible: %(t)s %(ids)s.") % {
                "t": app.basis_type, "ids": ", ".join(map(str, missing or wanted))}})
            continue
        version = version_for(versions, day)
        if version is None:
            _no_version(out, record, day)
            continue
        inputs: dict[str, Any] = {"quantity": len(found_ids)}
        base = None
        if "amount" in {f.name for f in rt.model._meta.concrete_fields}:
            base = sum((r.amount or Decimal(0) for r in found), Decimal("0.00"))
            inputs["amount"] = str(base)
        if app.score is not None:
            inputs["score"] = str(app.score)
        payee_source = app.expert if app.expert_id else app.payee_org
        region = getattr(payee_source, "region_id", None)
        units = set(_units(app.expert) if app.expert_id else _units(_org_record(app.payee_org)))
        for r in found:
            units |= set(_units(r))
        out.candidates.append(rules.Candidate(
            key=record, basis=f"{app.basis_type}:{','.join(map(str, found_ids))}", payee_key=app.payee_key,
            payee_label=app.payee_label, rule=version.as_rule(), base=base, quantity=len(found_ids),
            score=app.score, order=(app.pk,)))
        out.meta[record] = LineMeta(
            version=version, basis_type=app.basis_type, basis_ids=found_ids, inputs=inputs, reference_date=day,
            payee_org_id=app.payee_org_id, expert_id=app.expert_id, person_name=app.person_name,
            application_id=app.pk, region_id=region, unit_ids=sorted(units))
