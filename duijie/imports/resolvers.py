"""Foreign keys by natural key or name, each table loaded once per import (a fixed number of queries).

Names are compared folded (full/half width, traditional/simplified, brackets, whitespace); a name
that fits several records is refused with the codes to use instead.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from duijie.core.models import AssessmentUnit, Industry, Organisation, Park, Region
from duijie.core.reference import REFERENCE_DIR
from duijie.core.validators import normalise_uscc
from duijie.imports.values import cell_text, fold_key, nfkc
from duijie.orgs.models import Enterprise, Institution


@dataclass(frozen=True)
class NewInstitution:
    """An institution the file names that the registry does not have: created provisional."""

    name: str

    @property
    def key(self) -> str:
        return fold_key(self.name)


class Lookup:
    """code → pk and folded name → [pk] for one table."""

    def __init__(self, rows, what: str):
        self.what = what
        self.codes: dict[str, int] = {}
        self.names: dict[str, list[int]] = {}
        self.exact: dict[str, list[int]] = {}  # as written (width folded only): 常州大学 ≠ 常州大學
        for pk, codes, names in rows:
            for code in codes:
                if code:
                    self.codes[nfkc(code).strip().upper()] = pk
            for name in names:
                if name:
                    self.names.setdefault(fold_key(name), [])
                    if pk not in self.names[fold_key(name)]:
                        self.names[fold_key(name)].append(pk)
                    exact = self.exact.setdefault(nfkc(name).strip(), [])
                    if pk not in exact:
                        exact.append(pk)

    def find(self, raw) -> int | None:
        text = cell_text(raw)
        code = nfkc(text).strip().upper()
        if code in self.codes:
            return self.codes[code]
        first = code.split(" ", 1)[0]  # “C3841 锂离子电池制造”: the code in front of its name
        if first != code and first in self.codes:
            return self.codes[first]
        if re.fullmatch(r"[A-T]\d{2,4}", first) and first[1:] in self.codes:
            return self.codes[first[1:]]  # GB/T 4754 class written with its section letter
        pks = self.names.get(fold_key(text), [])
        if len(pks) > 1:
            # Two records whose names differ only in script or width (a traditional-script duplicate
            # awaiting merge): the one spelled exactly as the cell is meant.
            exact = self.exact.get(nfkc(text).strip(), [])
            if len(exact) == 1:
                return exact[0]
            raise ValueError(_("“%(value)s” matches several %(what)s: use the code instead.")
                             % {"value": text, "what": self.what})
        return pks[0] if pks else None

    def get(self, raw) -> int:
        pk = self.find(raw)
        if pk is None:
            raise ValueError(_("No %(what)s “%(value)s” in the registry.") % {"what": self.what, "value": cell_text(raw)})
        return pk


ALIASES_CSV = REFERENCE_DIR / "institution_aliases.csv"


@functools.cache
def institution_aliases() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """The shipped short forms (core/reference/institution_aliases.csv, provenance there): folded
    whole-name alias → full name, and (folded prefix, full prefix), longest first."""
    names: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    with open(ALIASES_CSV, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["match"] == "prefix":
                prefixes.append((fold_key(row["alias"]), fold_key(row["name"])))
            else:
                names[fold_key(row["alias"])] = row["name"]
    prefixes.sort(key=lambda p: -len(p[0]))
    return names, tuple(prefixes)


def alias_spellings(text: str) -> list[str]:
    """Other spellings of a name written in a short form (folded): 上海交大 → 上海交通大学, 中科院微电子研究所 →
    中国科学院微电子研究所, and back (中国科学院微电子研究所 → 中科院微电子研究所), so either form finds a
    record stored in the other."""
    names, prefixes = institution_aliases()
    key = fold_key(text)
    out = []
    if key in names:
        out.append(fold_key(names[key]))
    for short, full in prefixes:
        if key.startswith(short):
            out.append(full + key[len(short):])
        elif key.startswith(full):
            out.append(short + key[len(full):])
    return [o for o in dict.fromkeys(out) if o != key]


class Resolvers:
    """Lazily loaded lookups for every foreign key an import kind has."""

    def __init__(self):
        self._cache: dict[str, Lookup] = {}
        self.enterprise_org: dict[int, int | None] = {}
        self.institution_org: dict[int, int | None] = {}

    def _lookup(self, name: str) -> Lookup:
        if name not in self._cache:
            self._cache[name] = getattr(self, f"_load_{name}")()
        return self._cache[name]

    def _load_industry(self) -> Lookup:
        return Lookup(((pk, [code], [name]) for pk, code, name in Industry.objects.values_list("pk", "code", "name")),
                      _("industries"))

    def _load_region(self) -> Lookup:
        return Lookup(((pk, [code], [name]) for pk, code, name in Region.objects.values_list("pk", "code", "name")),
                      _("regions"))

    def _load_park(self) -> Lookup:
        return Lookup(((pk, [], [name, short]) for pk, name, short in
                       Park.objects.values_list("pk", "name", "short_name")), _("parks"))

    def _load_unit(self) -> Lookup:
        return Lookup(((pk, [code], [name]) for pk, code, name in
                       AssessmentUnit.objects.values_list("pk", "code", "name")), _("assessment units"))

    def _load_organisation(self) -> Lookup:
        return Lookup(((pk, [], [name]) for pk, name in Organisation.objects.values_list("pk", "name")),
                      _("organisations"))

    def _load_institution(self) -> Lookup:
        rows = []
        for pk, name, short, aliases, org in Institution.objects.values_list(
                "pk", "name", "short_name", "aliases", "organisation_id"):
            self.institution_org[pk] = org
            rows.append((pk, [], [name, short, *aliases.splitlines()]))
        return Lookup(rows, _("institutions"))

    def _load_enterprise(self) -> Lookup:
        rows = []
        for pk, uscc, name, org in Enterprise.objects.values_list("pk", "uscc", "name", "organisation_id"):
            self.enterprise_org[pk] = org
            rows.append((pk, [uscc], [name]))
        return Lookup(rows, _("enterprises"))

    def resolve(self, field_name: str, model_label: str, raw, allow_new_institution: bool = False):
        """The pk for a foreign-key cell (or ``NewInstitution`` when allowed); ValueError with a reason."""
        table = {"core.industry": "industry", "core.region": "region", "core.park": "park",
                 "core.assessmentunit": "unit", "core.organisation": "organisation",
                 "orgs.institution": "institution", "orgs.enterprise": "enterprise"}.get(model_label)
        if table is None:  # pragma: no cover - kinds only declare the foreign keys above
            raise ValueError(_("This column cannot be imported."))
        lookup = self._lookup(table)
        if table in ("institution", "organisation") and lookup.find(raw) is None:
            for other in alias_spellings(cell_text(raw)):  # 上海交大, 中科院…所 (core/reference)
                if lookup.find(other) is not None:
                    return lookup.find(other)
        if table == "enterprise":
            code = normalise_uscc(cell_text(raw))
            if code in lookup.codes:
                return lookup.codes[code]
        if table == "institution" and allow_new_institution:
            pk = lookup.find(raw)
            return pk if pk is not None else NewInstitution(cell_text(raw))
        return lookup.get(raw)
