"""Effectiveness of events (issue 6, item 6): the funnel invited → attended → 1:1 meetings →
intentions → contracts → implemented, per event, per event type, per organiser and per month or
quarter.

Definitions (the tests recompute them independently from the records):
- invited: invitations past the planning stage (any status but "planned");
- attended: invitations with status "attended" or a check-in time;
- 1:1 meetings: meeting slots marked as held;
- intentions: intentions recorded for the event;
- projects: cooperation projects whose explicit source link names the event — ``source_event``,
  or else ``source_intention.event``; never inferred from parties, dates or titles;
- intentions → projects: intentions of the event that at least one project names as its source;
- contracts / contract value: technology contracts linked to those projects (count, sum of amounts);
- implemented: those projects in stage 实施 or 验收/完成.
Only events within the user's scope (core.selectors.editable_queryset) are counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from duijie.cooperation.choices import IMPLEMENTED_STAGES
from duijie.cooperation.models import CooperationProject, TechContract
from duijie.core.registry import record_url
from duijie.core.selectors import editable_queryset
from duijie.events.choices import InvitationStatus
from duijie.events.models import Event, Intention, Invitation, MeetingSlot

STEPS = (
    ("invited", gettext_lazy("Invited")),
    ("attended", gettext_lazy("Attended")),
    ("meetings", gettext_lazy("1:1 meetings")),
    ("intentions", gettext_lazy("Intentions")),
    ("contracts", gettext_lazy("Contracts")),
    ("implemented", gettext_lazy("Implemented")),
)
COUNTS = ("events", "invited", "attended", "meetings", "intentions", "projects", "converted", "contracts",
          "implemented")


@dataclass
class Row:
    key: str
    label: str
    events: int = 0
    invited: int = 0
    attended: int = 0
    meetings: int = 0
    intentions: int = 0
    projects: int = 0
    converted: int = 0  # intentions that became at least one project
    contracts: int = 0
    implemented: int = 0
    contract_value: Decimal = field(default_factory=lambda: Decimal("0"))
    starts_at: datetime | None = None
    event_type: str = ""
    organiser: str = ""
    event_id: int | None = None
    url: str = ""

    @property
    def value_wan(self) -> Decimal:
        return (self.contract_value / 10000).quantize(Decimal("0.01"))

    @property
    def conversion(self) -> float | None:
        """Share of intentions that became projects (0–1), None without intentions."""
        return self.converted / self.intentions if self.intentions else None

    def add(self, other: Row) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.contract_value += other.contract_value


def scoped_events(user, *, date_from: date | None = None, date_to: date | None = None,
                  event_type: str = "", organiser_id: int | None = None) -> QuerySet:
    """The events the user's scope covers (government roles; nobody else has any)."""
    if not getattr(user, "is_government", False):
        return Event.objects.none()
    qs = editable_queryset(Event, user)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(starts_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(starts_at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    if event_type:
        qs = qs.filter(event_type=event_type)
    if organiser_id:
        qs = qs.filter(organiser_id=organiser_id)
    return qs


def _by_event(qs, key: str = "event") -> dict:
    return {r[key]: r for r in qs}


def event_rows(events: QuerySet) -> list[Row]:
    """One funnel row per event, from eight grouped queries whatever the number of events."""
    ids = events.values("pk")
    invitations = _by_event(
        Invitation.objects.filter(event__in=ids).exclude(status=InvitationStatus.PLANNED).values("event")
        .annotate(n=Count("pk"), attended=Count("pk", filter=Q(status=InvitationStatus.ATTENDED)
                                                | Q(checked_in_at__isnull=False))))
    meetings = _by_event(MeetingSlot.objects.filter(event__in=ids, held=True).values("event").annotate(n=Count("pk")))
    intentions = _by_event(Intention.objects.filter(event__in=ids).values("event").annotate(n=Count("pk")))
    converted = _by_event(Intention.objects.filter(event__in=ids, projects__isnull=False).values("event")
                          .annotate(n=Count("pk", distinct=True)))
    projects = _by_event(
        CooperationProject.objects.annotate(ev=Coalesce("source_event", "source_intention__event"))
        .filter(ev__in=ids).values("ev")
        .annotate(n=Count("pk"), implemented=Count("pk", filter=Q(status__in=IMPLEMENTED_STAGES))), "ev")
    contracts = _by_event(
        TechContract.objects.annotate(ev=Coalesce("project__source_event", "project__source_intention__event"))
        .filter(ev__in=ids).values("ev").annotate(n=Count("pk"), value=Sum("amount")), "ev")
    rows = []
    for ev in events.select_related("organiser").order_by("starts_at", "pk"):
        inv, pr, co = invitations.get(ev.pk, {}), projects.get(ev.pk, {}), contracts.get(ev.pk, {})
        rows.append(Row(
            key=str(ev.pk), label=ev.title, events=1, invited=inv.get("n", 0), attended=inv.get("attended", 0),
            meetings=meetings.get(ev.pk, {}).get("n", 0), intentions=intentions.get(ev.pk, {}).get("n", 0),
            projects=pr.get("n", 0), converted=converted.get(ev.pk, {}).get("n", 0), contracts=co.get("n", 0),
            implemented=pr.get("implemented", 0), contract_value=co.get("value") or Decimal("0"),
            starts_at=ev.starts_at, event_type=ev.get_event_type_display(),
            organiser=str(ev.organiser) if ev.organiser_id else "", event_id=ev.pk, url=record_url(ev) or ""))
    return rows


def period_key(moment: datetime, granularity: str) -> str:
    local = timezone.localtime(moment)
    if granularity == "quarter":
        return f"{local.year}Q{(local.month - 1) // 3 + 1}"
    return f"{local.year}-{local.month:02d}"


def group_rows(rows: list[Row], by: str, granularity: str = "month") -> list[Row]:
    """Sum event rows by "type", "organiser" or "period" (month or quarter of the event's start)."""
    groups: dict[str, Row] = {}
    for row in rows:
        if by == "type":
            key = label = row.event_type
        elif by == "organiser":
            key = label = row.organiser or _("(no organiser)")
        else:
            key = label = period_key(row.starts_at, granularity)
        groups.setdefault(key, Row(key=key, label=label)).add(row)
    ordered = sorted(groups.values(), key=lambda r: r.key) if by == "period" else \
        sorted(groups.values(), key=lambda r: (-r.events, r.key))
    return ordered


def total(rows: list[Row]) -> Row:
    result = Row(key="total", label=_("Total"))
    for row in rows:
        result.add(row)
    return result


def report(user, *, granularity: str = "month", **filters) -> dict:
    rows = event_rows(scoped_events(user, **filters))
    return {"events": rows, "by_type": group_rows(rows, "type"), "by_organiser": group_rows(rows, "organiser"),
            "by_period": group_rows(rows, "period", granularity), "total": total(rows), "granularity": granularity}


def chart_data(data: dict) -> dict:
    """Plain numbers for the ECharts panels (static/cooperation/effect.js)."""
    t = data["total"]
    periods = data["by_period"]
    return {
        "funnel": {"labels": [str(label) for _k, label in STEPS], "values": [getattr(t, k) for k, _l in STEPS]},
        "periods": {"labels": [r.label for r in periods],
                    "series": [{"name": str(label), "values": [getattr(r, k) for r in periods]}
                               for k, label in STEPS if k in ("intentions", "contracts", "implemented")]},
        "types": {"labels": [r.label for r in data["by_type"]],
                  "intentions": [r.intentions for r in data["by_type"]],
                  "implemented": [r.implemented for r in data["by_type"]]},
        "value": {"labels": [r.label for r in data["events"] if r.contract_value],
                  "values": [float(r.contract_value / 10000) for r in data["events"] if r.contract_value]},
    }


def columns() -> list[tuple[str, str]]:
    return [("label", ""), ("events", _("Events")), *[(k, str(label)) for k, label in STEPS[:4]],
            ("projects", _("Projects")), ("conversion", _("Intentions → projects")), ("contracts", _("Contracts")),
            ("contract_value", _("Contract value (10k yuan)")), ("implemented", _("Implemented"))]


def cell(row: Row, name: str):
    if name == "conversion":
        return None if row.conversion is None else round(row.conversion, 4)
    if name == "contract_value":
        return float(row.value_wan)
    return getattr(row, name)


def export_xlsx(data: dict) -> bytes:
    wb = Workbook()
    sheets = ((_("By event"), _("Event"), data["events"]), (_("By event type"), _("Event type"), data["by_type"]),
              (_("By organiser"), _("Organiser"), data["by_organiser"]),
              (_("By period"), _("Period"), data["by_period"]))
    first = True
    for title, head, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = str(title)[:31]
        cols = columns()
        extra = [_("Date"), _("Event type"), _("Organiser")] if rows is data["events"] else []
        ws.append([str(head), *extra, *[c[1] for c in cols[1:]]])
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in [*rows, data["total"]]:
            lead = [row.label]
            if extra:
                lead += [timezone.localtime(row.starts_at).date().isoformat() if row.starts_at else "",
                         row.event_type, row.organiser]
            ws.append([*lead, *[cell(row, c[0]) for c in cols[1:]]])
        for i in range(ws.max_column):
            ws.column_dimensions["ABCDEFGHIJKLMNOP"[i]].width = 28 if i == 0 else 14
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
