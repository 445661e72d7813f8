from django.core.management.base import BaseCommand

from duijie.accounts.models import User
from duijie.demo.accounts import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args, **options):
        users = User.objects.filter(is_demo=True).select_related("organisation").order_by("pk")
        if not users:
            self.stdout.write("No demo accounts yet: run `manage.py demo_data`.")
            return
        self.stdout.write(self.style.SUCCESS("Demo logins (password for all: %s):" % DEMO_PASSWORD))
        for u in users:
            self.stdout.write(f"  {u.username:<20} {u.get_role_display()} · {u.organisation or ''}")
