"""Issued payout lists: the content hash over the lines' stored inputs, its verification, the xlsx.

Issued means frozen (ARCHITECTURE.md): each line stores its rule version, kind, parameters, basis
record ids, the inputs read from them, rank, entitlement and amount. :func:`verify` recomputes every
line from those inputs with the rule engine (the per-line entitlement, then the payee caps in list
order), checks the total, and recomputes the hash; a tampered line fails both. Payment status, the
date paid and the bank details are not part of the hash (reconciliation changes them).
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from duijie.awards import rules
from duijie.awards.models import PayoutLine
from duijie.core import frozen, selectors
from duijie.core.masking import mask
from duijie.core.roles import Role

HASHED = ("position", "payee_key_frozen", "label", "rule_version_id", "kind", "parameters", "basis_type", "basis_ids",
          "inputs", "rank", "entitlement", "amount")


def _line_doc(line) -> dict:
    doc = {name: getattr(line, name) for name in HASHED}
    doc["entitlement"], doc["amount"] = str(rules.fen(line.entitlement)), str(rules.fen(line.amount))
    return doc


def content_hash(payout, lines) -> str:
    """SHA-256 of the canonical JSON of the list: round, scheme, year, decision and every line."""
    doc = {"round": payout.round_id, "scheme": payout.round.scheme.code, "year": payout.round.year,
           "decision": payout.decision, "total": str(rules.fen(payout.total)),
           "lines": [_line_doc(x) for x in sorted(lines, key=lambda x: x.position)]}
    return frozen.content_hash(doc)


def recompute(lines) -> list[tuple[int, Decimal, Decimal]]:
    """(position, entitlement, amount) of each line recomputed from its stored inputs: the rule's
    entitlement, then the payee's cap for the year applied in list order."""
    out, used = [], {}
    for line in sorted(lines, key=lambda x: x.position):
        rule = rules.Rule(kind=line.kind, parameters=line.parameters, version_id=line.rule_version_id)
        inputs = line.inputs or {}
        base = Decimal(inputs["amount"]) if inputs.get("amount") not in (None, "") else None
        quantity = int(inputs.get("quantity", 1))
        if rule.kind == "per_item" and rule.parameters.get("max_items_per_payee"):
            quantity = min(quantity, int(inputs.get("quantity_paid", quantity)))
        entitlement = rules.line_entitlement(rule, base=base, quantity=quantity, rank=line.rank)
        amount = entitlement
        cap = rules.payee_cap(rule)
        key = line.payee_key_frozen
        if cap is not None:
            amount = min(amount, cap - used.get(key, rules.ZERO))
        used[key] = used.get(key, rules.ZERO) + amount
        out.append((line.position, entitlement, amount))
    return out


def verify(payout) -> list[str]:
    """What is wrong with an issued list (an empty list: it verifies)."""
    lines = list(payout.lines.order_by("position"))
    problems = []
    for (position, entitlement, amount), line in zip(recompute(lines), lines, strict=True):
        if rules.fen(line.entitlement) != entitlement or rules.fen(line.amount) != amount:
            problems.append(_("Line %(n)s: stored %(stored)s, recomputed from its inputs %(again)s.") % {
                "n": position, "stored": rules.yuan(line.amount), "again": rules.yuan(amount)})
    total = sum((x.amount for x in lines), Decimal("0.00"))
    if rules.fen(total) != rules.fen(payout.total):
        problems.append(_("The lines sum to %(sum)s, the list says %(total)s.") % {
            "sum": rules.yuan(total), "total": rules.yuan(payout.total)})
    if content_hash(payout, lines) != payout.content_hash:
        problems.append(_("The content hash does not match the stored lines."))
    return problems


COLUMNS = (("position", "序号"), ("label", "收款人"), ("account_name", "开户名"), ("bank_name", "开户行"),
           ("account_number", "账号"), ("amount", "金额（元）"), ("rule", "规则版本"), ("basis", "依据记录"),
           ("payment_status", "支付状态"), ("paid_on", "支付日期"))


def may_reveal_accounts(user, payout) -> bool:
    """Who pays needs the full account numbers: the city administrators who run the scheme. Everyone
    else (district administrators, the payees themselves) sees them masked."""
    return getattr(user, "role", None) == Role.CITY_ADMIN and selectors.can_edit(user, payout.round)


def visible_lines(user, payout):
    return selectors.visible_queryset(PayoutLine, user).filter(payout_list=payout).order_by("position") \
        .select_related("rule_version__scheme")


def workbook(user, payout) -> tuple[bytes, bool]:
    """The payout list as xlsx: the lines ``user`` may read, account numbers masked unless
    :func:`may_reveal_accounts`; the hash and the decision in the header. Returns (bytes, revealed)."""
    from openpyxl import Workbook  # deferred: openpyxl is loaded only when a list is downloaded

    reveal = may_reveal_accounts(user, payout)
    wb = Workbook()
    ws = wb.active
    ws.title = "发放名单"
    round_ = payout.round
    ws.append([f"{round_.scheme.name} {round_.year} 年度发放名单"])
    d = payout.decision
    ws.append([f"批准：{d.get('approving_body', '')} {d.get('number', '')}（{d.get('date', '')}）", d.get("document", "")])
    ws.append([f"内容校验码 SHA-256：{payout.content_hash}"])
    ws.append([label for _name, label in COLUMNS])
    lines = list(visible_lines(user, payout))
    for x in lines:
        account = x.account_number if reveal else mask(x.account_number, "bank_account")
        ws.append([x.position, x.label, x.account_name, x.bank_name, account, float(x.amount),
                   f"{x.rule_version.scheme.code} v{x.rule_version.number}", f"{x.basis_type}:{x.basis_ids}",
                   x.get_payment_status_display(), x.paid_on.isoformat() if x.paid_on else ""])
        ws.cell(row=ws.max_row, column=6).number_format = "#,##0.00"
    ws.append(["合计", "", "", "", "", float(sum((x.amount for x in lines), Decimal("0.00")))])
    ws.cell(row=ws.max_row, column=6).number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), reveal
