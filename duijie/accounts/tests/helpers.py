from __future__ import annotations

from django.conf import settings

PW = "Sturdy-Pass-2026"
LOGIN = "/accounts/login/"


def login(client, username, password=PW, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def session_exists(key: str) -> bool:
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)
