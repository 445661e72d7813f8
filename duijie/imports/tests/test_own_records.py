"""A university office (or an enterprise) imports only its own records: a row naming another
institution — or one the registry does not have — is an error naming the row and the field, and
nothing is written. Government roles still import for the institutions in their scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from duijie.core.models import Organisation, Region
from duijie.core.roles import Role
from duijie.core.selectors import editable_queryset
from duijie.core.tests import factories as f
from duijie.demands.models import Demand
from duijie.imports import engine
from duijie.imports.kinds import KINDS
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.tests.helpers import csv_bytes, xlsx
from duijie.imports.tests.test_annex1 import form, form_docx
from duijie.orgs.models import Institution
from duijie.supply.models import Achievement

pytestmark = pytest.mark.django_db

HEAD = ["科技成果名称", "大院大所名称", "科技成果研发负责人", "科技成果所属领域", "科技成果所处阶段", "科技成果及研发团队简介"]


@pytest.fixture
def unis():
    own = f.institution(name="甲大学")
    other = f.institution(name="乙大学")
    office = f.user(role=Role.INSTITUTION, organisation=own.organisation)
    return own, other, office


def achievement_rows(*institutions):
    return [HEAD] + [[f"成果{i}", name, "张伟", "新材料", "研制阶段", "简介"] for i, name in enumerate(institutions)]


def test_a_row_naming_another_university_is_an_error_and_nothing_is_written(unis):
    _own, _other, office = unis
    data = xlsx(achievement_rows("甲大学", "乙大学", "丙研究院"))
    result = engine.run(KINDS["achievement"], data, "成果.xlsx", office, commit=True)
    assert not result.committed
    errors = {row: (column, reason) for row, column, reason in result.errors()}
    assert set(errors) == {3, 4}
    assert errors[3][0] == "大院大所名称" and "乙大学" in errors[3][1] and "不是本单位" in errors[3][1]
    assert errors[4][0] == "大院大所名称" and "丙研究院" in errors[4][1]
    assert not Achievement.objects.exists()
    assert not Institution.objects.filter(is_provisional=True).exists()  # no provisional 丙研究院 either


def test_own_rows_import_and_belong_to_the_office(unis):
    own, _other, office = unis
    result = engine.run(KINDS["achievement"], xlsx(achievement_rows("甲大学")), "成果.xlsx", office, commit=True)
    assert result.committed, result.errors()
    a = Achievement.objects.get()
    assert a.institution == own and a.owner_org_id == own.organisation_id


def test_an_annex1_form_of_another_university_is_refused_through_the_upload_page(unis):
    _own, _other, office = unis
    c = Client()
    c.force_login(office)
    data = form_docx(form(institution="甲大学"), form(name="别人的成果", institution="乙大学"))
    response = c.post(reverse("imports:upload", args=["achievements"]),
                      {"file": SimpleUploadedFile("成果表.docx", data)})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REFUSED
    page = c.get(response.url).content.decode()
    assert "“乙大学”不是本单位" in page
    assert c.post(reverse("imports:confirm", args=[job.pk])).status_code == 302
    assert not Achievement.objects.exists()
    # and nothing of the other university became editable by the office
    assert not editable_queryset(Achievement, office).exists()


def test_an_existing_record_of_another_university_is_not_updated(unis):
    _own, other, office = unis
    theirs = f.achievement(other, name="成果0", introduction="原简介")
    result = engine.run(KINDS["achievement"], xlsx(achievement_rows("乙大学")), "成果.xlsx", office, commit=True)
    assert not result.committed and result.errors()[0][1] == "大院大所名称"
    theirs.refresh_from_db()
    assert theirs.introduction == "原简介"


def test_an_enterprise_imports_only_its_own_demands(enterprise_user):
    stranger = f.enterprise(name="别家有限公司")
    own = enterprise_user.organisation.enterprise
    data = csv_bytes([["企业名称", "需求类型", "需求名称", "需求描述"],
                      [own.uscc, "技术难题攻关", "我们的需求", "描述"],
                      [stranger.uscc, "技术难题攻关", "冒名的需求", "描述"]])
    result = engine.run(KINDS["demand"], data, "需求.csv", enterprise_user, commit=True)
    assert not result.committed
    assert [(row, column) for row, column, _r in result.errors()] == [(3, "企业名称")]
    assert not Demand.objects.exists()


def test_government_still_imports_for_institutions_in_scope(unis):
    _own, _other, _office = unis
    bureau = Organisation.objects.create(kind="government", name="常州市科技局", region=Region.objects.get(code="3204"))
    city = f.user(role=Role.CITY_ADMIN, organisation=bureau)
    result = engine.run(KINDS["achievement"], xlsx(achievement_rows("甲大学", "乙大学", "丙研究院")), "成果.xlsx",
                        city, commit=True)
    assert result.committed, result.errors()
    assert Achievement.objects.count() == 3
