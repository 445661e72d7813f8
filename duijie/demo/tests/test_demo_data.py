from datetime import date, datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from duijie.accounts.models import User
from duijie.core.models import AssessmentUnit, Discipline, Industry, Region
from duijie.core.roles import Role
from duijie.core.validators import parse_patent_number, validate_uscc
from duijie.demands.models import Demand
from duijie.demo import content as C
from duijie.demo.accounts import DEMO_PASSWORD
from duijie.demo.areas.common import TZ
from duijie.demo.generator import Scale, generate, plain_phones
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, EnterpriseMetric, Institution
from duijie.supply.models import Achievement, Carrier, Patent, Scenario

SMALL = Scale(enterprises=30, experts=25, achievements=20, patents=25, demands=80, scenarios=10)


class _Rollback(Exception):
    pass


def _names_after(seed: int) -> dict[str, list]:
    """Generate in a transaction, read what came out, roll it back."""
    out: dict[str, list] = {}
    try:
        with transaction.atomic():
            generate(seed=seed, scale=SMALL)
            out = {
                "enterprises": list(Enterprise.objects.order_by("uscc").values_list("uscc", "name")),
                "experts": sorted(Expert.objects.values_list("name", "keywords")),
                "achievements": sorted(Achievement.objects.values_list("name", "introduction")),
                "patents": sorted(Patent.objects.values_list("application_no", "title")),
                "demands": sorted(Demand.objects.values_list("title", "status")),
            }
            raise _Rollback
    except _Rollback:
        pass
    return out


@pytest.fixture
def small(db):
    return generate(seed=7, scale=SMALL)


@pytest.mark.django_db
def test_reference_codes_in_content_exist():
    codes = {c for ind in C.INDUSTRIES.values() for c in ind["gbt"]}
    assert set(Industry.objects.filter(code__in=codes, level=4).values_list("code", flat=True)) == codes
    nsfc = {c for ind in C.INDUSTRIES.values() for c in ind["nsfc"]}
    assert set(Discipline.objects.filter(code__in=nsfc).values_list("code", flat=True)) == nsfc
    regions = {c for row in C.ASSESSMENT_UNITS for c in row[5]} | {row[3] for row in C.PARKS}
    regions |= {row[4] for row in C.INSTITUTIONS} | {row[1] for row in C.GOVERNMENT}
    assert set(Region.objects.filter(code__in=regions).values_list("code", flat=True)) == regions


def test_counts(small):
    assert Enterprise.objects.count() == 30 == small["orgs.Enterprise"]
    assert Expert.objects.count() == 25
    assert Achievement.objects.count() == 20
    assert Patent.objects.count() == 25
    assert Demand.objects.count() == 80
    assert Demand.objects.exclude(source_ref__startswith="https://www.jstec.com.cn/").count() == 80 - 66
    assert Scenario.objects.count() == 10
    assert Carrier.objects.count() >= 10
    assert AssessmentUnit.objects.count() == len(C.ASSESSMENT_UNITS)
    assert Institution.objects.filter(is_local=True).count() >= 6
    assert Enterprise.history.count() == 30  # history written with the rows


def test_codes_and_forms_are_valid(small):
    for uscc, region_id in Enterprise.objects.values_list("uscc", "region__code"):
        validate_uscc(uscc)
        assert region_id.startswith(uscc[2:8])
    for number, ptype in Patent.objects.values_list("application_no", "patent_type"):
        canonical, type_key = parse_patent_number(number)
        assert canonical == number and type_key == ptype
    for a in Achievement.objects.all():
        a.full_clean()
    for m in EnterpriseMetric.objects.all():
        m.full_clean()
        assert m.rd_spend <= m.revenue * 8 / 100 + 1


def test_assessment_units_and_kunshan_towns(small):
    jingkai_2016 = AssessmentUnit.objects.get(code="wj2016-jingkai")
    assert jingkai_2016.parent.code == "wj2016-wujin"
    assert AssessmentUnit.objects.get(code="cz2026-jingkai").parent is None
    for code in ("ks2017-dianshanhu", "ks2017-zhouzhuang", "ks2017-jinxi"):
        unit = AssessmentUnit.objects.get(code=code)
        assert not unit.regions.exists() and unit.note
    assert AssessmentUnit.objects.get(code="ks2017-zhangpu").regions.get().name == "张浦镇"
    # m2m history mirrors the rows
    assert AssessmentUnit.history.get(code="ks2017-zhangpu").regions.count() == 1


def test_demo_account(small):
    admin = User.objects.get(username="admin")
    assert admin.is_demo and admin.is_staff and admin.role == Role.CITY_ADMIN
    assert admin.organisation.name == "常州市科学技术局"
    assert admin.check_password(DEMO_PASSWORD)
    assert Achievement.objects.exclude(filed_by=admin).count() == 0


def test_no_plaintext_phone_at_rest(small):
    values = plain_phones()
    assert len(values) > 100
    with connection.cursor() as cursor:
        dump = []
        for table in connection.introspection.table_names(cursor):
            if table.split("_")[0] not in {"orgs", "experts", "supply", "demands", "accounts", "core"}:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            dump.extend(str(v) for row in cursor.fetchall() for v in row if isinstance(v, str))
        cursor.execute('SELECT contact_phone FROM "orgs_enterprise"')
        assert all(v.startswith("v1$") for (v,) in cursor.fetchall())
    blob = "\n".join(dump)
    leaked = [v for v in values if v in blob]
    assert leaked == []


@pytest.mark.django_db
def test_same_seed_same_data():
    first, second = _names_after(11), _names_after(11)
    assert first and first == second
    assert _names_after(12)["enterprises"] != first["enterprises"]


@pytest.mark.django_db
def test_if_empty_is_a_noop_on_second_run(capsys):
    call_command("demo_data", "--enterprises", "12", "--experts", "10", "--achievements", "8", "--patents", "8",
                 "--demands", "66", "--if-empty")
    assert Enterprise.objects.count() == 12
    out = capsys.readouterr().out
    assert "orgs.Enterprise" in out
    call_command("demo_data", "--if-empty")
    assert "already present" in capsys.readouterr().out
    assert Enterprise.objects.count() == 12


@pytest.mark.django_db
@pytest.mark.parametrize("today", [date(2026, 12, 7), date(2028, 3, 1)])
def test_demo_is_current_on_the_day_it_is_built(today):
    from duijie.events.models import Event
    from duijie.orgs.models import EnterpriseQualification

    generate(seed=7, scale=SMALL, today=today)
    published = Demand.objects.filter(status="published")
    assert published.exists() and not published.filter(deadline__lte=today).exists()  # deadlines ahead
    assert not Demand.objects.filter(submitted_at__date__gt=today).exists()
    states = {q.validity(today) for q in EnterpriseQualification.objects.all()}
    assert {"valid", "expired"} <= states
    now = datetime(today.year, today.month, today.day, 12, tzinfo=TZ)
    assert Event.objects.filter(status="open", starts_at__gt=now).exists()  # upcoming events to register for
    assert Event.objects.filter(starts_at__lt=now).exists()
