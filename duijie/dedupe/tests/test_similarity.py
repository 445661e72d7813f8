"""Name keys and candidate search (pure functions: no database)."""

import pytest

from duijie.dedupe import similarity as S


@pytest.mark.parametrize(("a", "b"), [
    ("常州华创精密机械有限公司", "常州华创精密机械有限公司 "),  # trailing space
    ("常州华创精密机械有限公司", "常州华创精密机械有限责任公司"),  # legal form spelled twice
    ("常州华创精密机械有限公司", "常州華創精密機械有限公司"),  # traditional → simplified
    ("ＡＢＣ（常州）科技有限公司", "ABC(常州)科技有限公司"),  # full/half width, bracket shapes
    ("abc (常州) 科技有限公司", "ABC（常州）科技有限公司"),  # spaces and case
    ("常州华创精密机械有限公司（常州分公司）", "常州华创精密机械有限公司"),  # branch suffix split off
    ("常州华创精密机械有限公司武进分公司", "常州华创精密机械有限公司"),
])
def test_names_that_fold_to_one_base(a, b):
    assert S.name_key(a).base == S.name_key(b).base


def test_name_key_parts():
    k = S.name_key("江蘇省常州市武進區天寧精密機械股份有限公司（常州分公司）")
    assert (k.form, k.branch) == ("股份有限公司", "常州分公司")
    assert k.core == "天宁精密机械"  # region names off the front, the trade name 天宁 kept
    assert S.name_key("天宁精密机械有限公司").core == "天宁精密机械"  # a bare district name alone is a trade name
    assert S.name_key("常州天宁精密机械有限公司").core == "精密机械"  # after a city it reads as the district
    assert S.name_key("常州市武进华创机械有限公司").core == "华创机械"  # a district right after the city is a region
    # 股份有限公司 and 有限公司 are different forms: not folded together (the reason says so instead)
    assert S.name_key("常州华创股份有限公司").base != S.name_key("常州华创有限公司").base


def _row(pk, name, **kw):
    kw.setdefault("uscc", f"USCC{pk}")
    return S.EnterpriseRow(id=pk, name=name, **kw)


def test_near_duplicates_found_with_chinese_reasons():
    rows = [
        _row(1, "江苏华宇智能装备有限公司", legal_representative="王明", phone_hash="h1"),
        _row(2, "江苏化宇智能装备有限公司", legal_representative="王明", phone_hash="h1"),  # a typo, same boss and phone
        _row(3, "江苏华宇智能装备有限公司（常州分公司）"),  # a branch
        _row(4, "江蘇華宇智能裝備有限責任公司", uscc=""),  # an old record, no credit code
        _row(5, "江苏华宇智能电子有限公司"),  # another enterprise of the same group of names
        _row(6, "江苏华新智能装备有限公司"),  # another trade name
    ]
    found = {(c.a, c.b): c for c in S.enterprise_candidates(rows)}
    assert found[(1, 2)].reasons == ["名称相近 92%（字号不同）", "信用代码不同", "法定代表人相同", "联系电话相同"]
    assert "分支机构（常州分公司）" in found[(1, 3)].reasons and "同名不同信用代码" in found[(1, 3)].reasons
    assert found[(1, 4)].score == 100 and found[(1, 4)].reasons == ["规范化后名称相同", "一方缺信用代码"]
    # unrelated similar names are not over-reported
    assert not any(5 in pair or 6 in pair for pair in found)


def test_similar_trade_names_without_evidence_are_not_reported():
    rows = [_row(1, "常州市武进诚睿轨道交通设备有限公司"), _row(2, "常州市武进诚立轨道交通设备有限公司"),
            _row(3, "常州复嘉碳纤维科技有限公司"), _row(4, "常州市复嘉碳纤维科技有限公司"),
            _row(5, "江苏复嘉碳纤维科技有限公司")]
    found = S.enterprise_candidates(rows)
    assert [(c.a, c.b) for c in found] == [(3, 4)]  # the same region written differently: listed, and said so
    assert found[0].reasons[0].endswith("（仅地区写法不同）")
    # another region's company of the same trade name (often the group's) only at a lower threshold
    found = {(c.a, c.b): c for c in S.enterprise_candidates(rows, min_score=75)}
    assert found[(3, 5)].reasons[0].endswith("（地区前缀不同）")
    assert S.enterprise_candidates(rows[:2], min_score=70)  # a lower threshold shows them


def test_blocking_still_finds_a_typo_in_the_first_character():
    rows = [_row(1, "常州华创精密机械有限公司", legal_representative="李四", phone_hash="p"),
            _row(2, "常州化创精密机械有限公司", legal_representative="李四", phone_hash="p")]
    assert [(c.a, c.b) for c in S.enterprise_candidates(rows)] == [(1, 2)]
    # one shared fact is not enough when the trade names differ (sister companies share a boss)
    rows = [_row(1, "常州华创精密机械有限公司", legal_representative="李四"),
            _row(2, "常州化创精密机械有限公司", legal_representative="李四")]
    assert S.enterprise_candidates(rows) == []


def test_institutions_provisional_and_aliases():
    rows = [S.InstitutionRow(1, "常州大学", short_name="常大"), S.InstitutionRow(2, "常州大學", provisional=True),
            S.InstitutionRow(3, "南京航空航天大学", aliases="南航\nNUAA"), S.InstitutionRow(4, "南航", provisional=True),
            S.InstitutionRow(5, "南京大学")]
    found = {(c.a, c.b): c for c in S.institution_candidates(rows)}
    assert found[(1, 2)].reasons == ["名称或别名相同", "一方为导入时新建的临时机构"]
    assert found[(3, 4)].score == 100
    assert (3, 5) not in found  # 南京大学 / 南京航空航天大学 are different


def test_experts_same_name_same_unit_or_same_phone():
    rows = [S.ExpertRow(1, "张伟", institution_id=7), S.ExpertRow(2, "张伟", institution_id=7),
            S.ExpertRow(3, "张伟", institution_id=8),  # a namesake elsewhere
            S.ExpertRow(4, "李娜", phone_hash="p"), S.ExpertRow(5, "李 娜", phone_hash="p")]
    found = {(c.a, c.b): c for c in S.expert_candidates(rows)}
    assert set(found) == {(1, 2), (4, 5)}
    assert found[(1, 2)].reasons == ["姓名相同", "同一单位"]
    assert found[(4, 5)].reasons == ["姓名相同", "手机号相同"]
