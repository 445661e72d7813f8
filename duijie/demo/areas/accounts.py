"""Demo accounts: the named logins first (needed as the filer of every record), then one account per
remaining role, each tied to a real organisation of the data set."""

from __future__ import annotations

from django.db.models import Count

from duijie.accounts.models import User
from duijie.core.choices import OrgKind
from duijie.core.models import Organisation, Park
from duijie.core.roles import Role
from duijie.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ROLE_ACCOUNTS
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, Institution


def make_accounts(g) -> None:
    users = []
    for username, display, role, org in DEMO_ACCOUNTS:
        organisation = Organisation.objects.filter(kind=org[0], name=org[1]).order_by("pk").first() if org else None
        user = User(username=username, display_name=display, role=role, organisation=organisation,
                    is_demo=True, is_staff=role == Role.CITY_ADMIN, email=f"{username}@demo.example")
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    users = User.objects.bulk_create(users)
    g.count(User, len(users))
    g.admin_user = users[0]


def make_role_accounts(g) -> None:
    """One demo account per remaining role, each tied to a real organisation of the data set."""
    park = Park.objects.filter(name__startswith="武进国家高新").first() or Park.objects.order_by("pk").first()
    park_org = Organisation.objects.create(kind=OrgKind.GOVERNMENT, name=f"{park.name}管理委员会",
                                           region_id=park.region_id, park=park)
    broker_org = Organisation.objects.create(kind=OrgKind.OTHER, name="常州科技大市场技术经纪服务中心",
                                             region_id=g.region["3204"])
    g.count(Organisation, 2)
    enterprise = (Enterprise.objects.annotate(n=Count("demands")).order_by("-n", "pk").first())
    cczu = Institution.objects.get(name="常州大学")
    expert = (Expert.objects.filter(institution=cczu).annotate(n=Count("achievements_led"))
              .order_by("-n", "pk").first())
    orgs = {
        Role.UNIT_ADMIN: g.gov["武进区科学技术局"], Role.PARK_MANAGER: park_org,
        "enterprise": enterprise.organisation, "institution": cczu.organisation,
        "expert": cczu.organisation, "broker": broker_org,
    }
    users = []
    for username, display, role in ROLE_ACCOUNTS:
        org = orgs.get(role, g.city_org)
        if username == "kunshan":
            org = g.gov["昆山市科学技术局"]
        user = User(username=username, display_name=display, role=role, organisation=org, is_demo=True,
                    email=f"{username}@demo.example")
        user.set_password(DEMO_PASSWORD)
        users.append(user)
    users = User.objects.bulk_create(users)
    g.count(User, len(users))
    expert_user = next(u for u in users if u.role == Role.EXPERT)
    Expert.objects.filter(pk=expert.pk).update(user=expert_user)
    User.objects.filter(pk=expert_user.pk).update(display_name=expert.name)
