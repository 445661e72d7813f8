"""What reviewers decided about candidate duplicates: pairs that are not duplicates (so they are not
listed again) and merges done (what was kept, what was dropped, exactly what moved).

Record ids are plain integers, not foreign keys: a merge deletes the dropped record, and these rows
must outlive it (and must never be re-pointed by a later merge)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DuplicateKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Institution")
    EXPERT = "expert", _("Expert")


class NotDuplicate(models.Model):
    """A reviewer said records ``first_id`` and ``second_id`` (first < second) are different."""

    kind = models.CharField(_("kind"), max_length=12, choices=DuplicateKind.choices)
    first_id = models.PositiveBigIntegerField(_("first record"))
    second_id = models.PositiveBigIntegerField(_("second record"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("not-a-duplicate decision")
        verbose_name_plural = _("not-a-duplicate decisions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "first_id", "second_id"], name="uniq_not_duplicate"),
            models.CheckConstraint(condition=models.Q(first_id__lt=models.F("second_id")),
                                   name="not_duplicate_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.first_id}/{self.second_id}"


class Merge(models.Model):
    """One merge: ``dropped_id`` was merged into ``kept_id``. ``detail`` says exactly what moved (the
    same as the audit entry): re-pointed rows per relation, duplicate rows folded together, fields
    taken from the dropped record (names only, never personal values)."""

    kind = models.CharField(_("kind"), max_length=12, choices=DuplicateKind.choices)
    kept_id = models.PositiveBigIntegerField(_("kept record"))
    kept_repr = models.CharField(_("kept"), max_length=300)
    dropped_id = models.PositiveBigIntegerField(_("dropped record"))
    dropped_repr = models.CharField(_("merged away"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merged by"), null=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("merged at"), auto_now_add=True)
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [models.Index(fields=["kind", "kept_id"]), models.Index(fields=["kind", "dropped_id"])]

    def __str__(self) -> str:
        return f"{self.dropped_repr} → {self.kept_repr}"
