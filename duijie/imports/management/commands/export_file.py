"""python manage.py export_file KIND PATH — the xlsx (full values) that import_file reads back
unchanged. With ``--form`` (a kind with an official layout, e.g. achievement → Annex 1): the filled
forms, one per record (a table each in .docx, a sheet each in .xlsx, by PATH's extension).

``export_file annex2|annex3 PATH --programme CODE [--year YYYY] [--user USERNAME]``: the programme's
official target table in its printed layout with a 完成 (actual) column beside each target and the
totals row — the rows the user may read (default: the built-in operator, every row)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from duijie.accounts.models import User
from duijie.imports import layouts
from duijie.imports.kinds import KINDS
from duijie.imports.readers import FileProblem
from duijie.imports.services import operator_user
from duijie.imports.sheets import export_xlsx
from duijie.imports.tables import export, plan


class Command(BaseCommand):
    help = "Export a registry to xlsx in the import layout (full values: for operators on the server)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path")
        parser.add_argument("--form", action="store_true",
                            help="Write the official form (Annex 1 for achievements) filled in, .docx or .xlsx.")
        parser.add_argument("--pk", type=int, action="append", help="Only this record (repeatable).")
        parser.add_argument("--programme", help="The programme of an official target table (annex2, annex3).")
        parser.add_argument("--year", type=int, help="The year of an Annex 3 table (default: its first year).")
        parser.add_argument("--user", help="Export what this user may read (default: the built-in operator).")

    def handle(self, *args, kind, path, form, pk, programme=None, year=None, user=None, **options):
        k = KINDS[kind]
        if k.table:
            self._table(kind, path, programme, year, user)
            return
        relations = [n for n in k.columns if k.field(n).is_relation and not k.field(n).many_to_many]
        many = [n for n in k.columns if k.field(n).many_to_many]
        qs = k.model._default_manager.select_related(*relations).prefetch_related(*many).order_by("pk")
        if pk:
            qs = qs.filter(pk__in=pk)
        if form:
            fmt = Path(path).suffix.lower().lstrip(".")
            found = [la for la in layouts.for_kind(kind) if fmt in la.formats]
            if not found:
                raise CommandError(f"No official form for {kind} as .{fmt}.")
            Path(path).write_bytes(found[0].write(list(qs), fmt, masked=False))
            self.stdout.write(f"{qs.count()} forms → {path}")
            return
        Path(path).write_bytes(export_xlsx(k, qs.iterator(chunk_size=2000)))
        self.stdout.write(f"{qs.count()} rows → {path}")

    def _table(self, kind: str, path: str, code: str | None, year: int | None, username: str | None) -> None:
        try:
            actor = User.objects.get(username=username) if username else operator_user()
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.")
        try:
            programme = plan.programme_for(actor, code or "")
        except FileProblem as exc:
            raise CommandError(str(exc))
        data, rows = export.export_table(kind, programme, actor, year=year, today=timezone.localdate())
        Path(path).write_bytes(data)
        self.stdout.write(f"{rows} rows → {path}")
