"""Award schemes of the seeds (issue #15 item 1): the money rules of seeds 000 and 003 as dated rule data
with the clause each rests on, and a round of each in a realistic state, all written through
``awards.services`` (the candidate finder, the review chain, the approval, 公示, issue and payment), so
every line is computed from its basis records exactly as in production.

The seeds' rules are kept in force in the demo's current world (the demo moves the current world to
the day it is built, ``g.today``): each scheme belongs to the programme whose document states the rule,
its rule version is valid from the document's date with no end, and every date of the workflow is
relative to ``g.today``. The annual awards run for last year (reviewed after the year closes); the 2%
reward, found in the records (免申即享), runs for the current year:

- 技术合同成交额奖补 (seed 003 三、3, ~2% of the registered contract amount to the transfer institution):
  the contracts registered this year — in review at the city bureau;
- 优秀教师奖励 (seed 000 四、2①, ¥5,000 each, 100 a year): nominations with the teacher's 挂钩联系
  pairings, led achievements or cooperation projects as basis — in 公示 (the period holds today);
- 优秀学生奖励 (seed 000 四、2①, ¥2,000 each, 400 a year): the leaders of student teams in incubators —
  paid (closed) after the district and city bureaus reviewed it and the 联席会议 approved it;
- 技术工人岗位培训补助 (seed 000 四、2②, at most ¥100k per university): the rule only — the platform has no
  record of training courses yet, so there is nothing to compute a round from;
- 高校院所绩效评价择优奖补 (seed 003 四、3): ranked by the evaluation — candidates computed (draft).

Seed 001 names subsidies (研究生工作站, 新型研发机构, 技术转移机构建设补贴, 技术经纪人服务补贴) but gives no amount
for any, so the demo holds no rule for them; a number would be invented. Where a seed states the rule
but not every parameter the kind needs (the per-course training amount, the 择优 tiers), the value is a
demo configuration and its source clause says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count

from duijie.accounts.models import User
from duijie.awards import services
from duijie.awards.choices import CandidateSource, Channel, RuleKind
from duijie.awards.models import Application, PayeeAccount, Round, Scheme
from duijie.core.choices import Visibility
from duijie.core.services import record_save
from duijie.experts.models import Expert
from duijie.orgs.models import Institution
from duijie.pairings.models import Pairing, StudentTeam
from duijie.programmes.models import Programme

SEED_000 = "种子文件 000：武进区《科技创新“双十百千”三年行动计划（2016-2018）》"
SEED_003 = "种子文件 003：《常州市深化在常高校院所与地方产业创新驱动融合发展三年行动计划（2019-2021年）》"
TEACHER_CLAUSE = ("四、保障措施 2．设立“双十百千”专项资金 ①：“奖励在“双十百千”活动中作出贡献的高校专家教授和高校学生，"
                  "每年评选优秀教师100名，奖励5000元/人，每年评选优秀学生400名，奖励2000元/人。”")
TRAINING_CLAUSE = ("四、保障措施 2．设立“双十百千”专项资金 ②：“鼓励在常高校与武进企业联合举办技术工人岗位培训，"
                   "专项资金给予适当补助，每所高校补助不超过10万元。”")
REVIEW_CLAUSE = ("四、保障措施 3．完善评审机制：“由联席会议召集，由校地双方科技部门具体负责，每年组织对奖励对象进行评审考核，"
                 "考核结果报联席会议批准后实施。”")
CONTRACT_CLAUSE = ("三、3．推进多层次技术市场体系建设：“……各类技术转移机构为我市企事业单位引进转移转化成果的，"
                   "按技术合同实际成交额的2%左右给予奖补。”")
MERIT_CLAUSE = ("四、3．开展绩效评价：“市科技局牵头建立在常高校院所与地方产业创新驱动融合发展评价体系，对在常高校院所科技创新资源争取、"
                "产学研合作、创新人才与团队建设、科技成果转移转化等方面进行绩效评价，择优给予奖补。”")

# code, programme, name, seed, clause, purpose, candidates, kind, parameters, source clause, budget (yuan),
# rule valid from (the document's date), the offices reviewing in order
SCHEMES = (
    ("contract-2pct", "changzhou-2019", "技术合同成交额奖补（技术转移机构）", SEED_003, CONTRACT_CLAUSE,
     "tech-transfer-reward", CandidateSource.REGISTERED_CONTRACTS, RuleKind.SHARE, {"rate": "0.02"},
     "种子文件 003 三、3：按技术合同实际成交额的2%左右给予奖补", "5000000.00", date(2019, 1, 1),
     ("常州市科学技术局",)),
    ("excellent-teacher", "shuangshi-2016", "“双十百千”优秀教师奖励", SEED_000, f"{TEACHER_CLAUSE}{REVIEW_CLAUSE}",
     "excellent-teacher", CandidateSource.APPLICATIONS, RuleKind.PER_PERSON, {"amount": "5000", "max_count": 100},
     "种子文件 000 四、2①：每年评选优秀教师100名，奖励5000元/人", "500000.00", date(2016, 5, 3),
     ("武进区科学技术局", "常州市科学技术局")),
    ("excellent-student", "shuangshi-2016", "“双十百千”优秀学生奖励", SEED_000, f"{TEACHER_CLAUSE}{REVIEW_CLAUSE}",
     "excellent-student", CandidateSource.APPLICATIONS, RuleKind.PER_PERSON, {"amount": "2000", "max_count": 400},
     "种子文件 000 四、2①：每年评选优秀学生400名，奖励2000元/人", "800000.00", date(2016, 5, 3),
     ("武进区科学技术局", "常州市科学技术局")),
    ("worker-training", "shuangshi-2016", "技术工人岗位培训补助", SEED_000, f"{TRAINING_CLAUSE}{REVIEW_CLAUSE}",
     "worker-training", CandidateSource.APPLICATIONS, RuleKind.PER_ORG_CAPPED,
     {"amount_per_item": "20000", "cap": "100000"},
     "种子文件 000 四、2②：每所高校补助不超过10万元（上限出自文件；每期培训2万元为演示配置，文件只说“适当补助”）",
     "1000000.00", date(2016, 5, 3), ("武进区科学技术局",)),
    ("institution-merit", "changzhou-2019", "在常高校院所绩效评价择优奖补", SEED_003, MERIT_CLAUSE,
     "institution-merit", CandidateSource.APPLICATIONS, RuleKind.RANKED,
     {"tiers": [{"up_to_rank": 1, "amount": "300000"}, {"up_to_rank": 3, "amount": "200000"},
                {"up_to_rank": 6, "amount": "100000"}], "min_score": "60"},
     "种子文件 003 四、3：绩效评价，择优给予奖补（名次档位与金额为演示配置，文件未规定）", "1000000.00", date(2019, 1, 1),
     ("常州市科学技术局",)),
)
CURRENT_YEAR = {"contract-2pct"}  # the others run for last year
BANKS = ("江苏银行常州分行", "中国银行常州武进支行", "江南农村商业银行", "工商银行常州分行")


def make_awards(g) -> None:
    admin = g.admin_user
    programmes = {p.code: p for p in Programme.objects.filter(code__in={s[1] for s in SCHEMES})}
    schemes: dict[str, Scheme] = {}
    for (code, prog, name, seed, clause, purpose, source, kind, params, source_clause, budget, valid_from,
         chain) in SCHEMES:
        if prog not in programmes:
            continue
        year = award_year(g.today, code)
        scheme = record_save(instance=Scheme(
            programme=programmes[prog], code=f"{code}-{year}", name=name, basis_clause=f"{seed}，{clause}", year=year,
            budget=Decimal(budget), purpose=purpose, candidate_source=source, approving_body="联席会议"
            if prog == "shuangshi-2016" else "市科技局局长办公会议", review_chain=[g.gov[o].pk for o in chain],
            region_id=g.region["3204"], visibility=Visibility.PLATFORM), by=admin)
        version = services.rule_version_create(scheme=scheme, kind=kind, parameters=params, valid_from=valid_from,
                                               source_clause=source_clause, by=admin)
        services.rule_version_publish(version=version, by=admin)
        schemes[code] = scheme
        g.count(Scheme, 1)
    if "contract-2pct" in schemes:
        _contract_round(g, schemes["contract-2pct"])
    if "excellent-teacher" in schemes:
        _teacher_round(g, schemes["excellent-teacher"])
    if "excellent-student" in schemes:
        _student_round(g, schemes["excellent-student"])
    if "institution-merit" in schemes:
        _merit_round(g, schemes["institution-merit"])


def _round(g, scheme: Scheme) -> Round:
    r = record_save(instance=Round(scheme=scheme, year=scheme.year, region_id=scheme.region_id), by=g.admin_user)
    g.count(Round, 1)
    return services.round_compute(round_=r, by=g.admin_user)


def _account(g, number: int, **payee) -> None:
    name = payee.pop("account_name")
    record_save(instance=PayeeAccount(
        account_name=name, bank_name=g.rng.choice(BANKS),
        account_number="6222" + "".join(g.rng.choice("0123456789") for _ in range(15)),
        region_id=g.region["3204"], **payee), by=g.admin_user)
    g.count(PayeeAccount, 1)


def _reviewer(r: Round) -> User:
    """A member of the office whose turn it is (each office acts for itself)."""
    return User.objects.filter(organisation=r.current_office, role__in=services.OFFICE_ROLES).order_by("pk").first()


def _review_all(g, r: Round) -> Round:
    r = services.round_submit(round_=r, by=g.admin_user)
    while r.status == "in_review":
        r = services.round_review(round_=r, by=_reviewer(r), passed=True, note="材料齐全，同意")
    return r


def _approve(g, r: Round, days_ago: int) -> Round:
    day = g.today - timedelta(days=days_ago)
    body = "联席会议纪要" if r.scheme.approving_body == "联席会议" else "局长办公会议纪要"
    return services.round_approve(round_=r, by=g.admin_user, decision_number=f"{body}〔{day.year}〕{r.pk + 2}号",
                                  decision_date=day, decision_document=f"https://kjj.changzhou.gov.cn/awards/{r.scheme.code}.pdf")


def _contract_round(g, scheme: Scheme) -> None:
    """In review: this year's registered contracts, sent to the city bureau."""
    r = _round(g, scheme)
    for i, org_id in enumerate(sorted(set(r.lines.values_list("payee_org_id", flat=True)) - {None})):
        org = r.lines.filter(payee_org_id=org_id).first().payee_org
        _account(g, i, payee_org=org, owner_org=org, account_name=org.name)
    if r.lines.exists():
        services.round_submit(round_=r, by=g.admin_user)


def _teacher_round(g, scheme: Scheme) -> None:
    """In 公示: the teachers nominated with their 挂钩联系 pairings (or, failing those, the achievements they
    led or their cooperation projects) as basis — a few more than the 100 places, so the quota shows — approved and publicised."""
    limit = int(scheme.rule_versions.get().parameters["max_count"])
    paired = dict(Pairing.objects.filter(expert__isnull=False, expert__institution__is_local=True)
                  .values("expert").annotate(n=Count("pk")).values_list("expert", "n"))
    experts = list(Expert.objects.filter(institution__is_local=True)
                   .annotate(led=Count("achievements_led", distinct=True), projects=Count("cooperation_projects", distinct=True))
                   .select_related("institution").order_by("pk"))
    nominated = 0
    for x in experts:
        if nominated >= limit + 4:
            break
        if x.pk in paired:
            basis_type = "pairings"
            ids = list(Pairing.objects.filter(expert=x).order_by("pk").values_list("pk", flat=True))
        elif x.led:
            basis_type = "achievements"
            ids = list(x.achievements_led.order_by("pk").values_list("pk", flat=True))
        elif x.projects:
            basis_type = "projects"
            ids = list(x.cooperation_projects.order_by("pk").values_list("pk", flat=True))
        else:
            continue
        services.application_file(application=Application(
            scheme=scheme, channel=Channel.NOMINATION, expert=x, payee_org=x.institution.organisation,
            basis_type=basis_type, basis_ids=ids, note=f"{x.institution.name}科技处推荐"), by=g.admin_user)
        nominated += 1
    g.count(Application, nominated)
    if not nominated:
        return
    r = _round(g, scheme)
    for line in r.lines.filter(outcome="allocated").select_related("expert").order_by("position")[:12]:
        _account(g, line.pk, expert=line.expert, account_name=line.expert.name)
    r = _review_all(g, r)
    r = _approve(g, r, 6)
    services.round_publicise(round_=r, by=g.admin_user, start=g.today - timedelta(days=3),
                             end=g.today + timedelta(days=4))


def _student_round(g, scheme: Scheme) -> None:
    """Paid: the leaders of the students' teams in incubators, reviewed by the district and the city
    bureau, approved by the 联席会议, publicised and issued weeks ago, every line paid since."""
    teams = list(StudentTeam.objects.filter(teacher_led=False, institution__is_local=True)
                 .select_related("institution").order_by("pk"))
    for team in teams:
        services.application_file(application=Application(
            scheme=scheme, channel=Channel.NOMINATION, person_name=team.leader_name,
            payee_org=team.institution.organisation, basis_type="student-teams", basis_ids=[team.pk],
            note=f"{team.name}（{team.members}人）"), by=g.admin_user)
    g.count(Application, len(teams))
    if not teams:
        return
    r = _round(g, scheme)
    for line in r.lines.filter(outcome="allocated").select_related("payee_org").order_by("position"):
        _account(g, line.pk, payee_org=line.payee_org, person_name=line.person_name, owner_org=line.payee_org,
                 account_name=line.person_name)
    r = _review_all(g, r)
    r = _approve(g, r, 75)
    r = services.round_publicise(round_=r, by=g.admin_user, start=g.today - timedelta(days=70),
                                 end=g.today - timedelta(days=64))
    payout = services.round_issue(round_=r, by=g.admin_user, today=g.today - timedelta(days=60))
    for line in payout.lines.order_by("position"):
        services.payout_mark(line=line, by=g.admin_user, status="paid", paid_on=g.today - timedelta(days=45),
                             reference=f"GK{g.today.year}{line.pk:06d}")


def _merit_round(g, scheme: Scheme) -> None:
    """Draft: the local universities' evaluation scores, with their cooperation projects as basis."""
    insts = list(Institution.objects.filter(is_local=True).annotate(n=Count("cooperation_projects"))
                 .filter(n__gt=0).select_related("organisation").order_by("pk"))
    for inst in insts:
        ids = list(inst.cooperation_projects.order_by("pk").values_list("pk", flat=True))
        score = Decimal(g.rng.randrange(550, 980)) / 10
        services.application_file(application=Application(
            scheme=scheme, channel=Channel.APPLICATION, payee_org=inst.organisation, basis_type="projects",
            basis_ids=ids, score=score, note="绩效评价得分（评价体系见方案依据）"), by=g.admin_user)
    g.count(Application, len(insts))
    if insts:
        _round(g, scheme)


def award_year(today: date, code: str) -> int:
    """The year a demo scheme runs for (the tests read it from here)."""
    return today.year if code in CURRENT_YEAR else today.year - 1
