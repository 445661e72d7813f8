"""Events (活动) and what happens at them.

Skeleton shared by the events and cooperation work: ``Event``, ``Invitation``, ``MeetingSlot`` and
``Intention`` and the fields named here are relied on by ``duijie.cooperation`` (a project's source
link and the effectiveness funnel). Extend freely; do not rename these.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.models import ScopedRecord, TimeStamped
from duijie.events.choices import EventStatus, EventType, InvitationStatus


class Event(ScopedRecord):
    title = models.CharField(_("title"), max_length=200)
    event_type = models.CharField(_("type"), max_length=24, choices=EventType.choices)
    organiser = models.ForeignKey("core.Organisation", verbose_name=_("organiser"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="organised_events")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    theme = models.TextField(_("theme"), blank=True)
    industries = models.ManyToManyField("core.Industry", verbose_name=_("industries"), blank=True,
                                        related_name="events")
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PLANNED)

    history = HistoricalRecords(m2m_fields=["assessment_units", "industries"])

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The event cannot end before it starts.")})


class Invitation(TimeStamped):
    """One invited (or self-registered) party: an enterprise, an institution or an expert."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations")
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="event_invitations")
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="event_invitations")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="event_invitations")
    status = models.CharField(_("status"), max_length=12, choices=InvitationStatus.choices,
                              default=InvitationStatus.INVITED)
    self_registered = models.BooleanField(_("self-registered"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                name="invitation_one_party",
                condition=(Q(enterprise__isnull=False, institution__isnull=True, expert__isnull=True)
                           | Q(enterprise__isnull=True, institution__isnull=False, expert__isnull=True)
                           | Q(enterprise__isnull=True, institution__isnull=True, expert__isnull=False)),
            ),
            models.UniqueConstraint(fields=["event", "enterprise"], name="invitation_unique_enterprise"),
            models.UniqueConstraint(fields=["event", "institution"], name="invitation_unique_institution"),
            models.UniqueConstraint(fields=["event", "expert"], name="invitation_unique_expert"),
        ]

    def __str__(self) -> str:
        return str(self.enterprise or self.institution or self.expert)


class MeetingSlot(TimeStamped):
    """A 1:1 meeting (老师—老板面对面) pairing an enterprise with an expert at an event."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    table = models.CharField(_("table / room"), max_length=50, blank=True)
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="meeting_slots")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), on_delete=models.PROTECT,
                               related_name="meeting_slots")
    held = models.BooleanField(_("held"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("1:1 meeting")
        verbose_name_plural = _("1:1 meetings")
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at", "enterprise"], name="slot_enterprise_once"),
            models.UniqueConstraint(fields=["event", "starts_at", "expert"], name="slot_expert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} × {self.expert}"


class Intention(ScopedRecord):
    """An intention to cooperate (合作意向) signed at or after an event."""

    event = models.ForeignKey(Event, verbose_name=_("event"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="intentions")
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="intentions")
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="intentions")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="intentions")
    subject = models.CharField(_("subject"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("cooperation intention")
        verbose_name_plural = _("cooperation intentions")

    def __str__(self) -> str:
        return self.subject
