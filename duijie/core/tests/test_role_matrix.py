"""Role × endpoint × own/foreign record matrix (UI and API).

A small world: Changzhou (武进 unit with a park, 新北 unit) and Kunshan. Every record is
classified (不宜公开) or a draft, so only scope — never visibility — can grant access. For each
role, the records outside its scope are listed explicitly; every list, detail, edit, delete,
history, export and API endpoint is asked for each of them. A leak is a 2xx on a foreign object
or a foreign record inside a list or export. The test reports the case count and asserts 0 leaks,
and checks that each role does reach its own records.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from duijie.core.models import AssessmentUnit, Organisation, Park, Region, ReportedValue
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db

SECRET = "classified"


def _world():
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411", "320583")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    park = Park.objects.create(name="测试高新区", region=r["320412"])
    gov = {
        "city": Organisation.objects.create(kind="government", name="常州市科技局", region=r["3204"]),
        "wujin": Organisation.objects.create(kind="government", name="武进区科技局", region=r["320412"],
                                             assessment_unit=wujin),
        "park": Organisation.objects.create(kind="government", name="高新区管委会", region=r["320412"], park=park),
        "kunshan": Organisation.objects.create(kind="government", name="昆山市科技局", region=r["320583"]),
    }
    rec = {}
    # enterprises: in the park (the enterprise user's own), elsewhere in 武进, in 新北, in 昆山
    rec["ent_park"] = f.enterprise(region=r["320412"], park=park, visibility=SECRET)
    rec["ent_wujin"] = f.enterprise(region=r["320412"], visibility=SECRET)
    rec["ent_xinbei"] = f.enterprise(uscc=f.uscc("320411"), region=r["320411"], visibility=SECRET)
    rec["ent_ks"] = f.enterprise(uscc=f.uscc("320583"), region=r["320583"], visibility=SECRET,
                                 filed_by_org=gov["kunshan"])
    for key in ("park", "wujin", "xinbei", "ks"):
        ent = rec[f"ent_{key}"]
        rec[f"dem_{key}"] = f.demand(ent, region=ent.region, park=ent.park, visibility=SECRET, status="draft",
                                     contact_phone="13800001111")
    inst_own = f.institution(region=r["320412"], visibility=SECRET)
    inst_other = f.institution(region=r["320411"], visibility=SECRET)
    rec["inst_own"], rec["inst_other"] = inst_own, inst_other
    rec["ach_own"] = f.achievement(inst_own, region=r["320412"], visibility=SECRET, status="draft")
    rec["ach_other"] = f.achievement(inst_other, region=r["320411"], visibility=SECRET, status="draft")
    rec["exp_self"] = f.expert(institution=inst_own, region=r["320412"], visibility=SECRET)
    rec["exp_other"] = f.expert(institution=inst_other, region=r["320411"], visibility=SECRET)
    users = {
        Role.CITY_ADMIN: f.user(role=Role.CITY_ADMIN, organisation=gov["city"]),
        Role.UNIT_ADMIN: f.user(role=Role.UNIT_ADMIN, organisation=gov["wujin"]),
        Role.PARK_MANAGER: f.user(role=Role.PARK_MANAGER, organisation=gov["park"]),
        "enterprise": f.user(role=Role.ENTERPRISE, organisation=rec["ent_park"].organisation),
        "institution": f.user(role=Role.INSTITUTION, organisation=inst_own.organisation),
        "expert": f.user(role=Role.EXPERT, organisation=inst_own.organisation),
        "broker": f.user(role=Role.BROKER, organisation=f.organisation("经纪机构", kind="other")),
        Role.SYSTEM_ADMIN: f.user(role=Role.SYSTEM_ADMIN, organisation=gov["city"]),
        Role.SECURITY_ADMIN: f.user(role=Role.SECURITY_ADMIN, organisation=gov["city"]),
        Role.AUDIT_ADMIN: f.user(role=Role.AUDIT_ADMIN, organisation=gov["city"]),
    }
    rec["exp_self"].user = users["expert"]
    rec["exp_self"].save()
    # cooperation: a project and a technology contract per enterprise (the enterprise a party to
    # the project, the buyer of the contract), and a 昆山 project that names the broker.
    from duijie.cooperation.tests import helpers as h

    for key in ("park", "wujin", "xinbei", "ks"):
        ent = rec[f"ent_{key}"]
        extra = {"filed_by_org": gov["kunshan"]} if key == "ks" else {}
        rec[f"proj_{key}"] = h.project(title=f"项目〔{key}〕", region=ent.region, park=ent.park, visibility=SECRET, **extra)
        rec[f"proj_{key}"].enterprises.set([ent])
        rec[f"con_{key}"] = h.contract(title=f"合同〔{key}〕", enterprise=ent, institution=inst_other, region=ent.region, park=ent.park,
                                       visibility=SECRET, project=rec[f"proj_{key}"], **extra)
    rec["proj_brk"] = h.project(title="项目〔brk〕", region=r["320583"], visibility=SECRET, filed_by_org=gov["kunshan"],
                                broker=users["broker"])
    # reported figures (上报数) of a 武进 unit, of 新北 and of 昆山
    for key, region, unit in (("wujin", "320412", wujin), ("xinbei", "320411", xinbei), ("ks", "320583", None)):
        extra = {"filed_by_org": gov["kunshan"]} if key == "ks" else {}
        rec[f"rep_{key}"] = ReportedValue.objects.create(
            indicator="rd-gdp-ratio", unit=unit, period_start="2025-01-01", period_end="2025-12-31", value="2.77",
            source="统计局", region=r[region], visibility=SECRET, **extra)
    # programme targets: of each district unit, the park (lying in its region, 武进) and the city bureau
    # (Changzhou), and of Kunshan
    from duijie.programmes.models import Programme, ProgrammeIndicator, Target

    for city, code in (("3204", "cz"), ("320583", "ks")):
        programme = Programme.objects.create(code=f"t-{code}", name=f"方案〔{code}〕", period_start="2025-01-01",
                                             period_end="2025-12-31", region=r[city], visibility=SECRET)
        pi = ProgrammeIndicator.objects.create(programme=programme, indicator="signed-projects", label=f"指标〔{code}〕")
        owners = ({"wujin": {"owner_unit": wujin}, "xinbei": {"owner_unit": xinbei}, "park": {"owner_park": park},
                   "city": {"owner_department": gov["city"]}} if code == "cz" else {"ks": {"owner_department": gov["kunshan"]}})
        for key, owner in owners.items():
            rec[f"tgt_{key}"] = Target.objects.create(programme_indicator=pi, period_kind="year", period_start="2025-01-01",
                                                      period_end="2025-12-31", value=3, visibility=SECRET, **owner)
    return rec, users


# For each role: (records it must reach, records it must not reach).
ALL = {"ent_park", "ent_wujin", "ent_xinbei", "ent_ks", "dem_park", "dem_wujin", "dem_xinbei", "dem_ks",
       "inst_own", "inst_other", "ach_own", "ach_other", "exp_self", "exp_other",
       "proj_park", "proj_wujin", "proj_xinbei", "proj_ks", "proj_brk", "con_park", "con_wujin", "con_xinbei",
       "con_ks", "rep_wujin", "rep_xinbei", "rep_ks", "tgt_wujin", "tgt_xinbei", "tgt_park", "tgt_city", "tgt_ks"}
OWN = {
    Role.CITY_ADMIN: ALL - {"ent_ks", "dem_ks", "proj_ks", "con_ks", "proj_brk", "rep_ks", "tgt_ks"},
    Role.UNIT_ADMIN: {"ent_park", "ent_wujin", "dem_park", "dem_wujin", "inst_own", "ach_own", "exp_self",
                   "proj_park", "proj_wujin", "con_park", "con_wujin", "rep_wujin", "tgt_wujin", "tgt_park"},
    Role.PARK_MANAGER: {"ent_park", "dem_park", "proj_park", "con_park", "tgt_park"},
    "enterprise": {"ent_park", "dem_park", "proj_park", "con_park"},
    "institution": {"inst_own", "ach_own", "exp_self"},
    "expert": {"exp_self"},
    "broker": {"proj_brk"},
    Role.SYSTEM_ADMIN: set(),
    Role.SECURITY_ADMIN: set(),
    Role.AUDIT_ADMIN: set(),
}
SLUG = {"ent": "enterprises", "dem": "demands", "inst": "institutions", "ach": "achievements", "exp": "experts",
        "proj": "projects", "con": "tech-contracts", "rep": "reported-values", "tgt": "targets"}


def _slug(key: str) -> str:
    return SLUG[key.split("_")[0]]


# One case per role, so that the workers of a parallel run share the matrix.
@pytest.mark.parametrize("role", list(OWN), ids=str)
def test_role_matrix_no_record_outside_scope(capsys, role):
    rec, users = _world()
    cases = leaks = 0
    problems = []
    user = users[role]
    ui, api = Client(), APIClient()
    ui.force_login(user)
    api.force_authenticate(user)
    foreign = ALL - OWN[role]
    for slug in sorted(set(SLUG.values())):
        page = ui.get(f"/r/{slug}/", {"per_page": 100}).content.decode()
        # only the table (the header names the user's own organisation)
        listed_ui = page[page.find("<table"):page.rfind("</table>")] if "<table" in page else ""
        listed_api = {row["id"] for row in api.get(f"/api/{slug}/", {"page_size": 200}).json().get("results", [])}
        export = ui.get(f"/r/{slug}/export.xlsx")
        exported = set()
        if export.status_code == 200:
            ws = load_workbook(io.BytesIO(export.content)).active
            exported = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        for key in sorted(k for k in ALL if _slug(k) == slug):
            obj = rec[key]
            name = str(obj)
            detail = f"/r/{slug}/{obj.pk}/"
            checks = {
                "ui list": name in listed_ui,
                "api list": obj.pk in listed_api,
                "export": name in exported or getattr(obj, "name", getattr(obj, "title", "")) in exported,
                "ui detail": ui.get(detail).status_code < 300,
                "ui history": ui.get(f"{detail}history/").status_code < 300,
                "ui edit": ui.get(f"{detail}edit/").status_code < 300,
                "ui delete": ui.get(f"{detail}delete/").status_code < 300,
                "api detail": api.get(f"/api/{slug}/{obj.pk}/").status_code < 300,
                "api patch": api.patch(f"/api/{slug}/{obj.pk}/", {}, format="json", **f.if_match(obj)).status_code < 300,
            }
            cases += len(checks)
            if key in foreign:
                for what, reached in checks.items():
                    if reached:
                        leaks += 1
                        problems.append(f"{role} reached foreign {key} via {what}")
            else:
                for what in ("ui detail", "api detail", "ui edit", "api patch"):
                    if not checks[what]:
                        problems.append(f"{role} cannot reach its own {key} via {what}")
    with capsys.disabled():
        print(f"\nrole matrix, {role}: {cases} cases, {leaks} leaks")
    assert leaks == 0 and not problems, "\n".join(problems)


def test_role_cannot_create_outside_scope():
    rec, users = _world()
    api = APIClient()
    api.force_authenticate(users["enterprise"])
    r = api.post("/api/demands/", {"enterprise": rec["ent_xinbei"].pk, "demand_type": "other", "title": "越权需求",
                                   "description": "为别的企业填报"}, format="json")
    # the other district's enterprise is restricted: to this user it does not exist, so the link is refused
    assert r.status_code == 400 and "enterprise" in r.json()
    from duijie.demands.models import Demand

    assert not Demand.objects.filter(title="越权需求").exists()
    api.force_authenticate(users[Role.UNIT_ADMIN])
    r = api.patch(f"/api/enterprises/{rec['ent_wujin'].pk}/", {"region": Region.objects.get(code="320411").pk},
                  format="json", **f.if_match(rec["ent_wujin"]))
    # moving a record out of one's own scope is refused, naming the field
    assert r.status_code == 400 and "region" in r.json()
    rec["ent_wujin"].refresh_from_db()
    assert rec["ent_wujin"].region.code == "320412"


def test_platform_admins_read_no_business_data():
    _, users = _world()
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        api = APIClient()
        api.force_authenticate(users[role])
        assert api.get("/api/demands/").json()["count"] == 0
        assert api.post("/api/demands/", {}, format="json").status_code == 403
