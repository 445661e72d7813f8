from datetime import timedelta

import pytest
from django.utils import timezone

from duijie.core.roles import Role


@pytest.fixture(autouse=True)
def match_dir(settings, tmp_path):
    """Each test gets its own index directory and a fresh in-process reader."""
    from duijie.matching import learning, store

    settings.DUIJIE_MATCH_DIR = tmp_path / "match"
    settings.DUIJIE_MATCH_ENCODER = "none"
    store.reset_encoder()
    store.forget()
    learning._cache.clear()
    yield settings.DUIJIE_MATCH_DIR
    store.forget()
    store.reset_encoder()


@pytest.fixture
def world(db):
    """Two enterprises, experts around lithium-battery cathodes, supply records and demands."""
    from duijie.core.tests import factories as f
    from duijie.pairings.models import Placement

    a = f.enterprise(name="常州甲锂电科技有限公司")
    b = f.enterprise(name="常州乙新能源有限公司")
    uni = f.institution(name="常州测试大学")
    w = {"a": a, "b": b, "uni": uni}
    w["user_a"] = f.user(role=Role.ENTERPRISE, organisation=a.organisation)
    w["user_b"] = f.user(role=Role.ENTERPRISE, organisation=b.organisation)
    w["demand"] = f.demand(a, title="高镍三元正极材料包覆工艺", description="需要提升锂电池正极材料的循环寿命和热稳定性",
                           status="published", visibility="public", tech_field="新能源")
    w["secret"] = f.demand(b, title="固态电解质界面改性", description="机密项目：锂电池正极材料与硫化物固态电解质的界面副反应抑制",
                           status="published", visibility="restricted")
    w["e_good"] = f.expert(name="王正极", research_directions="锂电池正极材料 高镍三元 包覆改性",
                           institution=uni, bio="长期从事锂电池正极材料研究")
    w["e_optout"] = f.expert(name="李退出", research_directions="锂电池正极材料 高镍三元 包覆工艺",
                             do_not_recommend=True)
    w["e_employee"] = f.expert(name="赵员工", research_directions="锂电池正极材料 高镍三元 循环寿命",
                               employer="常州甲锂电科技有限公司")
    w["e_vp"] = f.expert(name="钱副总", research_directions="锂电池正极材料 热稳定性 高镍三元")
    Placement.objects.create(scheme="tech_vp_city", year=2026, person_name="钱副总", expert=w["e_vp"], host_enterprise=a,
                             start_on=timezone.localdate() - timedelta(days=30))
    w["e_other"] = f.expert(name="孙无关", research_directions="水稻育种 分子标记")
    w["ach"] = f.achievement(uni, name="高镍三元正极材料表面包覆技术", introduction="一种锂电池正极材料包覆工艺，提升循环寿命",
                             status="published", visibility="public", field="新材料")
    w["patent"] = f.patent(title="一种高镍正极材料的包覆方法", abstract="锂电池正极材料包覆", visibility="public")
    return w


@pytest.fixture
def built(world):
    from duijie.matching import services

    services.rebuild()
    return world
