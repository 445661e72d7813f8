"""Foreign keys by natural key or name, each table loaded once per import (a fixed number of queries).

Names are compared folded (full/half width, traditional/simplified, brackets, whitespace); a name
that fits several records is refused with the codes to use instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from duijie.core.models import AssessmentUnit, Industry, Organisation, Park, Region
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
        for pk, codes, names in rows:
            for code in codes:
                if code:
                    self.codes[nfkc(code).strip().upper()] = pk
            for name in names:
                if name:
                    self.names.setdefault(fold_key(name), [])
                    if pk not in self.names[fold_key(name)]:
                        self.names[fold_key(name)].append(pk)

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
            raise ValueError(_("“%(value)s” matches several %(what)s: use the code instead.")
                             % {"value": text, "what": self.what})
        return pks[0] if pks else None

    def get(self, raw) -> int:
        pk = self.find(raw)
        if pk is None:
            raise ValueError(_("No %(what)s “%(value)s” in the registry.") % {"what": self.what, "value": cell_text(raw)})
        return pk


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
        if table == "enterprise":
            code = normalise_uscc(cell_text(raw))
            if code in lookup.codes:
                return lookup.codes[code]
        if table == "institution" and allow_new_institution:
            pk = lookup.find(raw)
            return pk if pk is not None else NewInstitution(cell_text(raw))
        return lookup.get(raw)
