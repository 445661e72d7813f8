"""The workplace (issue 16, item 1): every demo role's menu links only to pages that answer 200 for
it, and each role's home shows its sections with records of its own scope only."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from duijie.accounts.models import User
from duijie.core import selectors
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role
from duijie.demands.models import Demand
from duijie.demo.accounts import ROLE_ACCOUNTS
from duijie.demo.generator import Scale, generate
from duijie.orgs.models import Enterprise, EnterpriseQualification
from duijie.workplace import menu

pytestmark = pytest.mark.django_db

SMALL = Scale(enterprises=40, experts=25, achievements=20, patents=25, demands=60, scenarios=10)
USERNAMES = ["admin", *(name for name, _display, _role in ROLE_ACCOUNTS)]


@pytest.fixture
def demo(db):
    generate(seed=7, scale=SMALL)
    return {u.username: u for u in User.objects.filter(username__in=USERNAMES)}


def _menu_links(html: str) -> list[str]:
    nav = html.split('id="nav"', 1)[1].split('id="user-menu"', 1)[0]
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(/[^"#]*)"', nav)]


def test_every_menu_link_answers_200_for_each_demo_role(client, demo):
    assert set(demo) == set(USERNAMES)
    seen = {}
    for name, user in demo.items():
        client.force_login(user)
        home = client.get("/")
        assert home.status_code == 200, name
        links = _menu_links(home.content.decode())
        assert links, f"{name} has no menu"
        for url in links:
            status = client.get(url).status_code
            assert status == 200, f"{name} ({user.role}): {url} answered {status}"
        seen[user.role] = set(links)
    # Trimmed to the role: no government pages for an enterprise, no business data for the 三员.
    enterprise = seen[Role.ENTERPRISE]
    assert "/r/demands/?mine=true" in enterprise and "/r/achievements/" in enterprise
    assert not {"/r/assessment-units/", "/r/organisations/", "/programmes/", "/cooperation/effect/",
                "/dedupe/", "/r/targets/"} & enterprise
    assert "/cooperation/effect/" in seen[Role.UNIT_ADMIN] and "/programmes/" in seen[Role.UNIT_ADMIN]
    assert "/r/organisations/" in seen[Role.CITY_ADMIN] and "/r/organisations/" not in seen[Role.UNIT_ADMIN]
    assert seen[Role.SYSTEM_ADMIN] == {"/", "/r/users/"}
    assert seen[Role.AUDIT_ADMIN] == {"/", "/r/audit-log/"}
    assert "/me/expert/" in seen[Role.EXPERT] and "/imports/" not in seen[Role.EXPERT]


def test_every_record_type_has_a_place_in_some_menu():
    listed = {e.slug for menus in menu.MENUS.values() for m in menus for e in m.entries if e.slug}
    missing = set(REGISTRY) - listed - menu.REACHED_FROM_PARENT
    assert not missing, f"record types in no menu (add them to workplace/menu.py): {sorted(missing)}"
    assert not listed - set(REGISTRY), "the menu names record types that do not exist"


def test_each_role_home_renders_its_sections(client, demo):
    for name, user in demo.items():
        client.force_login(user)
        page = client.get("/").content.decode()
        assert 'id="todos"' in page, name
        if user.role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
            assert 'id="recommended"' not in page and "/r/demands/" not in page
            continue
        assert 'id="mine"' in page and 'id="recommended"' in page, name
        rec = client.get("/workplace/recommendations/")
        assert rec.status_code == 200 and b"data-recommendations" in rec.content
        fig = client.get("/workplace/figures/")
        assert fig.status_code == 200
        if user.role in (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.INSTITUTION):
            assert 'id="figures"' in page and (b"data-programme=" in fig.content or b'data-empty="figures"' in fig.content)
    client.force_login(demo["admin"])
    page = client.get("/").content.decode()
    assert 'id="figures"' in page and 'data-group="my-projects"' in page
    assert b"data-programme=" in client.get("/workplace/figures/").content


def test_figures_are_the_users_own_targets_read_through_progress(demo):
    """A district sees its own targets (of the plan that set them, even an ended one), never the city's."""
    from django.utils import timezone

    from duijie.programmes.models import Target
    from duijie.workplace.selectors import figures

    today = timezone.localdate()
    wujin = demo["wujin"]
    own = set(selectors.mine_queryset(Target, wujin).values_list("pk", flat=True))
    shown = [r.target.pk for f in figures(wujin, today) for r in f.rows]
    assert set(shown) <= own
    if own:
        assert shown, "a district with targets of its own sees them"
    city_only = set(selectors.mine_queryset(Target, demo["admin"]).values_list("pk", flat=True)) - own
    assert not city_only & set(shown)


def test_district_to_dos_hold_only_its_own_records(client, demo):
    """A district's to-dos and "in my area" never show another district's records, public or not."""
    wujin = demo["wujin"]
    ours = selectors.mine_queryset(Enterprise, wujin).first()
    theirs = selectors.visible_queryset(Enterprise, wujin).exclude(
        pk__in=selectors.mine_queryset(Enterprise, wujin).values("pk")).first()
    assert ours is not None and theirs is not None
    assert selectors.visible_queryset(Enterprise, wujin).filter(pk=theirs.pk).exists()  # public: readable
    today = timezone.localdate()
    mine_demand = Demand.objects.create(enterprise=ours, demand_type="tech_challenge", title="武进待审需求甲",
                                        description="x", status="submitted", region_id=ours.region_id,
                                        owner_org_id=ours.organisation_id)
    mine_demand.assessment_units.set(ours.assessment_units.all())
    Demand.objects.create(enterprise=theirs, demand_type="tech_challenge", title="外区待审需求乙", description="x",
                          status="submitted", region_id=theirs.region_id, owner_org_id=theirs.organisation_id)
    EnterpriseQualification.objects.create(enterprise=ours, kind="high_tech", valid_from=today - timedelta(days=900),
                                           valid_to=today + timedelta(days=20), certificate_no="GR-OURS")
    EnterpriseQualification.objects.create(enterprise=theirs, kind="high_tech",
                                           valid_from=today - timedelta(days=900),
                                           valid_to=today + timedelta(days=20), certificate_no="GR-THEIRS")
    client.force_login(wujin)
    page = client.get("/").content.decode()
    assert "武进待审需求甲" in page and "外区待审需求乙" not in page
    assert str(ours) in page and str(theirs) not in page
    # The list behind "view all" holds the same records (?mine=true).
    listed = client.get("/r/demands/?status=submitted&mine=true").content.decode()
    assert "武进待审需求甲" in listed and "外区待审需求乙" not in listed
    # The city sees both.
    client.force_login(demo["admin"])
    page = client.get("/").content.decode()
    assert "武进待审需求甲" in page or "/r/demands/?status=submitted" in page


def test_home_queries_do_not_grow_with_records(client, demo):
    admin = demo["admin"]
    ent = selectors.mine_queryset(Enterprise, admin).first()

    def add(n):
        for i in range(n):
            Demand.objects.create(enterprise=ent, demand_type="tech_challenge", title=f"待审{i}-{n}", description="x",
                                  status="submitted", region_id=ent.region_id, owner_org_id=ent.organisation_id)

    client.force_login(admin)
    add(3)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    add(12)
    client.get("/")
    assert count() == small
