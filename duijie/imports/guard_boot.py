"""Preloaded by the forkserver that parses uploads (guard.py): Django is set up once there, so each
parse is a cheap fork of a ready process. Nothing here touches the database."""

import contextlib
import os

with contextlib.suppress(Exception):  # without it the child sets Django up itself
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        import django

        django.setup()
        import openpyxl  # noqa: F401
        import python_calamine  # noqa: F401

        import duijie.imports.guard
        import duijie.imports.layouts  # noqa: F401
