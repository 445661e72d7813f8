"""Where kept uploads (encrypted) and their progress files live: the protected import directory.
Below services and progress, which both need it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def import_dir() -> Path:
    path = Path(settings.DUIJIE_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
