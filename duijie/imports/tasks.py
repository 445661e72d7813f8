"""Background import tasks. They are declared in ``services.py`` beside the services they run and
that enqueue them (so the two modules do not import each other); this module names them for a reader
looking for the app's tasks."""

from __future__ import annotations

from duijie.imports.services import import_check, import_write

__all__ = ["import_check", "import_write"]
