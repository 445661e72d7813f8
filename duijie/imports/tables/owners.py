"""Names in a target table → the programme's indicators and the owners of its targets.

Indicator columns match a programme indicator by its printed label (``ProgrammeIndicator.label``),
the label of the indicator it names (with or without its unit), or a heading its source clause quotes
(附件2“项目合作（项）”: the same indicator printed under another heading in another annex).

Owners: assessment units by name (valid in the programme's period; of the programme's city when the
name is ambiguous); in Annex 2 also parks (name or short name) and city departments (government
organisations) — by name, or by the printed abbreviation of a department of the programme's region
(市科技局 for 昆山市科学技术局: the printed characters in order, the same last character).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from duijie.core import plugins
from duijie.core.choices import OrgKind
from duijie.core.models import AssessmentUnit, Organisation, Park
from duijie.imports.tables.layout import fold, stem
from duijie.imports.values import fold_key
from duijie.programmes.models import Programme, ProgrammeIndicator

QUOTED_RE = re.compile(r"(附件\s*\d+)?\s*[“\"「]([^”\"」]+)[”\"」]")
NAME_SPLIT_RE = re.compile(r"[、，,；;]")


def _key(text: str) -> str:
    return fold_key(fold(text))


def printed_labels(pi: ProgrammeIndicator) -> dict[str, str]:
    """Annex ("附件2") → the heading the source clause quotes for it; "" → the label as printed."""
    out = {"": pi.label or str(pi.indicator_label)}
    for annex, label in QUOTED_RE.findall(pi.source or ""):
        if annex:
            out.setdefault(re.sub(r"\s+", "", annex), label)
    return out


def label_for(pi: ProgrammeIndicator, annex: str) -> str:
    labels = printed_labels(pi)
    return labels.get(annex) or labels[""]


def indicator_index(programme: Programme) -> dict[str, list[ProgrammeIndicator]]:
    """Folded heading → the programme indicators it may name."""
    index: dict[str, list[ProgrammeIndicator]] = {}
    for pi in programme.indicators.all():
        names = {pi.label, *(label for _a, label in QUOTED_RE.findall(pi.source or ""))}
        known = plugins.indicators().get(pi.indicator)
        if known is not None:
            names |= {str(known.label), f"{known.label}（{known.unit}）"}
        for name in filter(None, names):
            for key in (_key(name), _key(stem(name))):
                if pi not in index.setdefault(key, []):
                    index[key].append(pi)
    return index


@dataclass(frozen=True)
class Owner:
    field: str  # Target.owner_unit / owner_park / owner_department
    obj: object
    note: str = ""

    @property
    def pk(self):
        return self.obj.pk


def _in_period(programme: Programme) -> Q:
    return ((Q(valid_from__isnull=True) | Q(valid_from__lte=programme.period_end))
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=programme.period_start)))


def _subsequence(short: str, name: str) -> bool:
    it = iter(name)
    return all(ch in it for ch in short)


class Owners:
    """Resolves the owner names of one table (each table loaded once)."""

    def __init__(self, programme: Programme, *, departments_and_parks: bool):
        self.programme = programme
        region = programme.region.code if programme.region_id else ""
        self.region = region
        self.units: dict[str, list[AssessmentUnit]] = {}
        for unit in AssessmentUnit.objects.filter(_in_period(programme)).select_related("city"):
            self.units.setdefault(_key(unit.name), []).append(unit)
        self.parks: dict[str, list[Park]] = {}
        self.departments: list[Organisation] = []
        if departments_and_parks:
            for park in Park.objects.all():
                for name in {park.name, park.short_name} - {""}:
                    self.parks.setdefault(_key(name), []).append(park)
            self.departments = list(Organisation.objects.filter(kind=OrgKind.GOVERNMENT).select_related("region"))

    def _unit(self, key: str) -> AssessmentUnit | None:
        found = self.units.get(key, [])
        if len(found) > 1 and self.region:
            near = [u for u in found if u.city_id and (self.region.startswith(u.city.code) or u.city.code.startswith(self.region))]
            found = near or found
        if len(found) > 1:
            raise ValueError(_("“%(name)s” names several assessment units (%(codes)s): rename one of them.")
                             % {"name": key, "codes": "、".join(u.code for u in found)})
        return found[0] if found else None

    def _department(self, text: str) -> Organisation | None:
        key = _key(text)
        exact = [o for o in self.departments if _key(o.name) == key]
        if not exact and len(key) >= 3:  # the printed abbreviation of a department of the programme's region
            exact = [o for o in self.departments if o.region_id and o.region.code.startswith(self.region)
                     and _key(o.name)[-1:] == key[-1:] and _subsequence(key, _key(o.name))]
        if len(exact) > 1:
            raise ValueError(_("“%(name)s” may be any of %(names)s: write the department's full name.")
                             % {"name": text, "names": "、".join(o.name for o in exact)})
        return exact[0] if exact else None

    def _one(self, text: str) -> Owner | None:
        key = _key(text)
        unit = self._unit(key)
        if unit is not None:
            return Owner("owner_unit", unit)
        if not self.departments and not self.parks:
            return None
        parks = self.parks.get(key, [])
        if len(parks) > 1:
            raise ValueError(_("“%(name)s” names several parks: write the park's full name.") % {"name": text})
        if parks:
            return Owner("owner_park", parks[0])
        dept = self._department(text)
        return Owner("owner_department", dept) if dept is not None else None

    def resolve(self, text: str) -> Owner | None:
        """The owner a row names (None: unknown); ValueError when the name is ambiguous. A row naming
        several departments (市科技局、…中心、招商中心) files its targets for the first, the lead."""
        owner = self._one(text)
        if owner is not None or not self.departments:
            return owner
        names = [n.strip() for n in NAME_SPLIT_RE.split(text) if n.strip()]
        if len(names) < 2:
            return None
        lead = self._one(names[0])
        if lead is None:
            return None
        return Owner(lead.field, lead.obj, note=_("Filed for %(lead)s, the first of the departments the row names "
                                                  "(the others are named in the target's source).")
                     % {"lead": lead.obj})
