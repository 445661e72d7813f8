import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from duijie.demo.generator import Scale, demo_data_exists, generate


class Command(BaseCommand):
    help = "Build the deterministic demo data set (Changzhou + the Kunshan units) in a migrated database."

    def add_arguments(self, parser):
        defaults = Scale()
        parser.add_argument("--seed", type=int, default=42, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--enterprises", type=int, default=defaults.enterprises)
        parser.add_argument("--experts", type=int, default=defaults.experts)
        parser.add_argument("--achievements", type=int, default=defaults.achievements)
        parser.add_argument("--patents", type=int, default=defaults.patents)
        parser.add_argument("--demands", type=int, default=defaults.demands,
                            help="Total demands, including the 66 real ones of the reference sample (always loaded).")
        parser.add_argument("--today", help="Build the data as of this day, YYYY-MM-DD (default: today); the same "
                            "seed and day give the same data.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing if demo data already exists (makes `make demo` re-runnable).")

    def handle(self, *args, **opts):
        if demo_data_exists():
            if opts["if_empty"]:
                self.stdout.write("Demo data already present; nothing to do.")
                return
            raise CommandError("The database already holds demo data (or enterprises). Use --if-empty, or start "
                               "from a fresh database (make clean-demo).")
        for name in ("enterprises", "experts", "achievements", "patents"):
            if opts[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        scale = Scale(enterprises=opts["enterprises"], experts=opts["experts"], achievements=opts["achievements"],
                      patents=opts["patents"], demands=opts["demands"])
        today = None
        if opts["today"]:
            try:
                today = datetime.date.fromisoformat(opts["today"])
            except ValueError as exc:
                raise CommandError(f"--today: {opts['today']!r} is not a date (YYYY-MM-DD)") from exc
        started = time.monotonic()
        try:
            counts = generate(seed=opts["seed"], scale=scale, today=today)
        except RuntimeError as exc:
            raise CommandError(str(exc))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data built in {elapsed:.1f} s (seed {opts['seed']}):"))
        for name, n in counts.items():
            self.stdout.write(f"  {name:<40} {n:>6}")
