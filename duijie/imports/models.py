"""Import jobs: who imported which file when, with counts, status and the error report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from duijie.imports.kinds import KINDS


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be checked")
    CHECKING = "checking", _("Being checked")
    PREVIEWED = "previewed", _("Checked, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed, waiting to be written")
    WRITING = "writing", _("Being written")
    COMMITTED = "committed", _("Imported")
    REFUSED = "refused", _("Has errors, nothing written")
    FAILED = "failed", _("Failed, nothing written")
    CANCELLED = "cancelled", _("Cancelled")


RUNNING = (ImportStatus.QUEUED, ImportStatus.CHECKING, ImportStatus.CONFIRMED, ImportStatus.WRITING)


class ImportJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"), null=True,
                             on_delete=models.SET_NULL, related_name="import_jobs")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(_("stored file"), max_length=100,
                                   help_text=_("Name of the upload in the protected import directory."))
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_type = models.CharField(_("file type"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.PREVIEWED)
    new = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    error_rows = models.JSONField(_("error report"), default=list, blank=True,
                                  help_text=_("[row, column, reason] for each problem (personal data masked)."))
    background = models.BooleanField(_("in the background"), default=False,
                                     help_text=_("Large files are checked and written by the background worker."))
    rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    # Progress of a background run. On PostgreSQL the worker writes these columns over a second
    # connection, outside the import's transaction; on SQLite (one write lock) it writes a file beside
    # the upload instead (duijie/imports/progress.py).
    phase = models.CharField(_("phase"), max_length=10, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows to do"), default=0)
    phase_started_at = models.DateTimeField(_("phase started at"), null=True, blank=True)
    # The worker's last sign of life (claim, then every stored progress step). A checking/writing job
    # whose worker has been silent for DUIJIE_IMPORT_STALE_SECONDS is marked interrupted (services.sweep_stale).
    heartbeat_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    interrupted = models.CharField(_("interrupted while"), max_length=12, blank=True,
                                   help_text=_("The status a stopped background run was in; it can be run again."))
    options = models.JSONField(_("options"), default=dict, blank=True,
                               help_text=_("What the kind needs besides the file, e.g. the programme of a target table."))
    preview = models.JSONField(_("preview"), default=list, blank=True,
                               help_text=_("The first rows' outcomes, for the preview page."))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.file_name

    @property
    def kind_label(self) -> str:
        kind = KINDS.get(self.kind)
        if kind is not None and kind.table:
            return f"{kind.title}（{self.options.get('programme', '')}）"
        return str(kind.model._meta.verbose_name_plural) if kind else self.kind

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def counts(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "unchanged": self.unchanged, "errors": self.errors}
