"""Personal API tokens: hashed at rest, shown once, revocable, expiring, acting as the user."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from duijie.accounts.models import ApiToken
from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def api(key, keyword="Token"):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return c


def test_create_on_page_shown_once_and_hashed_at_rest(enterprise_client, enterprise_user):
    r = enterprise_client.post("/accounts/tokens/", {"name": "ERP sync", "days": ""})
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    key = re.search(r'id="new-token-key">([^<]+)<', r.content.decode()).group(1)
    token = ApiToken.objects.get(user=enterprise_user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    assert key not in str(list(ApiToken.objects.values_list()))  # only hash and prefix are stored
    assert token.expires_at is not None  # capped at DUIJIE_API_TOKEN_MAX_DAYS
    page = enterprise_client.get("/accounts/tokens/").content.decode()
    assert key not in page and token.prefix in page
    assert AuditLog.objects.filter(action="token_create", user=enterprise_user).exists()


@pytest.mark.parametrize("keyword", ["Token", "Bearer"])
def test_token_acts_exactly_as_the_user(enterprise_user, enterprise_api, keyword):
    f.enterprise(name="别人的企业")
    _token, key = ApiToken.issue(enterprise_user, "t")
    r = api(key, keyword).get("/api/enterprises/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    as_user = enterprise_api.get("/api/enterprises/").json()
    assert r.json() == as_user  # same scope as the user's own session


def test_last_used_recorded(enterprise_user):
    token, key = ApiToken.issue(enterprise_user, "t")
    assert api(key).get("/api/enterprises/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_refused(enterprise_client, enterprise_user):
    token, key = ApiToken.issue(enterprise_user, "t")
    assert api(key).get("/api/enterprises/").status_code == 200
    assert enterprise_client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    r = enterprise_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert r.status_code == 302
    r = api(key).get("/api/enterprises/")
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Token"
    assert AuditLog.objects.filter(action="token_revoke").exists()
    assert AuditLog.objects.filter(action="login_failed", result="failure",
                                   detail__reason="revoked_or_expired").exists()


def test_cannot_revoke_someone_elses_token(enterprise_client):
    other = f.user(username="other", role=Role.ENTERPRISE)
    token, _key = ApiToken.issue(other, "t")
    assert enterprise_client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_and_unknown_tokens_refused(enterprise_user):
    with freeze_time(timezone.now() - timedelta(days=10)):
        _token, key = ApiToken.issue(enterprise_user, "t", days=5)
    assert api(key).get("/api/enterprises/").status_code == 401
    assert api("not-a-real-key").get("/api/enterprises/").status_code == 401


def test_inactive_user_token_refused(enterprise_user):
    _token, key = ApiToken.issue(enterprise_user, "t")
    enterprise_user.is_active = False
    enterprise_user.save()
    assert api(key).get("/api/enterprises/").status_code == 401


def test_no_credentials_401_or_403_never_redirect(client):
    assert client.get("/api/enterprises/").status_code in (401, 403)


def test_basic_auth_is_off_by_default(admin_user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Basic Y2l0eWFkbWluOnB3LUFkbWluLTEyMzQ1")  # cityadmin:pw-Admin-12345
    assert c.get("/api/enterprises/").status_code == 401


def test_api_throttling(enterprise_user, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "2/minute"})
    _token, key = ApiToken.issue(enterprise_user, "t")
    codes = [api(key).get("/api/enterprises/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert APIClient().get("/api/enterprises/").status_code == 401  # permission comes before throttling
    anon = [APIClient().get("/api/openapi.json").status_code for _ in range(3)]
    assert anon == [200, 200, 429]
