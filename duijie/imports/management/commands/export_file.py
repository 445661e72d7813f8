"""python manage.py export_file KIND PATH — the xlsx (full values) that import_file reads back
unchanged."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from duijie.imports.kinds import KINDS
from duijie.imports.sheets import export_xlsx


class Command(BaseCommand):
    help = "Export a registry to xlsx in the import layout (full values: for operators on the server)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path")

    def handle(self, *args, kind, path, **options):
        k = KINDS[kind]
        relations = [n for n in k.columns if k.field(n).is_relation and not k.field(n).many_to_many]
        many = [n for n in k.columns if k.field(n).many_to_many]
        objs = (k.model._default_manager.select_related(*relations).prefetch_related(*many).order_by("pk")
                .iterator(chunk_size=2000))
        Path(path).write_bytes(export_xlsx(k, objs))
        self.stdout.write(f"{k.model._default_manager.count()} rows → {path}")
