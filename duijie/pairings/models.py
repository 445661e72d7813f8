"""Standing links between people and enterprises (issue #6, items 4 and 5).

- ``Pairing``: an expert standing-linked to an enterprise for a period (挂钩联系, 科技顾问进高企), or a
  bureau liaison (科技辅导员) linked one-to-one to a high-tech enterprise.
- ``Visit``: a visit log (走访) — who, when, findings, needs uncovered; a need becomes a draft demand
  in one click (``services.visit_draft_demand``). Visits under 十校十所进千企 are counted.
- ``Placement`` and ``PlacementQuota``: 科技副总, 产业教授, 双岗互聘 — person, host, term, duties,
  outputs, and the scheme's yearly quota.
- ``StudentTeam``: students' (and teachers') start-up teams in incubators (seed 000, 千名学生).

Pairings, visits and placements are written by government staff (and visitors for their own visits):
``PARTY_FIELDS = ()`` keeps an enterprise from editing records *about* it (core/scope.py).
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.choices import Visibility
from duijie.core.models import ScopedRecord
from duijie.core.roles import GOVERNMENT_ROLES, Role
from duijie.pairings.choices import (
    HOSTED_BY_ENTERPRISE,
    PairingKind,
    PlacementScheme,
    TeamStatus,
    VisitProgramme,
)
from duijie.supply.choices import CarrierKind


def _term(start, end, field="end_on"):
    if start and end and end < start:
        raise ValidationError({field: _("The end date is before the start date.")})


class Pairing(ScopedRecord):
    kind = models.CharField(_("type"), max_length=12, choices=PairingKind.choices, default=PairingKind.EXPERT)
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="pairings")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="pairings")
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("liaison (科技辅导员)"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="liaison_pairings")
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    source_intention = models.ForeignKey("events.Intention", verbose_name=_("from intention"), null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="pairings",
                                         help_text=_("Seed 000: experts are linked to enterprises they reached an intention with."))

    history = HistoricalRecords(m2m_fields=["assessment_units"])
    PARTY_FIELDS: tuple[str, ...] = ()
    CREATE_ROLES = GOVERNMENT_ROLES
    # Who is paired with or placed at whom, and on what terms, is business-confidential as a whole
    # record: read by the parties named in it and government roles in scope (core.selectors).
    CONFIDENTIAL = True

    class Meta:
        ordering = ["-start_on"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.CheckConstraint(
                name="pairing_expert_or_liaison",
                condition=(Q(kind="liaison", liaison__isnull=False, expert__isnull=True)
                           | (~Q(kind="liaison") & Q(expert__isnull=False, liaison__isnull=True)))),
        ]

    def __str__(self) -> str:
        return f"{self.expert or self.liaison} ↔ {self.enterprise}"

    def clean(self) -> None:
        _term(self.start_on, self.end_on)
        if self.kind == PairingKind.LIAISON:
            if not self.liaison_id:
                raise ValidationError({"liaison": _("A liaison pairing needs the bureau staff member.")})
            if self.expert_id:
                raise ValidationError({"expert": _("A liaison pairing links a staff member, not an expert.")})
            if not getattr(self.liaison, "is_government", False):
                raise ValidationError({"liaison": _("A liaison must be science-bureau staff.")})
            if self.enterprise_id and not self.enterprise.qualifications.filter(kind="high_tech").exists():
                raise ValidationError({"enterprise": _(
                    "Liaisons are linked to high-tech enterprises; this enterprise has no high-tech qualification.")})
        else:
            if not self.expert_id:
                raise ValidationError({"expert": _("Choose the expert.")})
            if self.liaison_id:
                raise ValidationError({"liaison": _("Only a liaison pairing names a staff member.")})
        if self.enterprise_id and self.start_on and (self.expert_id or self.liaison_id):
            same = Pairing.objects.filter(enterprise_id=self.enterprise_id, kind=self.kind)
            if self.kind != PairingKind.LIAISON:  # a liaison is one-to-one: one at a time per enterprise
                same = same.filter(expert_id=self.expert_id)
            same = same.exclude(pk=self.pk).filter(Q(end_on__isnull=True) | Q(end_on__gte=self.start_on))
            if self.end_on:
                same = same.filter(start_on__lte=self.end_on)
            if same.exists():
                raise ValidationError(
                    _("The enterprise already has a liaison for an overlapping period.") if self.kind == PairingKind.LIAISON
                    else _("This pairing already exists for an overlapping period."))

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.start_on <= today and (self.end_on is None or self.end_on >= today)


class Visit(ScopedRecord):
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.RESTRICTED)
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="visits")
    visited_on = models.DateField(_("visited on"))
    programme = models.CharField(_("programme"), max_length=12, choices=VisitProgramme.choices,
                                 default=VisitProgramme.SURVEY)
    visitors = models.CharField(_("visitors"), max_length=300, help_text=_("Names, separated by “、”."))
    visiting_institution = models.ForeignKey(
        "orgs.Institution", verbose_name=_("visiting university / institute"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="visits",
        help_text=_("Required for 十校十所进千企 visits, which are counted per university or institute."))
    pairing = models.ForeignKey(Pairing, verbose_name=_("pairing"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="visits")
    findings = models.TextField(_("findings"), blank=True)
    needs = models.TextField(_("needs uncovered"), blank=True,
                             help_text=_("One need per line; each can become a draft demand."))
    draft_demands = models.ManyToManyField("demands.Demand", verbose_name=_("draft demands"), blank=True,
                                           related_name="source_visits", editable=False)

    history = HistoricalRecords(m2m_fields=["assessment_units"])
    PARTY_FIELDS: tuple[str, ...] = ()
    CREATE_ROLES = GOVERNMENT_ROLES | {Role.INSTITUTION, Role.EXPERT}

    class Meta:
        ordering = ["-visited_on"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise}"

    def clean(self) -> None:
        if self.programme == VisitProgramme.TEN_TEN_THOUSAND and not self.visiting_institution_id:
            raise ValidationError({"visiting_institution": _(
                "A 十校十所进千企 visit names the university or institute that made it.")})
        if self.pairing_id and self.enterprise_id and self.pairing.enterprise_id != self.enterprise_id:
            raise ValidationError({"pairing": _("The pairing is with another enterprise.")})

    @property
    def need_lines(self) -> list[str]:
        return [line.strip(" \t-•·、") for line in self.needs.splitlines() if line.strip(" \t-•·、")]


class PlacementQuota(ScopedRecord):
    scheme = models.CharField(_("scheme"), max_length=24, choices=PlacementScheme.choices)
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2000)])
    quota = models.PositiveIntegerField(_("quota"))
    basis = models.CharField(_("basis"), max_length=300, blank=True,
                             help_text=_("The policy clause that sets the quota."))

    history = HistoricalRecords(m2m_fields=["assessment_units"])
    CREATE_ROLES = GOVERNMENT_ROLES

    class Meta:
        ordering = ["-year", "scheme"]
        verbose_name = _("placement quota")
        verbose_name_plural = _("placement quotas")
        constraints = [models.UniqueConstraint(fields=["scheme", "year", "region"], name="uniq_quota_scheme_year_region")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_scheme_display()}"

    def clean(self) -> None:
        # The constraint does not cover a quota without a region (NULLs are distinct): check it here.
        same = PlacementQuota.objects.filter(scheme=self.scheme, year=self.year, region_id=self.region_id)
        if self.region_id is None and same.exclude(pk=self.pk).exists():
            raise ValidationError(_("A quota for this scheme and year already exists."))


class Placement(ScopedRecord):
    scheme = models.CharField(_("scheme"), max_length=24, choices=PlacementScheme.choices)
    year = models.PositiveIntegerField(_("year appointed"), validators=[MinValueValidator(2000)])
    person_name = models.CharField(_("person"), max_length=50)
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert record"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="placements")
    home_institution = models.ForeignKey("orgs.Institution", verbose_name=_("home university / institute"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="placements_out")
    home_enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("home enterprise"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="placements_out")
    host_enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("host enterprise"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="placements_in")
    host_institution = models.ForeignKey("orgs.Institution", verbose_name=_("host university / institute"),
                                         null=True, blank=True, on_delete=models.PROTECT, related_name="placements_in")
    start_on = models.DateField(_("term from"))
    end_on = models.DateField(_("term until"), null=True, blank=True)
    duties = models.TextField(_("duties"), blank=True)
    outputs = models.TextField(_("outputs"), blank=True,
                               help_text=_("Projects led, patents, products, students trained …"))

    history = HistoricalRecords(m2m_fields=["assessment_units"])
    PARTY_FIELDS: tuple[str, ...] = ()
    CREATE_ROLES = GOVERNMENT_ROLES
    # Who is paired with or placed at whom, and on what terms, is business-confidential as a whole
    # record: read by the parties named in it and government roles in scope (core.selectors).
    CONFIDENTIAL = True

    class Meta:
        ordering = ["-year", "person_name"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_scheme_display()}）"

    def clean(self) -> None:
        _term(self.start_on, self.end_on)
        if self.scheme in HOSTED_BY_ENTERPRISE:
            if not self.host_enterprise_id:
                raise ValidationError({"host_enterprise": _("A tech vice-president is hosted by an enterprise.")})
            if not (self.home_institution_id or self.expert_id):
                raise ValidationError({"home_institution": _(
                    "Give the university or institute the tech vice-president comes from.")})
        elif self.scheme:
            if not self.host_institution_id:
                raise ValidationError({"host_institution": _("A professorship is hosted by a university or institute.")})
            if not self.home_enterprise_id and self.scheme == PlacementScheme.INDUSTRY_PROFESSOR:
                raise ValidationError({"home_enterprise": _("An industry professor comes from an enterprise.")})
        if self.start_on and self.year and abs(self.start_on.year - self.year) > 1:
            raise ValidationError({"year": _("The year appointed does not fit the start of the term.")})


class StudentTeam(ScopedRecord):
    name = models.CharField(_("team / project name"), max_length=200)
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("university"), on_delete=models.PROTECT,
                                    related_name="student_teams")
    leader_name = models.CharField(_("team leader"), max_length=50)
    members = models.PositiveIntegerField(_("students in the team"), validators=[MinValueValidator(1)])
    teacher_led = models.BooleanField(_("teachers' team (教师创业团队)"), default=False)
    incubator = models.ForeignKey("supply.Carrier", verbose_name=_("incubator / maker space"),
                                  on_delete=models.PROTECT, related_name="student_teams")
    project = models.TextField(_("project"), blank=True)
    entered_on = models.DateField(_("entered on"))
    status = models.CharField(_("status"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.INCUBATING)
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("company registered"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="student_teams")

    history = HistoricalRecords(m2m_fields=["assessment_units"])
    PARTY_FIELDS = ("institution",)
    CREATE_ROLES = GOVERNMENT_ROLES | {Role.INSTITUTION}

    class Meta:
        ordering = ["-entered_on"]
        verbose_name = _("student team")
        verbose_name_plural = _("student teams")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.incubator_id and self.incubator.kind not in {CarrierKind.INCUBATOR, CarrierKind.MAKERSPACE,
                                                             CarrierKind.ACCELERATOR}:
            raise ValidationError({"incubator": _("Choose an incubator, maker space or accelerator.")})
        if self.status == TeamStatus.REGISTERED and not self.enterprise_id:
            raise ValidationError({"enterprise": _("Name the company the team registered.")})
