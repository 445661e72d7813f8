"""No raw role strings in product code: roles are ``core.roles.Role`` members and its role sets.

The scan reads every module of ``duijie`` outside tests, migrations and ``core/roles.py`` with ``ast``.
The values that name nothing but a role (``"city_admin"`` …) may not appear as a string at all. Three
role values are also ordinary words of the domain — ``"enterprise"``, ``"institution"``, ``"expert"``
and ``"broker"`` name fields, record kinds and usernames — so those are refused where a role is
meant: compared with a ``role`` (``user.role == …``, ``role in (…)``, ``getattr(u, "role") …``),
passed as ``role=``/``roles=``/``role__…=``, as the value of a ``"role"`` key, or inside anything
assigned to a name containing "role" (``CREATE_ROLES = {…}``, ``forms_by_role = {…}``). Templates
compare ``user.role`` with ``Role.…`` (the core context processor provides it).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from duijie.core.roles import Role

ROOT = Path(__file__).resolve().parents[2]  # the duijie package
ROLE_VALUES = {r.value for r in Role}
ONLY_ROLES = ROLE_VALUES - {Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT, Role.BROKER}


def _is_role(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "role"
    if isinstance(node, ast.Name):
        return node.id == "role"
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "role")


def _role_strings(node: ast.AST | None):
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ROLE_VALUES:
        yield node
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for item in node.elts:
            yield from _role_strings(item)


def _members(node: ast.AST | None) -> list[ast.Constant]:
    """Role strings that are members of a role collection: ``{…}``, ``frozenset({…})``, ``A | {…}``, a
    dict's keys and values — not strings inside nested records (``ROLE_ACCOUNTS`` rows hold usernames)."""
    if isinstance(node, ast.Call):
        return [c for arg in node.args for c in _members(arg)]
    if isinstance(node, ast.BinOp):
        return _members(node.left) + _members(node.right)
    if isinstance(node, ast.Dict):
        return [c for part in (*node.keys, *node.values) if part is not None for c in _role_strings(part)
                if not isinstance(part, ast.Tuple)]
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        return [e for e in node.elts if isinstance(e, ast.Constant) and e.value in ROLE_VALUES]
    return list(_role_strings(node))


def _named_role(target: ast.AST) -> bool:
    name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else ""
    return "role" in name.lower()


def raw_role_literals(source: str) -> list[tuple[int, str]]:
    """(line, value) of each raw role string in ``source``."""
    found: dict[int, ast.Constant] = {}
    for node in ast.walk(ast.parse(source)):
        hits: list[ast.Constant] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ONLY_ROLES:
            hits.append(node)
        elif isinstance(node, ast.Compare) and any(_is_role(p) for p in (node.left, *node.comparators)):
            for part in (node.left, *node.comparators):
                hits += _role_strings(part)
        elif isinstance(node, ast.keyword) and node.arg and (node.arg in ("role", "roles")
                                                             or node.arg.startswith("role__")):
            hits += _role_strings(node.value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("role", "roles"):
                    hits += _role_strings(value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_named_role(t) for t in targets):
                hits += _members(node.value)
        for hit in hits:
            found[id(hit)] = hit
    return sorted((n.lineno, n.value) for n in found.values())


def _product_modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if {"tests", "migrations"} & set(rel.parts) or rel.as_posix() == "core/roles.py":
            continue
        yield rel, path.read_text(encoding="utf-8")


def test_no_raw_role_string_in_product_code():
    offenders = [f"duijie/{rel}:{line}: {value!r}" for rel, src in _product_modules()
                 for line, value in raw_role_literals(src)]
    assert not offenders, "use core.roles.Role (or a role set) instead of:\n" + "\n".join(offenders)


def test_no_raw_role_string_in_templates():
    pattern = re.compile(r"""role\s*(==|!=|\bin\b)\s*['"]|['"](%s)['"]""" % "|".join(sorted(ONLY_ROLES)))
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sorted(ROOT.rglob("templates/**/*.html"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders


def test_the_scan_finds_each_kind_of_raw_role():
    """The scan can fail: each way a role string slips in is found, and domain words are left alone."""
    source = '''
ORGANISER_ROLES = frozenset({"city_admin", "park_manager"})
forms_by_role = {"expert": 1}
if user.role == "enterprise" or getattr(u, "role", None) in ("broker", "institution"):
    User.objects.filter(role__in=["expert"]).get(role="broker")
limit = {"role": "enterprise"}
greeting = "system_admin"
qs.select_related("enterprise", "institution").filter(expert=x)  # fields, not roles
kind = "expert"
ROLE_ACCOUNTS = [("expert", "专家用户", Role.EXPERT)]  # a username
CREATE_ROLES = GOVERNMENT_ROLES | {"institution"}
'''
    assert raw_role_literals(source) == [(2, "city_admin"), (2, "park_manager"), (3, "expert"), (4, "broker"),
                                         (4, "enterprise"), (4, "institution"), (5, "broker"), (5, "expert"),
                                         (6, "enterprise"), (7, "system_admin"), (11, "institution")]
