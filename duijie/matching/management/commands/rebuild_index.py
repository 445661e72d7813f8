"""Rebuild the matching index from every declared model (``--background``: mark everything dirty on
the bulk lane and let the ``match-bulk`` worker do it in batches)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from duijie.matching import declarations, services, store, visibility
from duijie.matching.models import Lane


class Command(BaseCommand):
    help = "Rebuild the matching index (progress bar on a terminal; --encode also computes vectors now)."

    def add_arguments(self, parser):
        parser.add_argument("--encode", action="store_true", help="compute passage vectors now (slow: ~0.1 s each)")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when an index exists (make demo)")
        parser.add_argument("--background", action="store_true",
                            help="mark every record dirty on the bulk lane instead of building here")

    def handle(self, *args, encode=False, background=False, if_missing=False, **opts):
        current = store.current_version()
        if if_missing and current and store.stored_rules(current) == visibility.RULES_STAMP:
            self.stdout.write(f"matching index exists ({store.index_dir()}, version {current})")
            return
        if if_missing and current:
            self.stdout.write(f"matching index {current} was built under other read rules: rebuilding")
        if background:
            n = 0
            for decl in declarations.by_kind().values():
                n += services.mark_dirty(decl.model, decl.queryset().values_list("pk", flat=True), lane=Lane.BULK)
            self.stdout.write(f"marked {n} records for the bulk lane")
            return
        t0 = time.monotonic()
        tty = sys.stdout.isatty()
        last = {"kind": None}

        def progress(kind: str, done: int, total: int) -> None:
            width = 30
            filled = int(width * done / total) if total else width
            line = f"{kind:<12} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
            if tty:
                self.stdout.write("\r" + line, ending="")
                if done >= total:
                    self.stdout.write("")
            elif done >= total and last["kind"] != kind:
                self.stdout.write(line)
            last["kind"] = kind if done >= total else None
            self.stdout.flush()

        out = services.rebuild(encode=encode, progress=progress)
        self.stdout.write(f"index rebuilt: {out['records']} records, {out['pending_vectors']} waiting for vectors, "
                          f"{time.monotonic() - t0:.1f} s")
