"""Record types of the events app: events (对接活动) and cooperation intentions (合作意向)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.models import Industry, Organisation
from duijie.core.registry import RecordType
from duijie.events.choices import EventStatus, EventType
from duijie.events.models import Event, Intention
from duijie.events.services.lifecycle import EVENT_TRANSITIONS

GROUP = _("Events")


class EventFilterSet(ScopedFilterSet):
    search_fields = ("title", "theme", "venue", "organiser__name")
    event_type = django_filters.ChoiceFilter(choices=EventType.choices, label=_("Type"))
    status = django_filters.ChoiceFilter(choices=EventStatus.choices, label=_("Status"))
    organiser = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.filter(kind="government"), label=_("Organiser"))
    starts_after = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte", label=_("From"))
    starts_before = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = Event
        fields = ["event_type", "status", "organiser"]


class IntentionFilterSet(ScopedFilterSet):
    search_fields = ("subject", "enterprise__name", "institution__name", "expert__name", "event__title")
    event = id_filter("event", _("Event"))
    enterprise = id_filter("enterprise", _("Enterprise"))
    event_type = django_filters.ChoiceFilter(field_name="event__event_type", choices=EventType.choices,
                                             label=_("Event type"))
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("Signed from"))
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("Signed to"))

    class Meta:
        model = Intention
        fields = []


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class EventForm(RecordForm):
    fieldsets = (
        (_("Event"), ("title", "event_type", "organiser", "starts_at", "ends_at", "venue", "capacity")),
        (_("Theme and agenda"), ("theme", "industries", "agenda")),
        (_("1:1 meetings"), ("slot_minutes", "table_count")),
    )

    class Meta:
        model = Event
        fields = ["title", "event_type", "organiser", "starts_at", "ends_at", "venue", "capacity", "theme",
                  "industries", "agenda", "slot_minutes", "table_count", "region", "park", "assessment_units",
                  "visibility"]
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].widget = DateTimeInput(attrs={"class": "form-control"})
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.fields["organiser"].queryset = Organisation.objects.filter(kind="government")
        self.fields["industries"].queryset = Industry.objects.filter(level__lte=2)


class IntentionForm(RecordForm):
    class Meta:
        model = Intention
        fields = ["event", "enterprise", "institution", "expert", "subject", "signed_on", "notes", "region", "park",
                  "assessment_units", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Large tables: ids (typed or set by links), never dropdowns of thousands.
        for name in ("event", "enterprise", "institution", "expert"):
            self.fields[name].widget = forms.NumberInput(attrs={"class": "form-control"})


EVENTS = RecordType(
    slug="events", model=Event, group=GROUP, order=60, icon="bi-calendar-event",
    list_columns=("title", "event_type", "starts_at", "organiser", "venue", "capacity", "status"),
    filterset=EventFilterSet, form=EventForm,
    serializer=serializer_for(Event, read_only=("status",)),
    select_related=("organiser",), prefetch_related=("assessment_units", "industries"),
    transitions=EVENT_TRANSITIONS,
)
INTENTIONS = RecordType(
    slug="intentions", model=Intention, group=GROUP, order=61, icon="bi-pen",
    list_columns=("subject", "enterprise", "institution", "expert", "event", "signed_on", "visibility"),
    filterset=IntentionFilterSet, form=IntentionForm,
    serializer=serializer_for(Intention, read_only=("meeting_slot",)),
    select_related=("enterprise", "institution", "expert", "expert__institution", "event"),
    prefetch_related=("assessment_units",),
)

RECORD_TYPES = (EVENTS, INTENTIONS)
