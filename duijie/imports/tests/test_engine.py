"""The engine: messy files in, one outcome per row, all-or-nothing writes with history and audit."""

from decimal import Decimal

import pytest

from duijie.core.models import AuditLog, Organisation
from duijie.core.tests import factories as f
from duijie.imports import engine
from duijie.imports.engine import planning, results, writing
from duijie.imports.kinds import KINDS
from duijie.imports.tests.helpers import csv_bytes, xls, xlsx
from duijie.orgs.models import Enterprise, Institution

pytestmark = pytest.mark.django_db

ENT_HEAD = ["统一社会信用代码", "企业名称", "注册资本（元）", "成立日期", "联系电话", "所属行业", "区域", "可见范围"]


def ent_rows(n=3, start=1):
    return [[f.uscc(n=start + i), f"常州测试{start + i}科技有限公司", "50万元", "2026年2月3日", "13812345678",
             "C3841", "320412", "公开"] for i in range(n)]


def run(kind, data, user, name="a.xlsx", commit=False):
    return engine.run(KINDS[kind], data, name, user, commit=commit)


def snapshot():
    from duijie.supply.models import Achievement

    return (Enterprise.objects.count(), Enterprise.history.count(), Organisation.objects.count(),
            AuditLog.objects.count(), Institution.objects.count(), Achievement.objects.count())


def test_dry_run_writes_nothing_and_commit_writes_with_history_and_one_audit_entry(admin_user):
    data = xlsx([ENT_HEAD, *ent_rows(3)])
    before = snapshot()
    result = run("enterprise", data, admin_user)
    assert result.counts == {"new": 3, "updated": 0, "unchanged": 0, "errors": 0}
    assert snapshot() == before
    result = run("enterprise", data, admin_user, commit=True)
    assert result.committed
    ents = list(Enterprise.objects.order_by("uscc"))
    assert len(ents) == 3
    e = ents[0]
    assert e.registered_capital == Decimal("500000")
    assert e.founded_on.isoformat() == "2026-02-03"
    assert e.industry.code == "3841" and e.region.code == "320412" and e.visibility == "public"
    assert e.contact_phone == "13812345678" and e.contact_phone_hash
    assert e.organisation.name == e.name and e.owner_org_id == e.organisation_id
    assert e.filed_by == admin_user
    assert e.history.count() == 1 and e.history.first().history_user == admin_user
    assert AuditLog.objects.count() == before[3] + 1


def test_reimporting_the_same_file_changes_nothing(admin_user):
    data = xlsx([ENT_HEAD, *ent_rows(3)])
    run("enterprise", data, admin_user, commit=True)
    before = snapshot()
    result = run("enterprise", data, admin_user, commit=True)
    assert result.counts == {"new": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert snapshot()[:3] == before[:3]


def test_a_corrected_file_updates_only_what_changed(admin_user):
    rows = ent_rows(2)
    run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    rows[1][2] = "1.5亿"
    rows[1][1] = "常州改名科技有限公司"
    result = run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    assert result.counts == {"new": 0, "updated": 1, "unchanged": 1, "errors": 0}
    e = Enterprise.objects.get(uscc=rows[1][0])
    assert e.registered_capital == Decimal("150000000")
    assert e.organisation.name == "常州改名科技有限公司"
    assert e.history.count() == 2
    assert set(result.rows[1].changes) == {"企业名称", "注册资本（元）"}


def test_title_rows_merged_headers_empty_rows_and_trailing_spaces(admin_user):
    head = ["统一社会信用代码", "企业名称", "注册资本（万元）", None]
    sub = [None, None, None, "联系电话"]
    data = xlsx([["2026年重点企业名单"], [], ["序号说明"][:0], head, sub,
                 [f.uscc(n=901) + " ", " 常州空格科技有限公司  ", 50, " 13812345678 "], [None, None, None, None]],
                merge=["A4:A5", "B4:B5", "C4:C5"])
    result = run("enterprise", data, admin_user, commit=True)
    assert result.ok, result.errors()
    e = Enterprise.objects.get()
    assert e.name == "常州空格科技有限公司" and e.registered_capital == Decimal("500000")
    assert e.contact_phone == "13812345678"
    assert result.rows[0].row == 6  # the row number the user sees in Excel


def test_full_width_digits_and_english_headers(admin_user):
    code = f.uscc(n=902)
    wide = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    data = xlsx([["uscc", "Name", "registered capital (yuan)", "founded on"],
                 [wide, "Ｆｕｌｌ 科技有限公司", "１,２００元", "２０２６年２月３日"]])
    result = run("enterprise", data, admin_user, commit=True)
    assert result.ok, result.errors()
    e = Enterprise.objects.get()
    assert e.uscc == code and e.registered_capital == Decimal("1200")
    assert e.name == "Ｆｕｌｌ 科技有限公司"  # the legal name stays exactly as given


def test_choice_fields_accept_value_chinese_label_and_english_label(admin_user):
    e = f.enterprise()
    data = xlsx([["企业", "资质类型", "级别", "有效期起"],
                 [e.uscc, "high_tech", "国家级", "2025-01-01"],
                 [e.uscc, "专精特新", "Provincial", "2025-01-01"],
                 [e.name, "Gazelle (瞪羚)", "city", 45658]])
    result = run("qualification", data, admin_user, commit=True)
    assert result.ok, result.errors()
    assert sorted(e.qualifications.values_list("kind", "level")) == [
        ("gazelle", "city"), ("high_tech", "national"), ("srdi", "provincial")]


def test_duplicated_rows_are_reported_not_inserted_twice(admin_user):
    rows = ent_rows(2)
    same = list(rows[0])
    same[0] = same[0].lower()  # same key, folded
    clash = list(rows[1])
    clash[1] = "另一个名字有限公司"
    result = run("enterprise", xlsx([ENT_HEAD, *rows, same]), admin_user, commit=True)
    assert result.committed and Enterprise.objects.count() == 2
    assert result.rows[2].outcome == results.UNCHANGED and "2" in result.rows[2].note
    result = run("enterprise", xlsx([ENT_HEAD, *rows, clash]), admin_user)
    assert result.rows[2].outcome == results.ERROR
    assert "第3行" in result.rows[2].errors[0][1] or "3" in result.rows[2].errors[0][1]


def test_traditional_and_full_width_names_match_the_same_institution(admin_user):
    inst = f.institution(name="臺灣科技大學（常州）")
    data = xlsx([["科技成果名称", "大院大所名称", "科技成果研发负责人", "科技成果所属领域", "科技成果所处阶段",
                  "科技成果及研发团队简介", "联系电话"],
                 ["一种新材料", "台湾科技大学(常州)", "张三", "新材料", "研制阶段", "简介", "13900001111"]])
    result = run("achievement", data, admin_user, commit=True)
    assert result.ok, result.errors()
    assert inst.achievements.get().name == "一种新材料"
    assert Institution.objects.get(pk=inst.pk).name == "臺灣科技大學（常州）"


def test_an_unknown_institution_becomes_provisional_not_an_error(admin_user):
    data = xlsx([["科技成果名称", "大院大所名称", "科技成果研发负责人", "科技成果所属领域", "科技成果所处阶段",
                  "科技成果及研发团队简介"],
                 ["成果甲", "新大学", "张三", "新材料", "研制阶段", "简介"],
                 ["成果乙", "新 大学", "李四", "其他", "研制阶段", "简介"]])
    result = run("achievement", data, admin_user)
    assert result.rows[0].outcome == results.NEW and "新大学" in result.rows[0].note
    assert result.rows[1].outcome == results.ERROR  # field “其他” needs the other field named
    data = xlsx([["科技成果名称", "大院大所名称", "科技成果研发负责人", "科技成果所属领域", "科技成果所处阶段",
                  "科技成果及研发团队简介"],
                 ["成果甲", "新大学", "张三", "新材料", "研制阶段", "简介"],
                 ["成果乙", "新 大学", "李四", "电子信息", "研制阶段", "简介"]])
    result = run("achievement", data, admin_user, commit=True)
    assert result.committed, result.errors()
    inst = Institution.objects.get()
    assert inst.is_provisional and inst.name == "新大学" and inst.organisation_id
    assert inst.achievements.count() == 2
    assert inst.achievements.first().owner_org_id == inst.organisation_id


def test_missing_required_and_unknown_columns_are_file_errors(admin_user):
    before = snapshot()
    result = run("enterprise", xlsx([["企业名称", "奇怪的列"], ["常州甲有限公司", "x"]]), admin_user, commit=True)
    text = " ".join(result.file_errors)
    assert "奇怪的列" in text and "统一社会信用代码" in text
    assert not result.committed and snapshot() == before


def test_row_errors_name_row_column_and_reason_and_block_the_commit(admin_user):
    rows = ent_rows(2)
    rows[1][3] = "明年"
    rows[1][4] = "1381234"
    before = snapshot()
    result = run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    assert not result.committed and snapshot() == before
    errors = {(row, col) for row, col, _r in result.errors()}
    assert (3, "成立日期") in errors and (3, "联系电话") in errors
    phone_reason = next(r for row, col, r in result.errors() if col == "联系电话")
    assert "1381234" not in phone_reason  # personal data masked in error reports


def test_masked_phone_coming_back_counts_as_unchanged(admin_user):
    rows = ent_rows(1)
    run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    rows[0][4] = "138****5678"
    result = run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    assert result.counts["unchanged"] == 1 and result.counts["updated"] == 0
    assert Enterprise.objects.get().contact_phone == "13812345678"


def test_changed_phone_updates_the_blind_index(admin_user):
    from duijie.core import crypto

    rows = ent_rows(1)
    run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    rows[0][4] = "13900002222"
    run("enterprise", xlsx([ENT_HEAD, *rows]), admin_user, commit=True)
    e = Enterprise.objects.get()
    assert e.contact_phone == "13900002222" and e.contact_phone_hash == crypto.blind_index("13900002222")


def test_a_record_outside_the_users_scope_is_an_error_row(enterprise_user):
    other = f.enterprise(name="别人的企业有限公司")
    mine = enterprise_user.organisation.enterprise
    data = xlsx([["统一社会信用代码", "企业名称"], [other.uscc, "改个名字有限公司"], [mine.uscc, "本企业新名字有限公司"]])
    result = run("enterprise", data, enterprise_user, commit=True)
    assert result.rows[0].outcome == results.ERROR
    assert result.rows[0].errors == [("", "不是您可以修改的记录")]
    assert result.rows[1].outcome == results.UPDATE
    assert Enterprise.objects.get(pk=other.pk).name == "别人的企业有限公司"


def test_new_records_are_filed_by_the_importing_user_and_their_organisation(enterprise_user):
    mine = enterprise_user.organisation.enterprise
    data = xlsx([["企业", "需求类型", "需求标题", "需求描述", "预算下限（元）"],
                 [mine.uscc, "技术难题攻关", "提升良率", "描述", "50万"]])
    result = run("demand", data, enterprise_user, commit=True)
    assert result.committed, result.errors()
    d = mine.demands.get()
    assert d.filed_by == enterprise_user and d.filed_by_org_id == enterprise_user.organisation_id
    assert d.owner_org_id == enterprise_user.organisation_id and d.budget_min == Decimal("500000")


def test_a_failure_in_the_middle_of_a_commit_leaves_the_database_as_before(admin_user, monkeypatch):
    monkeypatch.setattr(writing, "BATCH_SIZE", 10)
    existing = ent_rows(5, start=500)
    run("enterprise", xlsx([ENT_HEAD, *existing]), admin_user, commit=True)
    existing[0][2] = "60万元"  # one update too
    data = xlsx([ENT_HEAD, *existing, *ent_rows(50)])
    real = writing.create_batch
    calls = []

    def failing(model, objs, user, now):
        calls.append(len(objs))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(model, objs, user, now)

    monkeypatch.setattr(writing, "create_batch", failing)
    before = snapshot()
    result = run("enterprise", data, admin_user, commit=True)
    assert len(calls) == 3  # two batches were written before the failure …
    assert not result.committed
    assert snapshot() == before  # … and rolled back, with the update and the audit entry
    assert Enterprise.objects.get(uscc=existing[0][0]).registered_capital == Decimal("500000")
    assert "27–36" in result.file_errors[0] or "disk full" in result.file_errors[0]


@pytest.mark.parametrize(("name", "make"), [
    ("a.csv", lambda rows: csv_bytes(rows, "utf-8")),
    ("a.csv", lambda rows: b"\xef\xbb\xbf" + csv_bytes(rows, "utf-8")),
    ("a.csv", lambda rows: csv_bytes(rows, "gbk")),
    ("a.xls", xls),
])
def test_csv_and_xls_import_the_same(admin_user, name, make):
    data = make([ENT_HEAD, *ent_rows(2)])
    result = run("enterprise", data, admin_user, name=name, commit=True)
    assert result.committed, result.errors()
    assert Enterprise.objects.filter(name="常州测试1科技有限公司").exists()


def test_patent_numbers_are_normalised_for_the_key(admin_user):
    no = f.patent_no(n=4242)
    data = xlsx([["申请号", "专利名称", "申请日"], [f"CN{no}", "一种方法", "2023/1/5"]])
    assert run("patent", data, admin_user, commit=True).committed
    data = xlsx([["申请号", "专利名称", "申请日"], [f" {no.replace('.', '')} ", "一种方法", "2023-01-05"]])
    assert run("patent", data, admin_user).counts == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}


@pytest.mark.parametrize("kind", sorted(k for k, v in KINDS.items() if not v.table))  # tables: test_tables
def test_every_template_reads_back_without_file_errors(admin_user, kind):
    from duijie.imports.sheets import template_xlsx

    result = run(kind, template_xlsx(KINDS[kind]), admin_user)
    assert not result.file_errors and len(result.rows) == 1


def test_sub_records_may_only_be_added_under_a_parent_the_user_may_change(enterprise_user):
    other = f.enterprise(name="别人的企业有限公司")
    mine = enterprise_user.organisation.enterprise
    data = xlsx([["企业", "年度", "营业收入（万元）"], [other.uscc, 2025, 100], [mine.uscc, 2025, 100]])
    result = run("metric", data, enterprise_user, commit=True)
    assert [r.outcome for r in result.rows] == [results.ERROR, results.NEW]
    assert result.rows[0].errors == [("", "不是您可以修改的记录")]
    assert not other.metrics.exists()


@pytest.mark.slow
def test_a_failure_at_row_50000_of_a_large_import_leaves_the_database_as_before(admin_user, monkeypatch):
    rows = [[f.uscc(n=10_000_000 + i), f"常州大批{i}科技有限公司", f"{i % 900 + 1}万元"] for i in range(50_500)]
    data = xlsx([["统一社会信用代码", "企业名称", "注册资本"], *rows])
    real = writing.create_batch

    def failing(model, objs, user, now):
        if model is Enterprise and any(getattr(o, "_import_row", 0) == 50_001 for o in objs):
            raise RuntimeError("injected failure")
        return real(model, objs, user, now)

    monkeypatch.setattr(writing, "create_batch", failing)
    before = snapshot()
    result = run("enterprise", data, admin_user, commit=True)
    assert not result.committed and snapshot() == before
    assert "50001" in result.file_errors[0].replace("–", " ").replace(",", "") or "50,001" in result.file_errors[0]


def test_experts_match_by_phone_blind_index_before_name_and_institution(admin_user):
    inst = f.institution(name="河海大学")
    head = ["姓名", "高校院所", "职务", "联系电话"]
    run("expert", xlsx([head, ["张三", "河海大学", "教授", "13900001111"]]), admin_user, commit=True)
    # moved to another institution, same phone: the same expert, updated
    other = f.institution(name="常州大学")
    result = run("expert", xlsx([head, ["张三", "常州大学", "院长", "13900001111"]]), admin_user, commit=True)
    assert result.counts["updated"] == 1 and result.counts["new"] == 0
    expert = inst.experts.model.objects.get()
    assert expert.institution == other and expert.position == "院长"


def test_cells_a_layout_read_are_never_mixed_up_by_the_column_memo(admin_user):
    """Parsed/Invalid cells compare and hash as their text: the same text may mean different values
    (or carry different messages), and a plain cell with that text is parsed as usual."""
    from duijie.imports import readers
    from duijie.imports.resolvers import Resolvers

    head = (1, ("统一社会信用代码", "企业名称", "注册资本（元）"))
    cells = [readers.Parsed("见附件", Decimal("100")), readers.Parsed("见附件", Decimal("200")),
             readers.Invalid("见附件", "勾选了两项"), readers.Invalid("见附件", "一项也未勾选"), "见附件"]
    rows = [(i + 2, (f.uscc(n=900 + i), f"常州版式{i}科技有限公司", cell)) for i, cell in enumerate(cells)]
    result = results.Result(kind=KINDS["enterprise"], file_name="form.docx")
    work = planning.plan(KINDS["enterprise"], readers.Sheet(rows=[head, *rows], file_type="docx-form"), admin_user,
                       result, Resolvers())
    assert [obj.registered_capital for _rr, obj, _p in work.new] == [Decimal("100"), Decimal("200")]
    assert [r.errors for r in result.rows[2:4]] == [[("注册资本（元）", "勾选了两项")], [("注册资本（元）", "一项也未勾选")]]
    assert result.rows[4].outcome == results.ERROR and result.rows[4].errors[0][0] == "注册资本（元）"
