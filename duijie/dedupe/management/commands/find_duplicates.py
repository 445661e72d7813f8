"""``manage.py find_duplicates [--kind enterprise|institution|expert] [--min-score 85] [--list N]``:
counts of candidate duplicate pairs over all records (an operator's view: no scope), minus pairs
already marked as not duplicates; with ``--list`` the best N pairs with their reasons."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from duijie.dedupe.models import DuplicateKind, NotDuplicate
from duijie.dedupe.selectors import find_candidates
from duijie.dedupe.services import kind_model


class Command(BaseCommand):
    help = "Count (and list) likely duplicate enterprises, institutions and experts."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=DuplicateKind.values, action="append",
                            help="Kind of record (repeatable; default: all three).")
        parser.add_argument("--min-score", type=int, default=85)
        parser.add_argument("--list", type=int, default=0, metavar="N", help="Print the best N pairs.")

    def handle(self, *args, kind=None, min_score=85, list=0, **options):
        for k in kind or DuplicateKind.values:
            model = kind_model(k)
            started = time.perf_counter()
            found = find_candidates(k, model._default_manager.all(), min_score=min_score)
            dismissed = set(NotDuplicate.objects.filter(kind=k).values_list("first_id", "second_id"))
            found = [c for c in found if (c.a, c.b) not in dismissed]
            seconds = time.perf_counter() - started
            provisional = ""
            if k == DuplicateKind.INSTITUTION:
                provisional = f", provisional institutions: {model._default_manager.filter(is_provisional=True).count()}"
            self.stdout.write(f"{k}: {len(found)} candidate pairs among {model._default_manager.count()} records "
                              f"(score ≥ {min_score}, {len(dismissed)} marked not duplicate{provisional}) "
                              f"in {seconds:.2f} s")
            names = dict(model._default_manager.filter(
                pk__in={c.a for c in found[:list]} | {c.b for c in found[:list]}).values_list("pk", "name"))
            for c in found[:list]:
                self.stdout.write(f"  {c.score:3d}  #{c.a} {names.get(c.a)}  ⇄  #{c.b} {names.get(c.b)}  "
                                  f"[{'；'.join(c.reasons)}]")
