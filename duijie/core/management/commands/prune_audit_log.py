"""Retention of the audit trail: delete entries older than DUIJIE_AUDIT_RETENTION_DAYS (never fewer
than 180 days, the 等保 level-3 minimum). The run itself is recorded in the trail."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.models import AuditLog

MINIMUM_DAYS = 180


class Command(BaseCommand):
    help = "Delete audit entries older than the retention period (at least 180 days)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run: bool, **options):
        days = max(MINIMUM_DAYS, settings.DUIJIE_AUDIT_RETENTION_DAYS)
        cutoff = timezone.now() - timedelta(days=days)
        old = AuditLog.objects.filter(at__lt=cutoff)
        count = old.count()
        if not dry_run and count:
            old._raw_delete(old.db)  # queryset delete bypasses the per-instance append-only guard
            audit(user=None, action=AuditAction.DELETE, object_type="core.auditlog",
                  object_repr=f"retention {days} days", detail={"deleted": count, "before": cutoff.isoformat()})
        self.stdout.write(f"{count} audit entr{'y' if count == 1 else 'ies'} older than {days} days"
                          f"{' would be' if dry_run else ''} deleted.")
