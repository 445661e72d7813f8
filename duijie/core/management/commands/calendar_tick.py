"""Run the calendar's daily jobs now (core/calendar.py): for cron, or once when a deployment starts."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from duijie.core import calendar


class Command(BaseCommand):
    help = ("Run every app's daily job (demands past their deadline close, events past their end are "
            "marked held) for today or --today; --schedule also starts the daily background task.")

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to run for, YYYY-MM-DD (default: the local date)")
        parser.add_argument("--schedule", action="store_true",
                            help="enqueue the self-rescheduling daily task unless one is already waiting")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {options['today']!r} is not a date (YYYY-MM-DD)") from exc
        out = calendar.run_daily(today)
        scheduled = calendar.schedule_next() if options["schedule"] else False
        self.stdout.write(json.dumps({"jobs": out, "scheduled": scheduled}, ensure_ascii=False))
