"""The write side of the role matrix: every role × every writable field that decides scope (region,
park, assessment units, owner organisation, visibility, a reported figure's unit) × UI form, API PATCH/PUT/POST and import,
each trying a value outside the role's scope on a record the role may edit — 0 accepted.

Positive controls run through the same harness (a government role moving a record inside its own
scope is accepted on every channel), so a channel that silently refuses everything fails the test.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from duijie.core.models import AssessmentUnit, Organisation, Park, Region
from duijie.core.registry import REGISTRY
from duijie.core.roles import GOVERNMENT_ROLES, Role
from duijie.core.scope import scope_field_names
from duijie.core.selectors import editable_queryset
from duijie.core.tests import factories as f
from duijie.core.tests.test_role_matrix import ALL, OWN, _slug, _world

pytestmark = pytest.mark.django_db

IMPORT_KIND = {"enterprises": "enterprise", "demands": "demand", "institutions": "institution",
               "achievements": "achievement", "experts": "expert"}


def _form_data(form) -> dict:
    """What the edit page would post back unchanged."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def _stored(obj, name):
    model = type(obj)
    fresh = model._default_manager.get(pk=obj.pk)
    field = model._meta.get_field(name)
    if field.many_to_many:
        return set(getattr(fresh, name).values_list("pk", flat=True))
    return getattr(fresh, field.attname)


def _holds(obj_or_value, name, bad, *, model=None) -> bool:
    value = _stored(obj_or_value, name) if model is None else obj_or_value
    return bool(set(bad) & value) if isinstance(bad, list) else value == bad


def _import(kind_name, obj, name, bad, user) -> bool:
    """Export the record in the import layout, change one column, import it; True if written."""
    from duijie.imports import engine
    from duijie.imports.engine.reading import template_header
    from duijie.imports.kinds import KINDS
    from duijie.imports.sheets import export_xlsx

    kind = KINDS[kind_name]
    if name not in kind.columns:
        return False
    wb = load_workbook(io.BytesIO(export_xlsx(kind, [obj])))
    ws = wb.active
    header = template_header(kind, name)
    rows = list(ws.iter_rows())
    head = next(i for i, row in enumerate(rows) if any(c.value == header for c in row))
    col = next(c.column for c in rows[head] if c.value == header)
    model = kind.model
    if name == "region":
        text = Region.objects.get(pk=bad).code
    elif name == "park":
        text = Park.objects.get(pk=bad).name
    elif name == "assessment_units":
        text = AssessmentUnit.objects.get(pk=bad[0]).name
    else:
        text = dict(model._meta.get_field(name).choices)[bad]
    ws.cell(row=rows[head + 1][0].row, column=col, value=str(text))
    out = io.BytesIO()
    wb.save(out)
    result = engine.run(kind, out.getvalue(), "matrix.xlsx", user, commit=True)
    return result.committed and _holds(obj, name, bad)


def _bad_values(role, ks) -> dict[str, list]:
    """Out-of-scope values per field for a role of the 常州 world."""
    out = {"region": [ks["region"]], "park": [ks["park"]], "assessment_units": [[ks["unit"]]],
           "owner_org": [ks["org"]]}
    out["unit"] = [ks["unit"]]  # whose figure a reported value is (ReportedValue.SCOPE_UNIT_FIELDS)
    if role != Role.CITY_ADMIN:
        out["region"].append(Region.objects.get(code="320411").pk)  # 新北: outside 武进, the park, a party
        out["unit"].append(AssessmentUnit.objects.get(code="t-xinbei").pk)
    if role not in GOVERNMENT_ROLES:
        out["visibility"] = ["public"]  # every record of the world is 不宜公开: only a bureau lifts that
    return out


def _kunshan():
    ks_region = Region.objects.get(code="320583")
    park = Park.objects.create(name="昆山测试园区", region=ks_region)
    unit = AssessmentUnit.objects.create(name="昆山测试板块", code="t-ks", kind="district",
                                         city=Region.objects.get(code="3205"))
    unit.regions.set([ks_region])
    org = Organisation.objects.get(name="昆山市科技局")
    return {"region": ks_region.pk, "park": park.pk, "unit": unit.pk, "org": org.pk}


def _attempts(role, user, obj, rt, ks):
    """(channel, field, accepted) for every out-of-scope value on every channel."""
    names = [n for n in scope_field_names(rt.model)]
    form_class = rt.form_for(user)
    ui, api = Client(), APIClient()
    ui.force_login(user)
    api.force_authenticate(user)
    url = f"/api/{rt.slug}/{obj.pk}/"
    for name, values in _bad_values(role, ks).items():
        if name not in names:
            continue
        for bad in values:
            if _holds(obj, name, bad):
                continue  # already there: not an attempt to move it
            if form_class is not None and name in form_class.base_fields:
                data = _form_data(form_class(instance=obj, user=user))
                data[name] = [str(v) for v in bad] if isinstance(bad, list) else str(bad)
                ui.post(f"/r/{rt.slug}/{obj.pk}/edit/", data)
                yield "ui form", name, _holds(obj, name, bad)
            serializer_fields = rt.serializer().fields if rt.serializer else {}
            if name in serializer_fields and not serializer_fields[name].read_only:
                api.patch(url, {name: bad}, format="json", **f.if_match(obj))
                yield "api patch", name, _holds(obj, name, bad)
                clean = api.get(url).json()
                api.put(url, {**clean, name: bad}, format="json", **f.if_match(obj))
                yield "api put", name, _holds(obj, name, bad)
                if name != "visibility":  # a new record's visibility is its filer's choice
                    posted = _post(api, rt, clean, name, bad)
                    if posted is not None:
                        yield "api post", name, posted
            kind = IMPORT_KIND.get(rt.slug)
            if kind:
                yield "import", name, _import(kind, type(obj)._default_manager.get(pk=obj.pk), name, bad, user)


def _post(api, rt, body, name, bad) -> bool | None:
    """POST a copy of ``body`` with ``name`` set to ``bad``; True if created holding it. None when the
    same copy without the bad value is not accepted either (the case would prove nothing)."""
    payload = {k: v for k, v in body.items() if k not in ("id", "status", "created_at", "updated_at")
               and not (isinstance(v, str) and "*" in v)}  # masked personal data is not sent back

    def send(data, suffix):
        data = dict(data)
        for key in ("title", "name"):
            if key in data:
                data[key] = f"{data[key]}·{suffix}"
        _post.last = api.post(f"/api/{rt.slug}/", data, format="json")
        return _post.last

    if send(payload, "对照").status_code != 201:
        return None
    response = send({**payload, name: bad}, "越权副本")
    if response.status_code != 201:
        return False
    created = rt.model._default_manager.get(pk=response.json()["id"])
    return _holds(created, name, bad)


# One case per role, so that the workers of a parallel run share the matrix.
@pytest.mark.parametrize("role", list(OWN), ids=str)
def test_no_role_sets_a_scope_field_outside_its_scope(capsys, role):
    rec, users = _world()
    ks = _kunshan()
    cases, accepted, problems = 0, 0, []
    counts: dict[str, int] = {}
    user = users[role]
    for key in sorted(ALL):
        obj = rec[key]
        rt = REGISTRY[_slug(key)]
        if not editable_queryset(rt.model, user).filter(pk=obj.pk).exists():
            continue
        for channel, name, ok in _attempts(role, user, obj, rt, ks):
            cases += 1
            counts[channel] = counts.get(channel, 0) + 1
            if ok:
                accepted += 1
                problems.append(f"{role} set {name} of {key} out of scope via {channel}")
    with capsys.disabled():
        print(f"\nwrite matrix, {role}: {cases} cases ({counts}), {accepted} accepted")
    # Every role that edits a record of the world is tried; the city administrator on every channel
    # (a channel that silently tried nothing would make the matrix prove nothing).
    assert cases > 0 or not any(editable_queryset(REGISTRY[_slug(k)].model, users[role]).filter(pk=rec[k].pk).exists()
                                for k in ALL)
    if role == Role.CITY_ADMIN:
        assert cases > 100 and set(counts) == {"ui form", "api patch", "api put", "api post", "import"}
    assert accepted == 0, "\n".join(problems)


def test_controls_a_bureau_moves_a_record_inside_its_scope_on_every_channel():
    """The harness is able to see an accepted write (else the matrix above proves nothing)."""
    rec, users = _world()
    city = users[Role.CITY_ADMIN]
    xinbei = Region.objects.get(code="320411").pk
    rt = REGISTRY["enterprises"]
    ui, api = Client(), APIClient()
    ui.force_login(city)
    api.force_authenticate(city)
    ent = rec["ent_wujin"]
    data = _form_data(rt.form_for(city)(instance=ent, user=city))
    data["region"] = str(xinbei)
    ui.post(f"/r/enterprises/{ent.pk}/edit/", data)
    assert _stored(ent, "region") == xinbei
    wujin = Region.objects.get(code="320412").pk
    api.patch(f"/api/enterprises/{ent.pk}/", {"region": wujin}, format="json", **f.if_match(ent))
    assert _stored(ent, "region") == wujin
    body = api.get(f"/api/enterprises/{ent.pk}/").json()
    body["region"] = xinbei
    assert api.put(f"/api/enterprises/{ent.pk}/", body, format="json", **f.if_match(ent)).status_code == 200
    assert _stored(ent, "region") == xinbei
    assert _import("enterprise", type(ent).objects.get(pk=ent.pk), "region", wujin, city)
    assert _import("enterprise", type(ent).objects.get(pk=ent.pk), "visibility", "public", city)
    dem = api.get(f"/api/demands/{rec['dem_wujin'].pk}/").json()
    assert _post(api, REGISTRY["demands"], dem, "region", dem["region"]), _post.last.content.decode()
    # an enterprise may narrow or widen its own record's visibility, short of lifting 不宜公开
    ent_user = users["enterprise"]
    own = rec["dem_park"]
    api.force_authenticate(ent_user)
    assert api.patch(f"/api/demands/{own.pk}/", {"visibility": "public"}, format="json",
                     **f.if_match(own)).status_code == 400
    assert api.patch(f"/api/demands/{own.pk}/", {"title": "改个标题"}, format="json",
                     **f.if_match(own)).status_code == 200


def test_organisations_only_inside_the_city_and_never_ones_own_bureau_scope():
    """The review's takeover: the 昆山 administrator emptied its own bureau's region (and then read
    the whole platform), and re-pointed another city's bureau."""
    rec, _users = _world()
    ks_admin = f.user(role=Role.CITY_ADMIN, organisation=Organisation.objects.get(name="昆山市科技局"))
    own = ks_admin.organisation
    wujin_bureau = Organisation.objects.get(name="武进区科技局")
    api, ui = APIClient(), Client()
    api.force_authenticate(ks_admin)
    ui.force_login(ks_admin)
    r = api.patch(f"/api/organisations/{own.pk}/", {"region": None}, format="json", **f.if_match(own))
    assert r.status_code == 400 and "region" in r.json()
    ui.post(f"/r/organisations/{own.pk}/edit/", {"kind": "government", "name": own.name, **f.form_version(own)})
    own.refresh_from_db()
    assert own.region.code == "320583"
    # organisations are listed for everyone (names only), so another city's bureau is refused, not hidden
    assert api.patch(f"/api/organisations/{wujin_bureau.pk}/", {"name": "改了"}, format="json",
                     **f.if_match(wujin_bureau)).status_code == 403
    assert ui.post(f"/r/organisations/{wujin_bureau.pk}/edit/", {"kind": "government", "name": "改了",
                                                                 "region": own.region_id,
                                                                 **f.form_version(wujin_bureau)}).status_code == 403
    wujin_bureau.refresh_from_db()
    assert wujin_bureau.name == "武进区科技局" and wujin_bureau.region.code == "320412"
    # the name of one's own bureau stays editable
    assert api.patch(f"/api/organisations/{own.pk}/", {"name": "昆山市科学技术局"}, format="json",
                     **f.if_match(own)).status_code == 200
    # a bureau whose city is gone sees only what it filed, not the platform
    from duijie.core.selectors import visible_queryset
    from duijie.demands.models import Demand

    Organisation.objects.filter(pk=own.pk).update(region=None)
    ks_admin.refresh_from_db()
    assert not visible_queryset(Demand, ks_admin).filter(pk=rec["dem_wujin"].pk).exists()
    assert not visible_queryset(Demand, ks_admin).filter(pk=rec["dem_ks"].pk).exists()


def test_business_metrics_pairings_and_placements_only_for_parties_and_scope():
    """The review read 1,154 rows of every enterprise's revenue, R&D spend and tax at /api/metrics/ as any
    logged-in user, and every city's pairings and placements as any enterprise."""
    from duijie.orgs.models import EnterpriseMetric
    from duijie.pairings.models import Pairing, Placement

    rec, users = _world()
    for key in ("ent_park", "ent_wujin", "ent_ks"):
        EnterpriseMetric.objects.create(enterprise=rec[key], year=2025, revenue=1000000, rd_spend=50000, tax=30000)
    # published-looking records: visibility alone would show them to every logged-in user
    for key in ("ent_park", "ent_ks"):
        ent = rec[key]
        Pairing.objects.create(enterprise=ent, expert=rec["exp_self"], start_on=date(2026, 1, 1), region=ent.region,
                               visibility="public")
        Placement.objects.create(scheme="tech_vp_city", year=2026, person_name="某教授", expert=rec["exp_self"],
                                 host_enterprise=ent, start_on=date(2026, 1, 1), region=ent.region,
                                 visibility="public")
    expected = {
        # role: (metrics of, pairings/placements of)
        "enterprise": ({"ent_park"}, {"ent_park"}),
        "institution": (set(), set()),
        "expert": (set(), {"ent_park", "ent_ks"}),  # the expert is party to both
        "broker": (set(), set()),
        Role.UNIT_ADMIN: ({"ent_park", "ent_wujin"}, {"ent_park"}),
        Role.CITY_ADMIN: ({"ent_park", "ent_wujin"}, {"ent_park"}),
        Role.SYSTEM_ADMIN: (set(), set()),
    }
    pk_to_key = {rec[k].pk: k for k in ("ent_park", "ent_wujin", "ent_ks")}
    for role, (metrics, parties) in expected.items():
        api = APIClient()
        api.force_authenticate(users[role])
        got = {pk_to_key[row["enterprise"]] for row in api.get("/api/metrics/", {"page_size": 100}).json()["results"]}
        assert got == metrics, role
        got = {pk_to_key[row["enterprise"]] for row in api.get("/api/pairings/", {"page_size": 100}).json()["results"]}
        assert got == parties, role
        got = {pk_to_key[row["host_enterprise"]]
               for row in api.get("/api/placements/", {"page_size": 100}).json()["results"]}
        assert got == parties, role
    assert APIClient().get("/api/metrics/").status_code in (401, 403)


def test_a_university_office_files_achievements_only_for_its_own_institution():
    """The form/API side of the review's Annex-1 finding: an institution account created achievements of
    other universities, which it could then edit."""
    from duijie.supply.models import Achievement

    rec, users = _world()
    other = f.institution(name="别的大学", visibility="platform")
    api = APIClient()
    api.force_authenticate(users["institution"])
    body = {"name": "冒名成果", "institution": other.pk, "lead_name": "张三", "field": "新材料", "stage": "研制阶段",
            "introduction": "一项新材料成果"}
    r = api.post("/api/achievements/", body, format="json")  # a field error naming the institution (issue 16)
    assert r.status_code == 400 and "institution" in r.json(), r.content
    assert not Achievement.objects.filter(name="冒名成果").exists()
    body["institution"] = rec["inst_own"].pk
    r = api.post("/api/achievements/", body, format="json")
    assert r.status_code == 201, r.content
    created = Achievement.objects.get(name="冒名成果")
    assert created.region_id == rec["inst_own"].region_id  # lies where its institution lies
