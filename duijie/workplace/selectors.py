"""What a user's workplace (工作台, the home page) shows: to-dos, their own records, the figures their
role is judged on. Everything is read through the apps' selectors and scoped to the user
(``core.selectors.mine_queryset``: a district's to-dos never hold another district's records, even
public ones); nothing is counted twice — programme figures come from ``programmes.progress``.

Each section is a list of ``Group``s (a heading, how many, a link to the full list, the first few
records with their state), so the page renders every role the same way. Cost: two queries per group
(count and the first rows), a handful of groups per role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from duijie.accounts.models import User
from duijie.awards.choices import RoundStatus as AwardRoundStatus
from duijie.awards.models import Round as AwardRound
from duijie.challenges import selectors as challenge_selectors
from duijie.challenges.choices import ChallengeStatus
from duijie.challenges.models import Bid, Challenge, PanelMember, Scorecard
from duijie.cooperation.choices import ProjectStage
from duijie.cooperation.models import CooperationProject, TechContract
from duijie.core import selectors
from duijie.core.choices import AuditResult
from duijie.core.models import AssessmentUnit, AuditLog
from duijie.core.registry import REGISTRY, record_url
from duijie.core.roles import GOVERNMENT_ROLES, Role
from duijie.core.scope import units_in_scope
from duijie.demands.choices import DemandStatus
from duijie.demands.models import Demand
from duijie.events.choices import EventStatus, InvitationStatus
from duijie.events.models import Event, Invitation
from duijie.events.selectors import followup_list
from duijie.events.services.registration import party_of
from duijie.experts.models import Expert
from duijie.imports.models import ImportJob, ImportStatus
from duijie.onboarding.services import registrations_for
from duijie.orgs.models import EnterpriseQualification
from duijie.programmes import progress as programme_progress
from duijie.programmes.choices import RoundStatus as SupervisionStatus
from duijie.programmes.models import Programme, RoundUnit, SupervisionRound, Target
from duijie.supply.choices import AchievementStatus
from duijie.supply.models import Achievement, Patent

PROGRAMMES_TRIED = 3  # programmes looked at for the figures (running first), two shown at most
FIGURE_ROWS = 12  # targets listed per programme, those lagging first; the progress page has them all
SHOWN = 5  # records listed under each heading; the heading links to all of them
FOLLOWUP_DAYS = 7  # follow-up tasks due within this many days are to-dos (overdue ones always)


@dataclass
class Line:
    label: str
    url: str | None
    state: str = ""
    note: str = ""
    tone: str = "secondary"


@dataclass
class Group:
    key: str
    label: object
    count: int
    url: str | None
    lines: list[Line] = field(default_factory=list)
    empty: object = ""
    tone: str = "primary"


def _list_url(slug: str, query: str = "") -> str:
    base = REGISTRY[slug].url()
    return f"{base}?{query}" if query else base


def _day(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value).date()
    return date_format(value, "Y-m-d")


def _group(key: str, label, qs: QuerySet, url: str | None, line, *, empty=None,
           tone: str = "primary", always: bool = False) -> Group | None:
    """A group of ``qs`` (count + the first rows rendered by ``line``); None when empty and not ``always``."""
    rows = list(qs[:SHOWN])
    count = len(rows) if len(rows) < SHOWN else qs.count()
    if not count and not always:
        return None
    return Group(key=key, label=label, count=count, url=url, lines=[line(o) for o in rows],
                 empty=empty if empty is not None else _("Nothing here."), tone=tone)


def _state(obj: Model, name: str = "status") -> str:
    return str(getattr(obj, f"get_{name}_display")())


def _record_line(obj: Model, *, state: str = "status", note: str = "") -> Line:
    return Line(label=str(obj), url=record_url(obj), state=_state(obj, state) if state else "", note=note)


# ------------------------------------------------------------------------------------------ to-dos
def todos(user, today: date) -> list[Group]:
    role = getattr(user, "role", None)
    groups: list[Group | None] = []
    if role in GOVERNMENT_ROLES:
        groups += _government_todos(user, today)
    if role in (Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT):
        groups += _party_todos(user, today)
    if role in GOVERNMENT_ROLES or role in (Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT, Role.BROKER):
        groups.append(_followups(user, today))
        groups.append(_imports(user))
    if role == Role.AUDIT_ADMIN:
        groups.append(_audit_failures(user, today))
    if role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        groups.append(_accounts_to_check(user))
    return [g for g in groups if g is not None]


def _government_todos(user, today: date) -> list[Group | None]:
    mine_demands = selectors.mine_queryset(Demand, user).filter(status=DemandStatus.SUBMITTED)
    mine_achievements = selectors.mine_queryset(Achievement, user).filter(status=AchievementStatus.SUBMITTED)
    challenges = selectors.mine_queryset(Challenge, user)
    soon = today + timedelta(days=settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS)
    qualifications = (selectors.mine_queryset(EnterpriseQualification, user)
                      .filter(valid_from__lte=today, valid_to__gte=today, valid_to__lte=soon)
                      .select_related("enterprise").order_by("valid_to", "pk"))
    out = [
        _group("demands-review", _("Demands waiting for review"),
               mine_demands.select_related("enterprise").order_by("submitted_at", "pk"),
               _list_url("demands", "status=submitted&mine=true"),
               lambda d: _record_line(d, note=str(d.enterprise))),
        _group("achievements-review", _("Achievements waiting for review"),
               mine_achievements.select_related("institution").order_by("updated_at", "pk"),
               _list_url("achievements", "status=submitted&mine=true"),
               lambda a: _record_line(a, note=str(a.institution or ""))),
        _group("challenges-approval", _("Challenges waiting for approval"),
               challenges.filter(status=ChallengeStatus.REVIEW).order_by("deadline", "pk"),
               _list_url("challenges", "status=review&mine=true"), _record_line),
        _group("challenges-bids", _("Challenges whose bids are to be reviewed"),
               challenges.filter(status__in=(ChallengeStatus.CLOSED, ChallengeStatus.UNDER_REVIEW))
               .order_by("deadline", "pk"),
               _list_url("challenges", "status=under_review&mine=true"),
               lambda c: Line(str(c), reverse("challenges:bids", args=[c.pk]), _state(c))),
        _group("award-rounds", _("Award rounds in progress"),
               selectors.mine_queryset(AwardRound, user)
               .filter(status__in=(AwardRoundStatus.IN_REVIEW, AwardRoundStatus.REVIEWED,
                                   AwardRoundStatus.APPROVED, AwardRoundStatus.PUBLICITY))
               .select_related("scheme").order_by("-year", "pk"),
               reverse("awards:index"),
               lambda r: Line(str(r), reverse("awards:round", args=[r.pk]), _state(r),
                              note=str(r.current_office))),
        _supervision(user),
        _group("qualifications-expiring", _("Qualifications expiring within %(days)s days") % {
                   "days": settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS},
               qualifications, reverse("innovation:tiers") + "?show=expiring#listing",
               lambda q: Line(str(q), record_url(q.enterprise), _("Expires %(day)s") % {"day": _day(q.valid_to)}),
               tone="warning"),
    ]
    if getattr(user, "role", None) in (Role.CITY_ADMIN, Role.UNIT_ADMIN):
        out.append(_group("registrations", _("Enterprise registrations to approve"),
                          registrations_for(user).filter(status="pending").select_related("region"),
                          reverse("onboarding:registrations"),
                          lambda r: Line(str(r), reverse("onboarding:registrations"), _state(r),
                                         note=_day(r.created_at))))
    return out


def _supervision(user) -> Group | None:
    """Supervision rounds still open (not issued): the city's office issues the report; a unit
    administrator (or park) files its unit's submission (``programmes.supervision``'s units in scope)."""
    rounds = selectors.mine_queryset(SupervisionRound, user).filter(status=SupervisionStatus.DRAFT)
    if getattr(user, "role", None) == Role.CITY_ADMIN:
        return _group("supervision", _("Supervision rounds to issue"),
                      rounds.select_related("programme").order_by("as_of", "pk"), reverse("programmes:index"),
                      lambda r: Line(r.name, reverse("programmes:round", args=[r.pk]), _state(r),
                                     note=str(r.programme)))
    units = (RoundUnit.objects.filter(round__in=rounds.values("pk"), unit__in=units_in_scope(user),
                                      submitted_at__isnull=True)
             .select_related("round", "unit").order_by("round__as_of", "pk"))
    return _group("supervision", _("Supervision submissions to file"), units, reverse("programmes:index"),
                  lambda u: Line(f"{u.round.name} · {u.unit}", reverse("programmes:round", args=[u.round_id]),
                                 str(_("Not filed"))))


def _party_todos(user, today: date) -> list[Group | None]:
    party = party_of(user)
    out: list[Group | None] = []
    if party:
        invitations = (Invitation.objects.filter(**party, status=InvitationStatus.INVITED,
                                                 event__starts_at__date__gte=today)
                       .exclude(event__status=EventStatus.CANCELLED)
                       .select_related("event").order_by("event__starts_at", "pk"))
        out.append(_group("invitations", _("Event invitations to answer"), invitations,
                          _list_url("events", "status=open"),
                          lambda i: Line(str(i.event), record_url(i.event), _state(i),
                                         note=_day(i.event.starts_at))))
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        demands = selectors.mine_queryset(Demand, user)
        out.append(_group("demands-returned", _("Demands returned for rework"),
                          demands.filter(status=DemandStatus.RETURNED).order_by("-updated_at"),
                          _list_url("demands", "status=returned&mine=true"),
                          lambda d: _record_line(d, note=d.return_reason[:60]), tone="warning"))
        out.append(_group("challenges-decide", _("Your challenges: bids to decide on"),
                          selectors.mine_queryset(Challenge, user)
                          .filter(status__in=(ChallengeStatus.CLOSED, ChallengeStatus.UNDER_REVIEW)),
                          _list_url("challenges", "mine=true"),
                          lambda c: Line(str(c), reverse("challenges:bids", args=[c.pk]), _state(c))))
        soon = today + timedelta(days=settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS)
        out.append(_group("qualifications-expiring", _("Qualifications expired or expiring"),
                          selectors.mine_queryset(EnterpriseQualification, user)
                          .filter(valid_to__isnull=False, valid_to__lte=soon, valid_to__gte=today - timedelta(days=365))
                          .order_by("valid_to"),
                          _list_url("qualifications", "mine=true"),
                          lambda q: Line(str(q), record_url(q), q.validity_display, note=_day(q.valid_to)),
                          tone="warning"))
    if role == Role.INSTITUTION:
        out.append(_group("achievements-returned", _("Achievements returned for rework"),
                          selectors.mine_queryset(Achievement, user).filter(status=AchievementStatus.RETURNED),
                          _list_url("achievements", "status=returned&mine=true"), _record_line, tone="warning"))
    if role == Role.EXPERT:
        expert = challenge_selectors.expert_profile(user)
        if expert is not None:
            seats = PanelMember.objects.filter(expert=expert, challenge__status=ChallengeStatus.UNDER_REVIEW)
            scored = Scorecard.objects.filter(member__expert=expert).values("bid")
            waiting = (Challenge.objects.filter(pk__in=seats.values("challenge"))
                       .filter(pk__in=Bid.objects.exclude(pk__in=scored).values("challenge")))
            out.append(_group("scorecards", _("Bids waiting for your scores"), waiting,
                              _list_url("challenges", "status=under_review"),
                              lambda c: Line(str(c), reverse("challenges:review", args=[c.pk]), _state(c))))
    return out


def _followups(user, today: date) -> Group | None:
    qs = (followup_list(user=user).filter(done=False, due_on__lte=today + timedelta(days=FOLLOWUP_DAYS))
          .filter(Q(owner=user.pk) | Q(event__in=selectors.mine_queryset(Event, user).values("pk")))
          .order_by("due_on", "pk"))
    return _group("followups", _("Follow-up tasks due"), qs, reverse("events:followups"),
                  lambda t: Line(t.title, record_url(t.event), str(_("Overdue")) if t.overdue else "",
                                 note=_("Due %(day)s · %(event)s") % {"day": _day(t.due_on), "event": t.event},
                                 tone="danger" if t.overdue else "secondary"))


def _imports(user) -> Group | None:
    qs = ImportJob.objects.filter(user=user.pk, status=ImportStatus.PREVIEWED).order_by("-created_at")
    return _group("imports", _("Imports to confirm"), qs, reverse("imports:history"),
                  lambda j: Line(j.file_name, reverse("imports:job", args=[j.pk]), _state(j),
                                 note=_("%(new)s new, %(updated)s updated") % {"new": j.new, "updated": j.updated}))


def _audit_failures(user, today: date) -> Group | None:
    qs = (selectors.visible_queryset(AuditLog, user)
          .filter(result=AuditResult.FAILURE, at__date__gte=today - timedelta(days=7)).order_by("-at"))
    return _group("audit-failures", _("Failed or refused actions in the last 7 days"), qs,
                  _list_url("audit-log"),
                  lambda a: Line(f"{a.get_action_display()} · {a.object_repr or a.object_type}", record_url(a),
                                 str(a.user or ""), note=_day(a.at)),
                  always=True, empty=_("No failed or refused actions in the last 7 days."))


def _accounts_to_check(user) -> Group | None:
    qs = (selectors.visible_queryset(User, user).filter(Q(is_active=False) | Q(must_change_password=True))
          .order_by("username"))
    return _group("accounts", _("Accounts locked or waiting for a password change"), qs, _list_url("users"),
                  lambda u: Line(f"{u} ({u.username})", record_url(u), u.get_role_display()),
                  always=True, empty=_("Every account is active."))


# ------------------------------------------------------------------------------------------ mine
def mine(user, today: date) -> list[Group]:
    role = getattr(user, "role", None)
    out: list[Group | None] = []
    if role == Role.ENTERPRISE:
        out.append(_group("my-demands", _("My demands"),
                          selectors.mine_queryset(Demand, user).order_by("-updated_at"),
                          _list_url("demands", "mine=true"), _record_line, always=True,
                          empty=_("No demands yet: publish one and the platform recommends experts and achievements.")))
        out.append(_group("my-challenges", _("My challenges"),
                          selectors.mine_queryset(Challenge, user).order_by("-updated_at"),
                          _list_url("challenges", "mine=true"), _record_line))
    if role == Role.INSTITUTION:
        out.append(_group("my-achievements", _("My achievements"),
                          selectors.mine_queryset(Achievement, user).order_by("-updated_at"),
                          _list_url("achievements", "mine=true"), _record_line, always=True,
                          empty=_("No achievements yet: add one or import the Annex-1 forms.")))
        out.append(_group("my-patents", _("My patents"),
                          selectors.mine_queryset(Patent, user).order_by("-updated_at"),
                          _list_url("patents", "mine=true"), lambda p: _record_line(p, state="legal_status")))
    if role in (Role.EXPERT, Role.INSTITUTION):
        bids = Bid.objects.filter(challenge_selectors.own_bids_q(user)).select_related("challenge").order_by("-created_at")
        out.append(_group("my-bids", _("My bids"), bids, _list_url("challenges"),
                          lambda b: Line(str(b.challenge), record_url(b.challenge), _state(b))))
    if role == Role.EXPERT:
        expert = Expert.objects.filter(user=user.pk).first()
        if expert is not None:
            out.append(Group("my-profile", _("My expert profile"), 1, reverse("experts:me"), [
                Line(str(expert), reverse("experts:me"),
                     str(_("Not recommended (opted out)")) if expert.do_not_recommend else "",
                     note=str(expert.institution or ""))]))
    if role in GOVERNMENT_ROLES:
        events = (selectors.mine_queryset(Event, user).filter(starts_at__date__gte=today)
                  .exclude(status=EventStatus.CANCELLED).order_by("starts_at", "pk"))
        out.append(_group("my-events", _("Upcoming events in my area"), events, _list_url("events", "mine=true"),
                          lambda e: _record_line(e, note=_day(e.starts_at)), always=True,
                          empty=_("No upcoming events: plan one from the events list.")))
    else:
        party = party_of(user)
        if party:
            events = (Event.objects.filter(invitations__in=Invitation.objects.filter(**party)
                                           .exclude(status=InvitationStatus.DECLINED))
                      .filter(starts_at__date__gte=today - timedelta(days=30)).distinct().order_by("-starts_at"))
            events = selectors.visible_queryset(Event, user, events)
            out.append(_group("my-events", _("My events"), events, _list_url("events"),
                              lambda e: _record_line(e, note=_day(e.starts_at)), always=True,
                              empty=_("No events yet: registered and invited events show here.")))
    projects = selectors.mine_queryset(CooperationProject, user)
    if role == Role.BROKER:
        projects = projects | CooperationProject.objects.filter(broker=user.pk)
    if role in GOVERNMENT_ROLES:
        projects = projects.filter(status__in=(ProjectStage.SIGNED, ProjectStage.IMPLEMENTING))
    out.append(_group("my-projects", _("Cooperation projects under way") if role in GOVERNMENT_ROLES
                      else _("My cooperation projects"),
                      projects.distinct().order_by("-updated_at"), _list_url("projects", "mine=true"),
                      _record_line, always=role not in GOVERNMENT_ROLES,
                      empty=_("No cooperation projects yet.")))
    if role == Role.BROKER:
        contracts = TechContract.objects.filter(broker=user.pk).order_by("-signed_on", "-pk")
        out.append(_group("my-contracts", _("Contracts I brokered"), contracts, _list_url("tech-contracts"),
                          lambda c: Line(str(c), record_url(c)), always=True,
                          empty=_("No contracts name you as their broker yet.")))
    return [g for g in out if g is not None]


# ------------------------------------------------------------------------------------------ figures
@dataclass
class ProgrammeFigures:
    programme: Programme
    period: tuple[date, date]
    rows: list
    url: str
    counts: dict[str, int]


def current_programmes(user, today: date) -> list[Programme]:
    """The programmes that set the user targets of their own (``mine_queryset(Target)``: a district's,
    a park's, an institution's; the city's own), begun by today: those running first, then the latest
    ended (a district judged on an earlier plan still sees its figures), at most ``PROGRAMMES_TRIED``."""
    own = selectors.mine_queryset(Target, user).values("programme_indicator__programme")
    qs = (selectors.record_list(record_type=REGISTRY["programmes"], user=user)
          .filter(period_start__lte=today, pk__in=own))
    running = list(qs.filter(period_end__gte=today).order_by("-period_start", "pk"))
    ended = list(qs.filter(period_end__lt=today).order_by("-period_end", "pk")[:PROGRAMMES_TRIED])
    return (running + ended)[:PROGRAMMES_TRIED]


def _period(user, programme: Programme, today: date) -> tuple[date, date] | None:
    """The period of the user's own targets to show: the shortest running today (this half-year or
    year before the whole programme), else the latest ended."""
    periods = set(selectors.mine_queryset(Target, user).filter(programme_indicator__programme=programme)
                  .values_list("period_start", "period_end"))
    current = [p for p in periods if p[0] <= today <= p[1]]
    if current:
        return min(current, key=lambda p: (p[1] - p[0], p[0]))
    past = [p for p in periods if p[1] < today]
    return max(past, key=lambda p: (p[1], p[0])) if past else None


def figures(user, today: date) -> list[ProgrammeFigures]:
    """Progress of the user's own targets (``mine_queryset(Target)``) in the current period of the
    programmes that set them — read through ``programmes.progress`` (values batched, no record ids)."""
    role = getattr(user, "role", None)
    if role not in GOVERNMENT_ROLES and role != Role.INSTITUTION:
        return []
    out = []
    own = set(selectors.mine_queryset(Target, user).values_list("pk", flat=True))
    for programme in current_programmes(user, today):
        period = _period(user, programme, today)
        if period is None:
            continue
        # A district's own targets usually have one owner unit: count that unit's only.
        units = set(selectors.mine_queryset(Target, user).filter(
            programme_indicator__programme=programme, period_start=period[0], period_end=period[1])
            .values_list("owner_unit", flat=True))
        unit = AssessmentUnit.objects.get(pk=units.pop()) if len(units) == 1 and None not in units else None
        rows = [r for r in programme_progress.progress(user, programme, start=period[0], end=period[1], unit=unit,
                                                         today=today, ids=False) if r.target.pk in own]
        if not rows:
            continue
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        order = {"at_risk": 0, "lagging": 1, "not_computed": 2, "on_track": 3, "ahead": 4}
        rows = sorted(rows, key=lambda r: order.get(r.status, 5))[:FIGURE_ROWS]  # what lags first
        url = reverse("programmes:progress", args=[programme.code])
        out.append(ProgrammeFigures(programme=programme, period=period, rows=rows, url=url, counts=counts))
        if len(out) == 2:
            break
    return out
