"""Mark background imports whose worker stopped as interrupted (for cron; the import pages do it too)."""

import json

from django.core.management.base import BaseCommand

from duijie.imports import services


class Command(BaseCommand):
    help = ("Mark background imports whose worker has shown no progress for DUIJIE_IMPORT_STALE_SECONDS as "
            "interrupted (nothing of them was written); their owners can run them again.")

    def handle(self, *args, **options):
        marked = services.sweep_stale()
        self.stdout.write(json.dumps({"interrupted": len(marked), "jobs": marked}))
