"""In a real browser: an enterprise publishes a challenge from its demand, the bureau approves it, the
enterprise sees its best matches and invites a university expert, who accepts the invitation and bids;
bidding closes, the bureau seats two experts (the conflict screen shown), both score blind, the bureau
publishes its decision (公示), the award is refused during the period, an objection is lodged and
dismissed, the bureau awards after the period, and the created cooperation project opens.
Screenshots are kept in DUIJIE_SCREENSHOT_DIR (default: the test's temp dir)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from duijie.challenges.models import Challenge
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pw-Browser-12345"


def _user(role, organisation, name):
    return f.user(username=name, role=role, organisation=organisation, password=PASSWORD, is_demo=True)


def test_publish_bid_review_award_open_project(live_server, settings, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run scripts/install-browser.sh")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright  # deferred: the browser library loads only for this test

    settings.DUIJIE_DEMO = True
    settings.DUIJIE_MATCH_DIR = tmp_path / "match"
    settings.DUIJIE_MATCH_ENCODER = "none"
    from duijie.matching import services as match_services
    from duijie.matching import store

    store.reset_encoder()
    store.forget()
    shots = Path(os.environ.get("DUIJIE_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    _user(Role.CITY_ADMIN, f.city_bureau(), "bureau")
    ent = f.enterprise(name="常州浏览器测试科技有限公司")
    _user(Role.ENTERPRISE, ent.organisation, "entuser")
    demand = f.demand(ent, title="高精度伺服电机温升控制", status="published", visibility="public",
                      description="伺服电机绕组温升过高，需要散热结构与控制算法协同优化")
    uni = f.institution(name="浏览器测试大学")
    lead = f.expert(name="王揭榜", institution=uni, research_directions="伺服电机 绕组温升 散热结构 控制算法")
    f.expert(name="陈同组", institution=uni, research_directions="伺服电机 散热结构 热仿真")
    lead.user = _user(Role.EXPERT, uni.organisation, "lead")
    lead.save()
    other = f.institution(name="评审大学")
    for i, name in enumerate(("李评审", "赵评审")):
        x = f.expert(name=name, institution=other)
        x.user = _user(Role.EXPERT, other.organisation, f"rev{i}")
        x.save()
    base = live_server.url

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        def login(username):
            page = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(30000)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            return page

        def shot(page, name):
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

        # The enterprise publishes the demand as a challenge and submits it for approval.
        ep = login("entuser")
        ep.goto(f"{base}/r/demands/{demand.pk}/")
        ep.click("a.detail-link:has-text('发布为榜单')")
        ep.fill("#id_indicators", "温升降低15K；连续运行1000小时无故障")
        ep.fill("#id_budget", "800000")
        ep.fill("#id_deadline", (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
        ep.select_option("#id_ip_terms", "licence")
        shot(ep, "01-from-demand")
        ep.click("button:has-text('保存为草稿')")
        ep.click("button:has-text('提交审核')")
        challenge = Challenge.objects.get(demand=demand)
        assert challenge.status == "review"

        gp = login("bureau")
        gp.goto(f"{base}/r/challenges/{challenge.pk}/")
        gp.click("button:has-text('发榜')")
        gp.wait_for_selector("text=已发榜，接受揭榜")

        # The enterprise sees its best matches with reasons and invites the lead expert's team.
        match_services.rebuild()
        ep.goto(f"{base}/r/challenges/{challenge.pk}/")
        ep.wait_for_selector("#challenge-matches [data-kind=team]")
        assert "浏览器测试大学" in ep.inner_text("#challenge-matches")
        shot(ep, "02a-matches")
        ep.click(f"#challenge-matches li[data-target='expert:{lead.pk}'] button[data-invite]")
        ep.wait_for_selector("text=已邀请王揭榜揭榜")
        ep.wait_for_selector("#challenge-matches [data-invited]")
        shot(ep, "02b-invited")

        # The expert finds the invitation on their side and accepts it: straight to the bid form.
        lp = login("lead")
        lp.goto(f"{base}/challenges/invitations/")
        assert challenge.title in lp.inner_text("body")
        shot(lp, "02c-invitations")
        lp.click("button:has-text('接受并揭榜')")
        lp.wait_for_url(f"{base}/challenges/{challenge.pk}/bid/")

        # The university team bids through the form generated from the criteria.
        lp.fill("#id_approach", "基于热仿真的绕组与散热结构协同优化")
        lp.select_option("#id_maturity", "lab")
        lp.fill("#id_budget", "900000")  # over the budget: refused first
        lp.fill("#id_conflict_declaration", "无")
        for field in lp.locator("textarea[id^='id_answer_']").all():
            field.fill("已有样机与测试平台")
        for i, (share, title) in enumerate(((40, "仿真与方案"), (60, "样机与验收")), start=1):
            lp.fill(f"#id_milestone_{i}_title", title)
            lp.fill(f"#id_milestone_{i}_deliverable", f"{title}报告")
            lp.fill(f"#id_milestone_{i}_due_on", (timezone.localdate() + timedelta(days=90 * i)).isoformat())
            lp.fill(f"#id_milestone_{i}_share", str(share))
        lp.click("button:has-text('提交揭榜方案')")
        lp.wait_for_selector("text=超过榜额")
        shot(lp, "02-bid-over-budget")
        lp.fill("#id_budget", "750000")
        lp.click("button:has-text('提交揭榜方案')")
        lp.wait_for_selector("text=基于热仿真的绕组与散热结构协同优化")
        shot(lp, "03-own-bid")

        # The deadline passes; the enterprise closes bidding; the bureau starts the review.
        Challenge.objects.filter(pk=challenge.pk).update(deadline=timezone.now() - timedelta(minutes=1))
        ep.goto(f"{base}/r/challenges/{challenge.pk}/")
        ep.click("button:has-text('关闭揭榜')")
        gp.goto(f"{base}/r/challenges/{challenge.pk}/")
        gp.click("button:has-text('开始评审')")

        # The panel: the conflict screen excludes the bidder's colleague and keeps the two reviewers.
        f.expert(name="同校专家", institution=uni)
        gp.goto(f"{base}/challenges/{challenge.pk}/panel/?q=专家")
        assert "与揭榜方同单位" in gp.inner_text("body")
        shot(gp, "04-conflict-screen")
        for name in ("李评审", "赵评审"):
            gp.goto(f"{base}/challenges/{challenge.pk}/panel/?q={name}")
            gp.click(f"tr:has-text('{name}') button:has-text('选入')")
        shot(gp, "05-panel")

        # Blind scoring by two experts.
        for i, score in ((0, "8"), (1, "6")):
            rp = login(f"rev{i}")
            rp.goto(f"{base}/challenges/{challenge.pk}/review/")
            if i == 1:
                assert "提交您自己的评分后显示" in rp.inner_text("body")
                shot(rp, "06-blind-before-submitting")
            for field in rp.locator("input[id^='id_score_']").all():
                field.fill(score)
            rp.click("button:has-text('提交我的评分')")
            rp.wait_for_selector("text=您的评分")
        shot(rp, "07-after-submitting")

        # The bureau proposes the team: the decision goes into 公示; the award is refused meanwhile.
        gp.goto(f"{base}/challenges/{challenge.pk}/review/")
        gp.check("input[name=winners]")
        shot(gp, "08-ranking")
        gp.click("button:has-text('拟定选中团队')")
        gp.wait_for_selector("#publicity")
        gp.click("button:has-text('对拟定揭榜方定榜')")
        gp.wait_for_selector(".alert-danger:has-text('方可定榜')")
        shot(gp, "09-award-refused-in-publicity")

        # Someone objects during the 公示 on the challenge page; the bureau dismisses it.
        ep.goto(f"{base}/r/challenges/{challenge.pk}/")
        ep.fill("#publicity input[name=reason]", "请核查揭榜团队负责人是否在我司兼职")
        ep.click("#publicity button:has-text('提出异议')")
        ep.wait_for_selector("text=异议已提交")
        shot(ep, "10-objection")
        challenge.refresh_from_db()
        # the period ends (a test shortcut for waiting seven days)
        Challenge.objects.filter(pk=challenge.pk).update(publicity_start=challenge.publicity_start - timedelta(days=8),
                                                         publicity_end=challenge.publicity_end - timedelta(days=8))
        gp.goto(f"{base}/challenges/{challenge.pk}/review/")
        gp.click("button:has-text('对拟定揭榜方定榜')")
        gp.wait_for_selector(".alert-danger:has-text('异议尚未处理')")
        gp.fill("tr[data-objection] input[name=resolution]", "经核查不存在兼职关系")
        gp.click("tr[data-objection] button:has-text('处理')")
        gp.wait_for_selector("text=异议已处理")
        shot(gp, "11-objection-resolved")
        gp.click("button:has-text('对拟定揭榜方定榜')")
        gp.click("a.btn-success:has-text('合作项目')")
        gp.wait_for_selector(f"text={challenge.title}")
        assert "/r/projects/" in gp.url
        shot(gp, "12-project")
        browser.close()
    challenge.refresh_from_db()
    assert challenge.status == "awarded" and challenge.project.experts.filter(pk=lead.pk).exists()
    assert challenge.invitations.get().status == "accepted"
    store.forget()
    store.reset_encoder()
