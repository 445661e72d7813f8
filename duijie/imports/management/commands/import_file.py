"""python manage.py import_file KIND PATH [--dry-run] [--user USERNAME] [--programme CODE]

The official target tables (``annex2``, ``annex3``) need ``--programme CODE``: the programme whose
targets they set.

Prints each problem as (row, column, reason), then one line of JSON with the counts. Writes all
rows or nothing; exits non-zero when anything is wrong."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from duijie.accounts.models import User
from duijie.imports import services
from duijie.imports.engine.results import Result
from duijie.imports.kinds import KINDS
from duijie.imports.readers import FileProblem


class Command(BaseCommand):
    help = "Import a spreadsheet (xlsx, xls, csv) into a registry, all rows or nothing."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="Check every row; write nothing.")
        parser.add_argument("--user", help="Import as this user (default: the built-in city operator).")
        parser.add_argument("--programme", help="The programme an official target table (annex2, annex3) is for.")

    def handle(self, *args, kind, path, dry_run, user, programme=None, **options):
        if user:
            try:
                actor = User.objects.get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"No user {user!r}.")
        else:
            actor = services.operator_user()
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file {path}.")
        result = None
        try:
            services.check_upload(file.name, file.stat().st_size)
        except FileProblem as exc:
            result = Result(kind=KINDS[kind], file_name=file.name, file_errors=[str(exc)])
        if result is None:
            extra = {"programme": programme or ""} if KINDS[kind].table else None
            result = services.run(KINDS[kind], file.read_bytes(), file.name, actor, commit=not dry_run, options=extra)
        for row, column, reason in result.errors():
            self.stdout.write(json.dumps({"row": row, "column": column, "reason": reason}, ensure_ascii=False))
        self.stdout.write(json.dumps(result.counts))
        if not result.ok:
            raise SystemExit(1)
