"""Small factories for tests: valid records with generated unique codes."""

from __future__ import annotations

import itertools

from duijie.core.validators import USCC_ALPHABET, patent_check_digit, uscc_check_char

_seq = itertools.count(1)


def _written(obj):
    """A factory record stands for one the product wrote: announce it as a write service does
    (``core.changes``), so copies such as the matching index hear of it after commit."""
    from duijie.core import changes

    changes.announce(changes.Kind.CREATED, type(obj), [obj.pk])
    return obj


def uscc(region: str = "320412", n: int | None = None) -> str:
    """A valid USCC registered in ``region`` (GB 32100 check character computed)."""
    n = next(_seq) if n is None else n
    body = ""
    for _ in range(9):
        n, r = divmod(n, len(USCC_ALPHABET))
        body = USCC_ALPHABET[r] + body
    code17 = "91" + region + body
    return code17 + uscc_check_char(code17)


def patent_no(type_digit: str = "1", n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    digits = f"2023{type_digit}{n:07d}"
    return f"{digits}.{patent_check_digit(digits)}"


def organisation(name="测试机关", kind="government"):
    from duijie.core.models import Organisation

    return Organisation.objects.create(name=f"{name}{next(_seq)}", kind=kind)


CITY = "3204"  # 常州市: records the factories make lie here unless a test places them elsewhere


def region(code: str = CITY):
    from duijie.core.models import Region

    return Region.objects.get(code=code)


def placed(kw: dict) -> dict:
    if "region" not in kw and "region_id" not in kw:
        kw["region"] = region()
    return kw


def city_bureau(code: str = CITY, name: str = "常州市科技局"):
    from duijie.core.models import Organisation

    return Organisation.objects.create(name=f"{name}{next(_seq)}", kind="government", region=region(code))


def user(username=None, role="enterprise", organisation=None, password=None, **kw):
    from duijie.accounts.models import User

    username = username or f"user{next(_seq)}"
    return User.objects.create_user(username=username, password=password, role=role,
                                    organisation=organisation, **kw)


def enterprise(name=None, **kw):
    from duijie.orgs.models import Enterprise

    kw.setdefault("uscc", uscc())
    return _written(Enterprise.objects.create(name=name or f"常州测试科技有限公司{next(_seq)}", **placed(kw)))


def institution(name=None, **kw):
    from duijie.orgs.models import Institution

    kw.setdefault("kind", "university")
    return _written(Institution.objects.create(name=name or f"测试大学{next(_seq)}", **placed(kw)))


def demand(enterprise_obj=None, **kw):
    from duijie.demands.models import Demand

    enterprise_obj = enterprise_obj or enterprise()
    kw.setdefault("demand_type", "tech_challenge")
    kw.setdefault("title", f"测试需求{next(_seq)}")
    kw.setdefault("description", "需要解决某项技术难题")
    kw.setdefault("owner_org_id", enterprise_obj.organisation_id)
    if "region" not in kw:
        kw.setdefault("region_id", enterprise_obj.region_id)
    return _written(Demand.objects.create(enterprise=enterprise_obj, **placed(kw)))


def achievement(institution_obj=None, **kw):
    from duijie.supply.models import Achievement

    institution_obj = institution_obj or institution()
    kw.setdefault("name", f"测试成果{next(_seq)}")
    kw.setdefault("lead_name", "张三")
    kw.setdefault("field", "新材料")
    kw.setdefault("stage", "研制阶段")
    kw.setdefault("introduction", "一项新材料成果")
    kw.setdefault("owner_org_id", institution_obj.organisation_id)
    if "region" not in kw:
        kw.setdefault("region_id", institution_obj.region_id)
    return _written(Achievement.objects.create(institution=institution_obj, **placed(kw)))


def patent(**kw):
    from duijie.supply.models import Patent

    kw.setdefault("application_no", patent_no())
    kw.setdefault("title", f"一种测试装置{next(_seq)}")
    kw.setdefault("patent_type", "invention")
    return _written(Patent.objects.create(**placed(kw)))


def expert(**kw):
    from duijie.experts.models import Expert

    kw.setdefault("name", f"专家{next(_seq)}")
    return _written(Expert.objects.create(**placed(kw)))


def if_match(obj) -> dict:
    """The If-Match header an API client sends to change ``obj``: the ETag of its stored version (what a
    GET of the record returns), as test-client keyword arguments."""
    version = type(obj)._base_manager.values_list("version", flat=True).get(pk=obj.pk)
    return {"HTTP_IF_MATCH": f'"{obj.pk}-{version}"'}


def form_version(obj) -> dict:
    """The hidden field an edit form carries: the version of ``obj`` the user opened the form at."""
    return {"record_version": type(obj)._base_manager.values_list("version", flat=True).get(pk=obj.pk)}


_districts = itertools.count(1)


def two_districts(tag: str) -> dict:
    """Changzhou with two districts (武进, 新北; unit codes prefixed ``tag``), the city bureau and its
    administrator, and each district's bureau administrator: the world of the programme-level tests
    (awards, innovation score)."""
    from duijie.core.models import AssessmentUnit, Organisation, Region

    n = next(_districts)
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code=f"{tag}-wujin-{n}", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code=f"{tag}-xinbei-{n}", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    bureau = Organisation.objects.create(kind="government", name=f"常州市科技局{tag}{n}", region=r["3204"])
    city = user(role="city_admin", organisation=bureau)
    wujin_admin = user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name=f"武进区科技局{tag}{n}", region=r["320412"], assessment_unit=wujin))
    xinbei_admin = user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name=f"新北区科技局{tag}{n}", region=r["320411"], assessment_unit=xinbei))
    return {"r": r, "wujin": wujin, "xinbei": xinbei, "bureau": bureau, "city": city, "wujin_admin": wujin_admin,
            "xinbei_admin": xinbei_admin}

