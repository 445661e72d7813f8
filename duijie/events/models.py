"""Events (活动) and what happens at them.

Skeleton shared by the events and cooperation work: ``Event``, ``Invitation``, ``MeetingSlot`` and
``Intention`` and the fields named here are relied on by ``duijie.cooperation`` (a project's source
link and the effectiveness funnel). Extend freely; do not rename these.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.choices import Visibility
from duijie.core.models import ScopedRecord, TimeStamped
from duijie.core.roles import GOVERNMENT_ROLES
from duijie.events.choices import EventStatus, EventType, InvitationStatus

PHASE_LABELS = {"running": _("In progress"), "ended": _("Ended")}

# Organisers: the city and district science bureaus and park managers (within their scope).
ORGANISER_ROLES = GOVERNMENT_ROLES


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
    # 1:1 meeting grid (老师—老板面对面): slot length and number of tables.
    slot_minutes = models.PositiveSmallIntegerField(_("1:1 slot length (minutes)"), default=20)
    table_count = models.PositiveSmallIntegerField(_("1:1 tables"), default=6)

    history = HistoricalRecords(m2m_fields=["assessment_units", "industries"])

    # Planned (draft) events are seen only within scope; open and held ones per their visibility.
    PUBLISHED_STATES = (EventStatus.OPEN, EventStatus.HELD)
    CREATE_ROLES = ORGANISER_ROLES

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The event cannot end before it starts.")})
        if self.slot_minutes is not None and not 5 <= self.slot_minutes <= 240:
            raise ValidationError({"slot_minutes": _("A 1:1 slot lasts between 5 and 240 minutes.")})
        if self.table_count is not None and self.table_count > 200:
            raise ValidationError({"table_count": _("At most 200 tables.")})

    def ends(self):
        """When the event is over: its end, or the end of its first day when no end was given."""
        if self.ends_at:
            return self.ends_at
        local = timezone.localtime(self.starts_at)
        return local.replace(hour=23, minute=59, second=59, microsecond=0)

    def phase(self, now=None) -> str:
        """Where the event stands on the calendar: ``planned``/``cancelled`` as set; an open or held
        event is ``open`` (报名中) before it starts, ``running`` (进行中) until it ends, ``ended`` (已结束)."""
        if self.status not in (EventStatus.OPEN, EventStatus.HELD):
            return self.status
        now = now or timezone.now()
        if now < self.starts_at:
            return "open" if self.status == EventStatus.OPEN else "held"
        return "running" if now <= self.ends() else "ended"

    @property
    def phase_display(self) -> str:
        phase = self.phase()
        return str(PHASE_LABELS.get(phase) or dict(EventStatus.choices).get(phase, phase))

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.taken_places() >= self.capacity

    def taken_places(self) -> int:
        """Places counted against the capacity: everyone invited or registered who has not declined."""
        return self.invitations.exclude(status__in=[InvitationStatus.DECLINED, InvitationStatus.PLANNED]).count()

    def slot_times(self) -> list:
        """Start times of the 1:1 grid: from the start to the end (or 2 hours) in slot_minutes steps."""
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at) if self.ends_at and self.ends_at > self.starts_at \
            else start + timedelta(hours=2)
        step = timedelta(minutes=self.slot_minutes or 20)
        times, t = [], start
        while t + step <= end and len(times) < 48:
            times.append(t)
            t += step
        return times

    def tables(self) -> list[str]:
        return [str(_("Table %(n)s") % {"n": i}) for i in range(1, (self.table_count or 0) + 1)]


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
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked in by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    SCOPE_VIA = "event"

    class Meta:
        ordering = ["pk"]
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

    @property
    def party(self):
        return self.enterprise or self.institution or self.expert


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

    SCOPE_VIA = "event"

    class Meta:
        ordering = ["starts_at", "table"]
        verbose_name = _("1:1 meeting")
        verbose_name_plural = _("1:1 meetings")
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at", "enterprise"], name="slot_enterprise_once"),
            models.UniqueConstraint(fields=["event", "starts_at", "expert"], name="slot_expert_once"),
            models.UniqueConstraint(fields=["event", "starts_at", "table"], condition=~Q(table=""),
                                    name="slot_table_once"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} × {self.expert}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A meeting must end after it starts.")})


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
    meeting_slot = models.ForeignKey(MeetingSlot, verbose_name=_("1:1 meeting"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="intentions")
    # Who the parties agreed to cooperate with is not for everyone: restricted unless opened.
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.RESTRICTED)

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("cooperation intention")
        verbose_name_plural = _("cooperation intentions")

    def __str__(self) -> str:
        return self.subject

    def clean(self) -> None:
        if not self.institution_id and not self.expert_id:
            raise ValidationError({"institution": _("Name the institution or the expert on the other side.")})
        if self.signed_on and self.signed_on > timezone.localdate():
            raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
        if self.expert_id and self.institution_id and self.expert.institution_id \
                and self.expert.institution_id != self.institution_id:
            raise ValidationError({"expert": _("This expert does not work at the institution named.")})


class FollowUpTask(TimeStamped):
    """A follow-up action after an event, an intention or a joint/liaison meeting: owner and due date."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="followups")
    intention = models.ForeignKey(Intention, verbose_name=_("cooperation intention"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="followups")
    meeting_record = models.ForeignKey("events.MeetingRecord", verbose_name=_("meeting record"), null=True,
                                       blank=True, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="event_followups")
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    history = HistoricalRecords()

    SCOPE_VIA = "event"

    class Meta:
        ordering = ["done", "due_on", "pk"]
        verbose_name = _("follow-up task")
        verbose_name_plural = _("follow-up tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return not self.done and self.due_on < timezone.localdate()


class MeetingRecord(TimeStamped):
    """Minutes of a joint meeting (联席会议) or liaison officers' meeting (联络员会议): attendees and
    decisions; the actions are follow-up tasks with owners and due dates."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="meeting_records")
    held_on = models.DateField(_("held on"))
    attendees = models.TextField(_("attendees"), help_text=_("One per line: name and unit."))
    decisions = models.TextField(_("decisions"))
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    SCOPE_VIA = "event"

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting record")
        verbose_name_plural = _("meeting records")

    def __str__(self) -> str:
        return f"{self.event} · {self.held_on}"

    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]
