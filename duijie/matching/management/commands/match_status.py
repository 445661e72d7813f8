import json

from django.core.management.base import BaseCommand

from duijie.matching import services


class Command(BaseCommand):
    help = "Print the matching index's version, size, pending vectors and dirty records per lane (JSON)."

    def handle(self, *args, **opts):
        self.stdout.write(json.dumps(services.status(), ensure_ascii=False))
