"""Matching's own tables: records waiting for the index, impressions and feedback.

Impressions and feedback hold no personal data beyond the viewer's user id: kinds, record ids,
ranks, score parts and a fixed reason code — never free text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Lane(models.TextChoices):
    INTERACTIVE = "interactive", _("Interactive edits")
    BULK = "bulk", _("Bulk backfill")


class DirtyRecord(models.Model):
    """A record changed since the index last saw it. One row per record; the refresh task takes
    rows in batches and deletes what it applied (a row re-marked meanwhile keeps a newer stamp)."""

    model = models.CharField(max_length=60)  # app_label.Model
    object_id = models.CharField(max_length=40)
    lane = models.CharField(max_length=12, choices=Lane.choices, default=Lane.INTERACTIVE)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="matching_dirty_unique")]
        indexes = [models.Index(fields=["lane", "marked_at"])]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id} ({self.lane})"


class VectorClaim(models.Model):
    """A record (at one text) whose passage vector a worker took to encode (``services.encode_pending``):
    several workers on the bulk queue, in one process or on several hosts, each take rows nobody
    claimed, so none encodes a row another is encoding. A claim is kept after its vector is written
    (a worker whose loaded index is a moment old then still skips the row) and goes when it is older
    than ``DUIJIE_MATCH_CLAIM_SECONDS`` — also the time after which a crashed worker's rows are
    taken again. A changed text is a new key, so an edit is encoded again at once."""

    key = models.CharField(max_length=40, unique=True)  # sha1 of record id + the text encoded
    worker = models.CharField(max_length=80)  # host:pid:random, who claimed it
    claimed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:8]} by {self.worker}"


class Verdict(models.TextChoices):
    USEFUL = "useful", _("Useful")
    IRRELEVANT = "irrelevant", _("Not relevant")
    CONTACTED = "contacted", _("Contacted")


class IrrelevantReason(models.TextChoices):
    FIELD = "field", _("Wrong field")
    STAGE = "stage", _("Too early-stage")
    DISTANCE = "distance", _("Too far away")
    KNOWN = "known", _("Already known")
    OTHER = "other", _("Other")


class _Shown(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    source = models.CharField(_("source"), max_length=60)  # index id, e.g. demand:12
    target = models.CharField(_("target"), max_length=60)  # index id, e.g. expert:7
    source_kind = models.CharField(max_length=20)
    target_kind = models.CharField(max_length=20)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    # score parts at the time (bm25 normalised to the list's best, cosine, structured)
    bm25 = models.FloatField(default=0.0)
    dense = models.FloatField(null=True, blank=True)
    structured = models.FloatField(default=0.0)
    # the unweighted features of the fused score ({"bm25": …, "dense": …, "industry": strength, …}),
    # what matchkit.feedback learns fusion weights from
    features = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


class Impression(_Shown):
    """One recommendation shown to a user (logged when a panel or the API lists it)."""

    class Meta:
        indexes = [models.Index(fields=["source", "target"])]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} #{self.rank}"


class Feedback(_Shown):
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)
    reason = models.CharField(_("reason"), max_length=12, choices=IrrelevantReason.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["source", "target"]), models.Index(fields=["source_kind", "target_kind"])]
        verbose_name = _("matching feedback")
        verbose_name_plural = _("matching feedback")

    def __str__(self) -> str:
        return f"{self.source} → {self.target}: {self.verdict}"
