"""Security headers, CSP nonces, no-store, Redoc under CSP, and `check --deploy` with prod settings."""

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip() for d in response["Content-Security-Policy"].split(";")}


def test_security_headers_on_login_page(client):
    r = client.get("/accounts/login/")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"
    csp = csp_directives(r)
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert "'unsafe-inline'" not in r["Content-Security-Policy"]
    assert "'unsafe-eval'" not in r["Content-Security-Policy"]


def test_csp_nonce_matches_the_script_tags_and_changes_per_request(admin_client):
    r = admin_client.get("/r/enterprises/")
    nonce = re.search(r"'nonce-([^']+)'", csp_directives(r)["script-src"]).group(1)
    html = r.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert " on" not in " ".join(re.findall(r"<[^>]+\son[a-z]+=", html))  # no inline event handlers
    assert 'style="' not in html  # no inline styles (style-src has no 'unsafe-inline')
    again = admin_client.get("/r/enterprises/")
    assert re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"]).group(1) != nonce


def test_authenticated_pages_are_not_stored(admin_client, client):
    r = admin_client.get("/r/enterprises/")
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]
    assert "no-store" in admin_client.get("/api/enterprises/")["Cache-Control"]


def test_redoc_works_under_its_own_relaxed_csp(client):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    csp = csp_directives(r)
    assert "blob:" in csp["worker-src"]
    assert "'unsafe-inline'" in csp["style-src"]
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
    html = r.content.decode()
    assert f'<script nonce="{nonce}">' in html and "Redoc.init" in html
    assert "googleapis" not in html  # no third-party fonts
    # the relaxation stays on that page
    assert "blob:" not in client.get("/accounts/login/")["Content-Security-Policy"]


def test_check_deploy_with_production_settings_reports_nothing():
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUIJIE_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DUIJIE_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
    })
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--settings=config.settings.prod"],
                         cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    text = (out.stdout + out.stderr).strip()
    assert re.fullmatch(r"System check identified no issues \(\d+ silenced\)\.", text), text


def test_production_settings_are_hardened():
    code = ("from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000,"
            " s.SECURE_SSL_REDIRECT, s.DEBUG,"
            " s.DUIJIE_API_BASIC_AUTH)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUIJIE_", "DATABASE_URL"))}
    env.update({"DJANGO_SECRET_KEY": secrets.token_urlsafe(60), "DATABASE_URL": "postgres://x@127.0.0.1/x",
                "DUIJIE_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
                "DJANGO_SETTINGS_MODULE": "config.settings.prod"})
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", f"import django;django.setup();{code}"], cwd=root, env=env,  # noqa: S603
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["True", "True", "True", "True", "False", "False"], out.stderr


def test_demo_runs_without_debug_and_still_serves_its_styles(client):
    """make demo sets DUIJIE_DEMO=1: no debug pages there; WhiteNoise serves the CSS with DEBUG off."""
    code = "from django.conf import settings as s;print(s.DEBUG, s.DUIJIE_DEMO)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUIJIE_", "DATABASE_URL"))}
    root = Path(__file__).resolve().parents[3]
    outputs = []
    for demo in ("1", "0"):
        out = subprocess.run([sys.executable, "-c", f"import django;django.setup();{code}"], cwd=root,  # noqa: S603
                             env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DUIJIE_DEMO": demo},
                             capture_output=True, text=True, timeout=120)
        outputs.append(out.stdout.split())
    assert outputs == [["False", "True"], ["True", "False"]]
    from django.conf import settings

    assert settings.DEBUG is False
    r = client.get("/static/duijie.css")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/css")
