"""Error pages: Chinese, in the site's layout, never Django's debug or plain English pages; the 500
page renders without the database or a request context; the demo runs with DEBUG off."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from duijie.core.views import server_error


def _boom(request):
    raise RuntimeError("boom")


# A URLconf of this module: one view that fails, and the project's 500 handler.
urlpatterns = [path("boom/", _boom)]
handler500 = "duijie.core.views.server_error"

DEBUG_MARKERS = ("URLconf", "Django tried these URL patterns", "Traceback", "DEBUG = True")


def _assert_friendly(response, status, heading):
    body = response.content.decode()
    assert response.status_code == status
    assert f'data-status="{status}"' in body
    assert heading in body
    assert "返回首页" in body and 'href="/"' in body
    assert "vendor/bootstrap.min.css" in body  # the site's stylesheets, its layout
    for marker in (*DEBUG_MARKERS, "Not Found", "Server Error", "Bad Request"):
        assert marker not in body


@pytest.mark.django_db
def test_unknown_url_is_the_chinese_404_page(client, admin_client):
    _assert_friendly(client.get("/no-such-page/"), 404, "页面不存在")
    response = admin_client.get("/r/no-such-registry/")
    _assert_friendly(response, 404, "页面不存在")
    assert 'id="user-menu"' in response.content.decode()  # the signed-in layout, with its menu


@pytest.mark.django_db
def test_forbidden_page_is_chinese(enterprise_client):
    _assert_friendly(enterprise_client.get("/dedupe/"), 403, "拒绝访问")


@pytest.mark.django_db
def test_csrf_failure_is_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    _assert_friendly(response, 403, "表单已失效")
    assert "CSRF verification failed" not in response.content.decode()


@pytest.mark.django_db
def test_bad_host_is_the_chinese_400_page(client):
    _assert_friendly(client.get("/", HTTP_HOST="evil.example.com"), 400, "请求有误")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_server_error_is_the_chinese_500_page():
    client = Client(raise_request_exception=False)
    _assert_friendly(client.get("/boom/"), 500, "系统出现错误")


def test_500_page_needs_no_database_or_context(rf):
    # No django_db mark: any query would fail the test.
    response = server_error(rf.get("/anything/"))
    _assert_friendly(response, 500, "系统出现错误")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
@pytest.mark.django_db
def test_local_hosts_are_allowed(client, host):
    assert client.get("/accounts/login/", HTTP_HOST=f"{host}:8000").status_code == 200


def test_demo_settings_run_with_debug_off(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS"}}
    env.update(DUIJIE_DEMO="1", DJANGO_SETTINGS_MODULE="config.settings", DUIJIE_DATA_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS, "
         "s.STORAGES['staticfiles']['BACKEND'], 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert out[0] == "False"
    assert "'127.0.0.1'" in out[1] and "'localhost'" in out[1]
    assert "whitenoise.storage.CompressedStaticFilesStorage" in out[1] and out[1].strip().endswith("True")
