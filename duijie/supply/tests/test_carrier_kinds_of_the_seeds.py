"""The carrier kinds seeds 003 and 004 name can be filed and counted (issue #13 item 6)."""

import pytest

from duijie.core import plugins
from duijie.supply.models import Carrier

SEEDS = {"企业联合创新中心": "joint_innovation_center", "协同创新中心": "collab_innovation_center",
         "博士后创新实践基地": "postdoc_practice_base", "公共技术服务平台": "public_tech_service",
         "创新联合体": "innovation_consortium", "产业技术工程化中心": "industrialisation_center",
         "联合实验室": "joint_lab", "未来产业技术研究院": "future_industry_institute"}


@pytest.mark.parametrize(("printed", "kind"), SEEDS.items())
def test_a_seed_carrier_kind_is_a_choice_with_its_indicator(printed, kind):
    field = Carrier._meta.get_field("kind")
    assert field.clean(kind, None) == kind  # refused as an invalid choice before
    assert printed in str(dict(field.choices)[kind])
    assert f"carriers-approved-{kind.replace('_', '-')}" in plugins.indicators()
