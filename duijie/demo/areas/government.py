"""Assessment units (three schemes), the government bodies behind them, and parks."""

from __future__ import annotations

from datetime import date

from duijie.core.choices import OrgKind, Visibility
from duijie.core.models import AssessmentUnit, Organisation, Park
from duijie.demo import content as C


def make_units(g) -> None:
    units = []
    for code, name, kind, city, _parent, _regions, _parks, start, end, note in C.ASSESSMENT_UNITS:
        units.append(AssessmentUnit(code=code, name=name, kind=kind, city_id=g.region[city], note=note,
                                    valid_from=date.fromisoformat(start) if start else None,
                                    valid_to=date.fromisoformat(end) if end else None))
    g.admin_user = None  # history rows of units have no user yet
    units = g.save(AssessmentUnit, units)
    g.unit = {u.code: u for u in units}
    by_code = {row[0]: row for row in C.ASSESSMENT_UNITS}
    for u in units:
        parent = by_code[u.code][4]
        if parent:
            u.parent = g.unit[parent]
    AssessmentUnit.objects.bulk_update([u for u in units if u.parent_id], ["parent"])
    history = AssessmentUnit.history.model
    for u in units:
        if u.parent_id:
            history.objects.filter(id=u.pk).update(parent_id=u.parent_id)
    wujin_rest = [c for c in g.towns["320412"] if c not in C.JINGKAI_TOWNS]
    regions = []
    for u in units:
        codes = by_code[u.code][5] or (wujin_rest if u.code == "cz2026-wujin" else [])
        regions.append([g.region[c] for c in codes])
    g.link(AssessmentUnit, units, "regions", regions)


def make_government(g) -> None:
    orgs = [Organisation(kind=OrgKind.GOVERNMENT, name=name, region_id=g.region[region],
                         assessment_unit=g.unit[unit] if unit else None)
            for name, region, unit in C.GOVERNMENT]
    orgs = Organisation.objects.bulk_create(orgs)
    g.count(Organisation, len(orgs))
    g.gov = {o.name: o for o in orgs}
    g.gov_by_unit = {o.assessment_unit.code: o for o in orgs if o.assessment_unit_id}
    g.city_org = g.gov["常州市科学技术局"]


def make_parks(g) -> None:
    parks = []
    for name, short, level, region, tracks, _keys, years, address in C.PARKS:
        parks.append(Park(name=name, short_name=short, level=level, region_id=g.region[region],
                          industry_tracks=tracks, directory_years=years, address=address,
                          description=f"{name}，重点发展{tracks}等特色优势产业。",
                          visibility=Visibility.PUBLIC, **g.scope()))
    parks = g.save(Park, parks)
    g.park = {p.name: p for p in parks}
    g.park_keys = {row[0]: row[5] for row in C.PARKS}
    g.park_region = {row[0]: row[3] for row in C.PARKS}
    g.link(Park, parks, "industries",
              [[g.industry[C.INDUSTRIES[k]["gbt"][0]] for k in row[5]] for row in C.PARKS])
    # unit ↔ park mapping, both directions
    unit_list = [g.unit[row[0]] for row in C.ASSESSMENT_UNITS]
    g.link(AssessmentUnit, unit_list, "parks", [[g.park[n].pk for n in row[6]] for row in C.ASSESSMENT_UNITS])
    park_units: dict[str, list[int]] = {p.name: [] for p in parks}
    for row in C.ASSESSMENT_UNITS:
        for n in row[6]:
            park_units[n].append(g.unit[row[0]].pk)
    g.link(Park, parks, "assessment_units", [park_units[p.name] for p in parks])
