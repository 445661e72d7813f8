"""The innovation score computed from the records: a worked example matching a hand computation,
every point linked to the records behind it, ranks and percentiles on ties, scope, reruns, the
national template, freezing, 公示 with objections, consent and the audited bank export."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from duijie.core.models import AuditLog
from duijie.core.tests import factories as f
from duijie.innovation import selectors, services
from duijie.innovation.choices import RunStatus
from duijie.innovation.models import Adjustment, EnterpriseScore, IndicatorSet
from duijie.innovation.tests import helpers as h
from duijie.orgs.models import EnterpriseQualification
from duijie.supply.models import Carrier, Patent

pytestmark = pytest.mark.django_db
YEAR = h.YEAR


@pytest.fixture
def w():
    w = h.world()
    # A: 武进, founded 2020 (5 years in 2025: growth stage), revenue 10 m → 12 m, R&D 480 k.
    a = h.enterprise(w, "320412", 2020, y2024={"revenue": "10000000"},
                     y2025={"revenue": "12000000", "rd_spend": "480000"})
    for n in range(3):
        p = f.patent(patent_type="invention", legal_status="granted", grant_date=date(2023, 6, 1 + n))
        p.applicant_orgs.add(a.organisation)
    lapsed = f.patent(patent_type="invention", legal_status="lapsed")
    lapsed.applicant_orgs.add(a.organisation)
    EnterpriseQualification.objects.create(enterprise=a, kind="high_tech", valid_from=date(2024, 3, 1),
                                           valid_to=date(2027, 2, 28), certificate_no="GR202432000001")
    Carrier.objects.create(name="国家级企业技术中心（测试）", kind="enterprise_tech_center", level="national",
                           host=a.organisation, approval_date=date(2022, 1, 1), region=w["r"]["320412"])
    Adjustment.objects.create(enterprise=a, year=YEAR, item="credit-default", reason="严重失信记录（测试）",
                              document="常信用〔2025〕1号", filed_by=w["city"])
    # B: 武进, founded 2023 (startup); C: 新北, same figures as B (a tie); D: no metrics for 2025.
    b = h.enterprise(w, "320412", 2023, y2025={"revenue": "2000000", "rd_spend": "100000"})
    c = h.enterprise(w, "320411", 2023, y2025={"revenue": "2000000", "rd_spend": "100000"})
    d = h.enterprise(w, "320411", 2010, y2024={"revenue": "1000000"})
    w.update(a=a, b=b, c=c, d=d, set=h.small_set(w))
    return w


def _run(w):
    return services.run_compute(indicator_set=w["set"], region=w["r"]["3204"], year=YEAR, by=w["city"])


def _line(run, e) -> EnterpriseScore:
    return run.scores.get(enterprise=e)


def test_worked_example_matches_the_hand_computation(w):
    """Enterprise A, 2025, founded 2020 → 5 years → growth stage (rule: ≤3 startup, ≤10 growth).
    Weights of the growth stage: T1 25, T2 25, G1 30, A1 20, B1 10, N1 5; group totals tech 50,
    growth 30, aux 20, bonus cap 10, negative cap 20 → highest possible 50 + 30 + 20 + 10 = 110.

    T1 R&D intensity = 480 000 / 12 000 000 = 4 % → step ≥3 % → share 0.5 → 25 × 0.5 = 12.50
    T2 invention patents in force = 3 (the lapsed one does not count) → 3 / 10 = 0.3 → 25 × 0.3 = 7.50
    G1 revenue growth = (12 m − 10 m) / 10 m = 20 % → step ≥20 % → 0.8 → 30 × 0.8 = 24.00
    A1 qualifications valid on 31 Dec = 1 (high-tech) → 1 / 2 = 0.5 → 20 × 0.5 = 10.00
    B1 national carriers hosted = 1 → 1 / 1 → 10 × 1 = 10.00 (bonus, within the cap of 10)
    N1 negative items filed = 1 → 1 / 1 → 5 × 1 = 5.00 (subtracted)
    total = 12.50 + 7.50 + 24.00 + 10.00 + 10.00 − 5.00 = 59.00

    Enterprise B, founded 2023 → 2 years → startup: T1 = 100 000 / 2 000 000 = 5 % → 0.8 × 30 = 24.00;
    no patents, no 2024 revenue (growth unknown: 0), nothing else → total 24.00 of 60+20+20+10 = 110."""
    run = _run(w)
    a = _line(run, w["a"])
    assert a.stage == "growth"
    points = {b["code"]: b["points"] for b in a.breakdown}
    assert points == {"T1": "12.50", "T2": "7.50", "G1": "24.00", "A1": "10.00", "B1": "10.00", "N1": "5.00"}
    raws = {b["code"]: b["raw"] for b in a.breakdown}
    assert raws["T1"] == "4.0000" and raws["T2"] == "3.0000" and raws["G1"] == "20.0000"
    assert a.total == Decimal("59.00") and a.maximum == Decimal("110.00")
    b = _line(run, w["b"])
    assert (b.stage, b.total, b.maximum) == ("startup", Decimal("24.00"), Decimal("110.00"))
    assert {x["code"]: x["points"] for x in b.breakdown}["T1"] == "24.00"
    assert [s["enterprise"] for s in run.skipped] == [w["d"].pk]  # no 2025 metrics: not scored, with the reason
    assert "2025" in run.skipped[0]["reason"]


def test_every_point_links_to_records_that_exist_and_belong_to_the_enterprise(w, client):
    run = _run(w)
    client.force_login(w["city"])
    a = _line(run, w["a"])
    for b in a.breakdown:
        if Decimal(b["points"]) == 0:
            continue
        assert b["records"], f"{b['code']} earned {b['points']} with no record behind it"
        for ref in b["records"]:
            url = selectors.record_url(ref)
            if ref["type"] == "adjustment":
                assert Adjustment.objects.filter(pk=ref["id"], enterprise=w["a"]).exists()
                continue
            assert url, ref
            assert client.get(url).status_code == 200
    patents = next(b for b in a.breakdown if b["code"] == "T2")["records"]
    owned = set(Patent.objects.filter(applicant_orgs=w["a"].organisation, legal_status="granted").values_list("pk", flat=True))
    assert {r["id"] for r in patents} == owned
    page = client.get(reverse("innovation:score", args=[a.pk])).content.decode()
    for b in a.breakdown:
        for ref in b["records"]:
            if ref["type"] != "adjustment":
                assert selectors.record_url(ref) in page
    assert f"{w['set'].name} v{w['set'].number}" in page  # the version used


def test_rank_and_percentile_on_ties(w):
    """City: A 59 > B 24 = C 24 → ranks 1, 2, 2; percentiles (below + ½ equal) / n:
    A (2 + 0.5) / 3 = 83.3; B and C (0 + 1) / 3 = 33.3. 武进 (A, B): 1 and 2 → 75.0 and 25.0;
    新北 (C alone): 1 → 50.0."""
    run = _run(w)
    table = selectors.rank_table(run)
    a, b, c = (_line(run, w[k]) for k in "abc")
    assert (table[a.pk]["city"].rank, table[b.pk]["city"].rank, table[c.pk]["city"].rank) == (1, 2, 2)
    assert table[a.pk]["city"].percentile == Decimal("83.3")
    assert table[b.pk]["city"].percentile == table[c.pk]["city"].percentile == Decimal("33.3")
    assert table[a.pk]["unit"][w["wujin"].pk].percentile == Decimal("75.0")
    assert table[b.pk]["unit"][w["wujin"].pk].rank == 2
    assert table[c.pk]["unit"][w["xinbei"].pk].percentile == Decimal("50.0")


def test_reruns_give_identical_lines(w):
    first = {s.enterprise_id: (s.total, s.breakdown) for s in _run(w).scores.all()}
    second = {s.enterprise_id: (s.total, s.breakdown) for s in _run(w).scores.all()}
    assert first == second


def test_scope_enterprise_own_district_its_units_city_all(w, client):
    run = _run(w)
    services.run_publicise(run=run, start=date(2026, 1, 1), end=date(2026, 1, 10), by=w["city"])
    a, b, c = (_line(run, w[k]) for k in "abc")
    client.force_login(h.enterprise_user(w["a"]))
    assert client.get(reverse("innovation:score", args=[a.pk])).status_code == 200
    assert client.get(reverse("innovation:score", args=[c.pk])).status_code == 404
    page = client.get(reverse("innovation:run", args=[run.pk])).content.decode()
    assert w["a"].name in page and w["c"].name not in page
    client.force_login(w["wujin_admin"])
    assert set(selectors.visible_scores(w["wujin_admin"], run).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert client.get(reverse("innovation:score", args=[c.pk])).status_code == 404
    client.force_login(w["city"])
    assert selectors.visible_scores(w["city"], run).count() == 3
    other = f.user(role="expert")
    assert selectors.visible_scores(other, run).count() == 0


def test_enterprises_do_not_see_a_draft_run(w, client):
    run = _run(w)
    client.force_login(h.enterprise_user(w["a"]))
    assert client.get(reverse("innovation:score", args=[_line(run, w["a"]).pk])).status_code == 404


def test_the_national_template_passes_every_rule_and_scores(w):
    template = IndicatorSet.objects.get(code="national", number=1)
    assert template.is_published and template.indicators.filter(group__in=["tech", "growth", "aux"]).count() == 18
    assert all("非指引原文" in i.weight_basis for i in template.indicators.all())
    services._check_set(template, services._rows(template), template.group_totals)
    with pytest.raises(ValidationError):
        template.name = "改"
        template.save()
    copy = services.indicator_set_copy(source=template, by=w["city"])
    assert (copy.region, copy.status, copy.indicators.count()) == (w["r"]["3204"], "draft", 22)
    copy = services.indicator_set_publish(indicator_set=copy, by=w["city"])
    run = services.run_compute(indicator_set=copy, region=w["r"]["3204"], year=YEAR, by=w["city"])
    for s in run.scores.all():
        assert Decimal(0) <= s.total <= s.maximum


def _published(w):
    run = _run(w)
    run = services.run_publicise(run=run, start=date(2026, 1, 1), end=date(2026, 1, 10), by=w["city"])
    return services.run_publish(run=run, by=w["city"], today=date(2026, 1, 11))


def test_a_published_run_is_frozen_and_verifies(w):
    run = _published(w)
    assert run.status == RunStatus.PUBLISHED and len(run.content_hash) == 64
    assert services.verify(run) == []
    line = _line(run, w["a"])
    with pytest.raises(ValidationError):
        line.total = Decimal("99.00")
        line.save()
    with pytest.raises(ValidationError):
        services.run_compute(indicator_set=w["set"], region=w["r"]["3204"], year=YEAR, by=w["city"])
    EnterpriseScore.objects.filter(pk=line.pk).update(total=Decimal("99.00"))  # tampering behind the services' back
    problems = services.verify(run)
    assert len(problems) == 2 and "99.00" in problems[0]  # the line, and the content hash


def test_objection_during_publicity_blocks_publishing_until_resolved(w):
    run = _run(w)
    run = services.run_publicise(run=run, start=date.today(), end=date.today() + timedelta(days=7), by=w["city"])
    line = _line(run, w["b"])
    with pytest.raises(ValidationError) as exc:
        services.objection_file(score=line, reason="  ", by=h.enterprise_user(w["b"]))
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.objection_file(score=line, reason="数据有误", by=h.enterprise_user(w["a"]))
    o = services.objection_file(score=line, reason="2024年营业收入漏报", indicator_code="G1", by=h.enterprise_user(w["b"]))
    with pytest.raises(ValidationError):
        services.run_publish(run=run, by=w["city"], today=date.today() + timedelta(days=8))
    with pytest.raises(PermissionDenied):
        services.objection_resolve(objection=o, upheld=False, resolution="无", by=w["xinbei_admin"])  # not B's district
    services.objection_resolve(objection=o, upheld=True, resolution="已补录2024年数据，重新计算", by=w["wujin_admin"])
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT  # upheld: recomputed and publicised again


def test_bank_export_only_with_consent_and_audited(w):
    run = _published(w)
    with pytest.raises(ValidationError) as exc:
        services.bank_export(run=run, by=w["city"], enterprise_ids=[w["b"].pk])
    assert "enterprise" in exc.value.message_dict and w["b"].name in str(exc.value)
    assert AuditLog.objects.filter(action="export", result="failure", object_id=str(run.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.consent_give(enterprise=w["b"], purpose="龙城科易贷", by=h.enterprise_user(w["a"]))
    services.consent_give(enterprise=w["a"], purpose="龙城科易贷授信评估", by=h.enterprise_user(w["a"]))
    data, chosen = services.bank_export(run=run, by=w["city"])
    assert chosen == [w["a"].pk]
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    names = [r[1] for r in rows[4:]]
    assert names == [w["a"].name]
    assert rows[4][6] == 59.0
    assert run.content_hash in rows[1][0]
    entry = AuditLog.objects.filter(action="export", result="success", object_id=str(run.pk)).get()
    assert entry.detail["enterprises"] == [w["a"].pk]
    with pytest.raises(PermissionDenied):
        services.bank_export(run=run, by=w["wujin_admin"])


def test_bank_export_view_refuses_without_consent(w, client):
    run = _published(w)
    client.force_login(w["city"])
    response = client.get(reverse("innovation:bank_export", args=[run.pk]) + f"?enterprise={w['b'].pk}", follow=True)
    assert response.status_code == 200 and "xlsx" not in response.get("Content-Type", "")
    assert w["b"].name in response.content.decode()


def test_list_and_breakdown_pages_render(w, client):
    run = _run(w)
    client.force_login(w["city"])
    page = client.get(reverse("innovation:index")).content.decode()
    assert w["a"].name in page and "59.00" in page
    page = client.get(reverse("innovation:run", args=[run.pk]) + f"?by=unit&key={w['wujin'].pk}").content.decode()
    assert w["a"].name in page and w["c"].name not in page
    assert client.get(reverse("innovation:set", args=[w["set"].pk])).status_code == 200


def test_the_consent_form_never_redirects_to_another_host(client):
    w = h.world()
    e = h.enterprise(w, "320412", 2015)
    client.force_login(h.enterprise_user(e))
    response = client.post(reverse("innovation:consent"), {"purpose": "龙城科易贷授信评估",
                                                           "next": "https://evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == reverse("innovation:index")
    assert e.bank_consents.filter(withdrawn_at__isnull=True).exists()
    response = client.post(reverse("innovation:consent"), {"purpose": "再次授权", "next": "/innovation/"})
    assert response["Location"] == "/innovation/"
