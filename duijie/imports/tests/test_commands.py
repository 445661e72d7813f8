"""manage.py import_file / export_file: the output contract and the round trip."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.imports.services import OPERATOR_USERNAME
from duijie.imports.tests.helpers import xlsx
from duijie.orgs.models import Enterprise

pytestmark = pytest.mark.django_db


def call(*args):
    out = StringIO()
    code = 0
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    lines = out.getvalue().strip().splitlines()
    return code, lines


def test_import_file_prints_counts_as_json_last_and_runs_as_the_operator(tmp_path):
    path = tmp_path / "e.xlsx"
    path.write_bytes(xlsx([["统一社会信用代码", "企业名称"], [f.uscc(), "常州甲有限公司"], [f.uscc(), "常州乙有限公司"]]))
    code, lines = call("import_file", "enterprise", str(path), "--dry-run")
    assert code == 0 and json.loads(lines[-1]) == {"new": 2, "updated": 0, "unchanged": 0, "errors": 0}
    assert not Enterprise.objects.exists()
    code, lines = call("import_file", "enterprise", str(path))
    assert code == 0 and json.loads(lines[-1])["new"] == 2
    e = Enterprise.objects.first()
    assert e.filed_by.username == OPERATOR_USERNAME and e.filed_by.role == Role.CITY_ADMIN
    assert not e.filed_by.has_usable_password()
    code, lines = call("import_file", "enterprise", str(path))
    assert json.loads(lines[-1]) == {"new": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_import_file_with_errors_prints_each_writes_nothing_and_exits_non_zero(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("统一社会信用代码,企业名称,成立日期\n91320412MA1XXXXXX0,常州甲有限公司,明天\n", encoding="utf-8")
    code, lines = call("import_file", "enterprise", str(path))
    assert code == 1
    errors = [json.loads(line) for line in lines[:-1]]
    assert {e["row"] for e in errors} == {2}
    assert {e["column"] for e in errors} == {"统一社会信用代码", "成立日期"}
    assert json.loads(lines[-1]) == {"new": 0, "updated": 0, "unchanged": 0, "errors": 1}
    assert not Enterprise.objects.exists()


def test_import_file_as_a_named_user(tmp_path, enterprise_user):
    other = f.enterprise()
    path = tmp_path / "e.xlsx"
    path.write_bytes(xlsx([["统一社会信用代码", "企业名称"], [other.uscc, "改名有限公司"]]))
    code, lines = call("import_file", "enterprise", str(path), "--user", enterprise_user.username)
    assert code == 1 and json.loads(lines[0]) == {"row": 2, "column": "", "reason": "不是您可以修改的记录"}


def test_import_file_refuses_a_file_over_the_size_limit(tmp_path, settings):
    settings.DUIJIE_IMPORT_MAX_BYTES = 10
    path = tmp_path / "e.csv"
    path.write_text("统一社会信用代码,企业名称\n", encoding="utf-8")
    code, lines = call("import_file", "enterprise", str(path))
    assert code == 1 and "超过上限" in json.loads(lines[0])["reason"]


def _seed_everything():
    from duijie.core.models import AssessmentUnit, Park, Region
    from duijie.supply.models import Carrier, Patent, Scenario

    wujin = Region.objects.get(code="320412")
    park = Park.objects.create(name="武进高新区", short_name="武高", region=wujin, directory_years=[2025, 2026],
                               industry_tracks="新能源、智能制造")
    unit = AssessmentUnit.objects.create(name="武进区", code="wujin-2026", kind="district",
                                         city=Region.objects.get(code="3204"))
    ent = f.enterprise(name="常州（武进）=科技有限公司", registered_capital="12345678.90", founded_on="2015-03-04",
                       contact_phone="13812345678", region=wujin, park=park)
    ent.assessment_units.add(unit)  # many-to-many columns round-trip too
    unit.regions.add(wujin, Region.objects.get(code="320411"))
    unit.parks.add(park)
    from duijie.core.models import Industry

    park.industries.add(*Industry.objects.filter(code__in=["3841", "3842"]))
    ent.qualifications.create(kind="high_tech", level="national", valid_from="2025-01-01")
    ent.metrics.create(year=2025, revenue="123456789012.34", employees=100, rd_staff=20)
    inst = f.institution(name="河海大学", aliases="河海\nHohai University", tto_phone="0519-86339999")
    from duijie.experts.models import Expert

    Expert.objects.create(name="张三", institution=inst, phone="13900001111", email="z@example.com",
                          keywords="储能、电池")
    f.achievement(inst, asking_price="500000", transfer_modes=["转让", "许可"], filing_unit=unit,
                  filing_date="2026-02-03", lead_phone="13700001111")
    f.demand(ent, budget_min="100000", deadline="2026-12-31", industry_id=None)
    Patent.objects.create(application_no=f.patent_no(), title="一种方法", patent_type="invention",
                          application_date="2023-01-05", is_high_value=True, value_score="88.5")
    Carrier.objects.create(name="储能重点实验室", kind="key_lab", level="provincial", host=inst.organisation,
                           approval_date="2020-06-01")
    Scenario.objects.create(title="质检场景", domain="manufacturing", provider=ent.organisation,
                            description="描述", investment="150000000")


@pytest.mark.parametrize("kind", ["enterprise", "expert", "achievement", "patent", "demand", "institution", "park",
                                  "carrier", "scenario", "qualification", "metric", "region", "assessment_unit"])
def test_export_then_import_changes_nothing(tmp_path, kind):
    _seed_everything()
    path = tmp_path / f"{kind}.xlsx"
    call("export_file", kind, str(path))
    code, lines = call("import_file", kind, str(path))
    counts = json.loads(lines[-1])
    assert code == 0, lines
    assert counts["new"] == 0 and counts["updated"] == 0 and counts["errors"] == 0 and counts["unchanged"] >= 1
