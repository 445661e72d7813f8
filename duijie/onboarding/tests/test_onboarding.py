"""Onboarding: enterprise self-registration approved by its unit administrator; institution
accounts created by the city and experts invited by their institution through single-use,
expiring links; mail to the outbox and the link shown to the inviter."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from duijie.accounts.models import User
from duijie.core.models import AssessmentUnit, Organisation, Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.onboarding.models import EnterpriseRegistration, Invitation

pytestmark = pytest.mark.django_db
PASSWORD = "Strong-Pass-2026!"


@pytest.fixture
def wujin_admin():
    unit = AssessmentUnit.objects.create(name="武进区", code="t-wj", kind="district",
                                         city=Region.objects.get(code="3204"))
    unit.regions.set([Region.objects.get(code="320412")])
    org = Organisation.objects.create(kind="government", name="武进区科技局", assessment_unit=unit,
                                      region=Region.objects.get(code="320412"))
    return f.user(username="wjadmin", role=Role.UNIT_ADMIN, organisation=org)


def register(client, region="320412", **over):
    data = {"uscc": f.uscc(region), "enterprise_name": "常州注册测试有限公司",
            "region": Region.objects.get(code=region).pk, "contact_name": "李经理", "contact_phone": "13812340000",
            "email": "li@example.org", "username": "liqiye", "password": PASSWORD, **over}
    return client.post("/onboarding/register/", data)


def test_registration_needs_approval_by_the_unit(client, wujin_admin, django_capture_on_commit_callbacks):
    assert register(client).status_code == 200
    reg = EnterpriseRegistration.objects.get()
    assert reg.user.is_active is False
    assert not client.login(username="liqiye", password=PASSWORD)
    # another unit's administrator cannot see or approve it
    other = f.user(role=Role.UNIT_ADMIN, organisation=Organisation.objects.create(kind="government", name="别处"))
    c_other = Client()
    c_other.force_login(other)
    assert c_other.post(f"/onboarding/registrations/{reg.pk}/approve/").status_code == 404
    c = Client()
    c.force_login(wujin_admin)
    assert "常州注册测试有限公司" in c.get("/onboarding/registrations/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # mail is sent after commit
        assert c.post(f"/onboarding/registrations/{reg.pk}/approve/").status_code == 302
    reg.refresh_from_db()
    assert reg.status == "approved" and reg.enterprise.uscc == reg.uscc
    user = User.objects.get(username="liqiye")
    assert user.is_active and user.organisation == reg.enterprise.organisation
    assert any("liqiye" in m.body for m in mail.outbox)


def test_registration_bad_input(client, wujin_admin):
    r = register(client, uscc="91320412MA1M7Q8Q3X", contact_phone="123", password="short")
    html = r.content.decode()
    assert "校验码" in html and "电话号码" in html
    assert not EnterpriseRegistration.objects.exists() and not User.objects.filter(username="liqiye").exists()
    c = Client()
    c.force_login(wujin_admin)
    register(client)
    reg = EnterpriseRegistration.objects.get()
    c.post(f"/onboarding/registrations/{reg.pk}/reject/", {"reason": ""})
    reg.refresh_from_db()
    assert reg.status == "pending"  # a rejection needs a reason
    c.post(f"/onboarding/registrations/{reg.pk}/reject/", {"reason": "信用代码与营业执照不符"})
    reg.refresh_from_db()
    assert reg.status == "rejected" and not reg.user.is_active


def test_expert_invitation_is_single_use_and_expires(client, django_capture_on_commit_callbacks):
    inst = f.institution()
    tto = f.user(role=Role.INSTITUTION, organisation=inst.organisation)
    expert = f.expert(institution=inst)
    c = Client()
    c.force_login(tto)
    with django_capture_on_commit_callbacks(execute=True):
        page = c.post("/onboarding/invite/", {"expert": expert.pk, "email": "prof@example.org"}).content.decode()
    link = page.split('<code id="invite-link">')[1].split("</code>")[0]
    path = link[link.index("/onboarding/"):]
    assert mail.outbox and path in mail.outbox[0].body
    assert "invite" not in Invitation.objects.get().token_hash  # only the hash is stored
    r = client.post(path, {"username": "prof", "password": PASSWORD})
    assert r.status_code == 302
    expert.refresh_from_db()
    assert expert.user.username == "prof" and expert.user.role == Role.EXPERT
    assert client.get(path).status_code == 404  # single use
    # an expired link
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/onboarding/invite/", {"email": "late@example.org"})
    late = Invitation.objects.filter(email="late@example.org").get()
    Invitation.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    token_path = mail.outbox[-1].body.split("/onboarding/accept/")[1].split("/")[0]
    assert client.get(f"/onboarding/accept/{token_path}/").status_code == 404


def test_only_the_city_creates_institution_accounts(admin_client):
    from duijie.core.models import Organisation as Org

    city = Org.objects.create(kind="government", name="市局", region=Region.objects.get(code="3204"))
    admin = f.user(role=Role.CITY_ADMIN, organisation=city)
    inst = f.institution()
    c = Client()
    c.force_login(admin)
    assert c.post("/onboarding/invite/", {"institution": inst.pk, "email": "tto@example.org"}).status_code == 200
    assert Invitation.objects.get().organisation == inst.organisation
    ent_user = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    c2 = Client()
    c2.force_login(ent_user)
    assert c2.get("/onboarding/invite/").status_code == 403


def test_registration_does_not_tell_whether_a_username_exists(client, wujin_admin):
    f.user(username="taken", role=Role.ENTERPRISE, email="owner@example.org")
    mail.outbox.clear()
    new = register(Client(), username="fresh", email="a@example.org")
    taken = register(Client(), username="TAKEN", email="b@example.org")
    assert new.status_code == taken.status_code == 200

    def page(r):
        import re

        return re.sub(rb'(nonce|value|content)="[A-Za-z0-9+/=_-]{16,}"', b"", r.content)

    assert page(new) == page(taken)  # the same page, word for word
    assert EnterpriseRegistration.objects.count() == 1 and not User.objects.filter(email="b@example.org").exists()
    # the account holder hears of it, the registrant does not
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]
    assert "taken" in mail.outbox[0].body
    # a weak password gets the same error either way
    weak_new = register(Client(), username="fresh2", password="short").content.decode()
    weak_taken = register(Client(), username="taken", password="short").content.decode()
    assert "taken" not in weak_taken.replace('value="taken"', "")
    assert ("密码" in weak_new) and ("密码" in weak_taken)
