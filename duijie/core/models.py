"""Scope and reference models shared by every domain app, and the abstract record bases.

Every registry record carries: its owner organisation, its location (region, optionally a
park), the assessment units it counts for, the account and organisation that filed it, and a
visibility (PRODUCT.md, "Who sees what"). Selectors filter on these; views never do.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.choices import (
    AuditAction,
    AuditResult,
    IndustryLevel,
    OrgKind,
    ParkLevel,
    RegionLevel,
    ReportedIndicator,
    UnitKind,
    Visibility,
)
from duijie.core.roles import GOVERNMENT_ROLES, Role


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """An integer ``version`` that every save of the record increments (optimistic locking).

    Forms carry the version the user read and the API compares it with ``If-Match``: the services
    (``core.services``) write only while the stored version is still the one the writer read —
    ``UPDATE … SET version = version + 1 WHERE pk = … AND version = <read>``, so of two writers
    that read the same version exactly one succeeds. Saves outside the services (domain code,
    merges) still count as a new version, incremented in SQL."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None or getattr(self, "_version_claimed", False):
            self._version_claimed = False
            return super().save(*args, **kwargs)
        # Not claimed by a service: count this save as a new version all the same (in SQL, so two
        # such saves never write the same number; on PostgreSQL the row stays locked until commit).
        model = type(self)
        model._base_manager.filter(pk=self.pk).update(version=models.F("version") + 1)
        self.version = model._base_manager.filter(pk=self.pk).values_list("version", flat=True).first() or 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        return super().save(*args, **kwargs)


class Region(models.Model):
    """GB/T 2260 / 统计用区划代码: province (2 digits) → city (4) → district (6) → town (9)."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:detail", args=["regions", self.pk])


class Industry(models.Model):
    """GB/T 4754-2017 国民经济行业分类 with the 2019 amendment (第1号修改单)."""

    code = models.CharField(_("code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), choices=IndustryLevel.choices)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    remark = models.TextField(_("remark"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry (GB/T 4754)")
        verbose_name_plural = _("industries (GB/T 4754)")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Discipline(models.Model):
    """NSFC 学科代码 tree (pre-2020 scheme), used for expert research fields."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("discipline (NSFC)")
        verbose_name_plural = _("disciplines (NSFC)")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AssessmentUnit(Versioned, TimeStamped):
    """考核板块: what programmes assess (a district, 经开区, 高新区, town, park or department).

    A unit maps to regions and/or parks, may sit inside another unit, and has a validity period:
    常州经开区 sits inside 武进 in the 2016 scheme and beside the districts in the 2026 one, so it is
    two units with different periods. A unit may map to nothing current (Kunshan's 2017 towns
    淀山湖/周庄/锦溪 have no code of their own in the 2023 list).
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True,
                            help_text=_("Short stable identifier, e.g. wujin-2016."))
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    city = models.ForeignKey(Region, verbose_name=_("city"), on_delete=models.PROTECT,
                             related_name="assessment_units_in_city", limit_choices_to={"level": 2})
    parent = models.ForeignKey("self", verbose_name=_("parent unit"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True,
                                     related_name="assessment_units")
    parks = models.ManyToManyField("core.Park", verbose_name=_("parks"), blank=True,
                                   related_name="assessment_units_mapped")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=[regions, parks])

    class Meta:
        ordering = ["city__code", "name", "valid_from"]
        verbose_name = _("assessment unit")
        verbose_name_plural = _("assessment units")

    def __str__(self) -> str:
        if self.valid_from or self.valid_to:
            start = self.valid_from.year if self.valid_from else "…"
            end = self.valid_to.year if self.valid_to else "…"
            return f"{self.name} ({start}–{end})"
        return self.name

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot sit inside itself.")})


class Organisation(Versioned, TimeStamped):
    """What a user belongs to and what owns records: an enterprise, an institution or a government
    unit. Enterprises and institutions each have exactly one (created with them)."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    assessment_unit = models.ForeignKey(AssessmentUnit, verbose_name=_("assessment unit"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="organisations",
                                        help_text=_("For government units: the unit whose records they manage."))
    park = models.ForeignKey("core.Park", verbose_name=_("park"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="organisations")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class RecordBase(Versioned, TimeStamped):
    """Scope fields every registry record carries (see module docstring)."""

    owner_org = models.ForeignKey(Organisation, verbose_name=_("owner organisation"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    assessment_units = models.ManyToManyField(AssessmentUnit, verbose_name=_("assessment units"), blank=True,
                                              related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False)
    filed_by_org = models.ForeignKey(Organisation, verbose_name=_("filing organisation"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+", editable=False)
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PLATFORM)

    class Meta:
        abstract = True


class ScopedRecord(RecordBase):
    park = models.ForeignKey("core.Park", verbose_name=_("park"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True


class Park(RecordBase):
    """名园: a park in the annual park directory (seed 004, ~20 a year)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=ParkLevel.choices, default=ParkLevel.OTHER)
    industry_tracks = models.TextField(_("industry tracks (细分赛道)"), blank=True,
                                       help_text=_("One per line or separated by “、”."))
    industries = models.ManyToManyField(Industry, verbose_name=_("industries"), blank=True, related_name="parks")
    directory_years = models.JSONField(_("directory years"), default=list, blank=True,
                                       help_text=_("Years the park was selected into the annual park directory."))
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(m2m_fields=[industries])

    class Meta:
        ordering = ["name"]
        verbose_name = _("park")
        verbose_name_plural = _("parks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        years = self.directory_years or []
        if not isinstance(years, list) or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in years):
            raise ValidationError({"directory_years": _("Directory years must be a list of years, e.g. [2026, 2027].")})


class ReportedValue(RecordBase):
    """上报数: an official figure as the statistics bureau reported it (seed 002: R&D/GDP, 高新技术产业产值,
    万人有效发明专利拥有量), for one indicator, one assessment unit (empty: the whole city) and one
    period. Its indicator (``core/reported.py``) shows the stored value, flagged 上报 — never computed.
    ``value`` is in the indicator's unit of measure as the document prints it (%, 亿元, 件); ``unit``
    says whose figure it is, the scope fields (region, assessment units) who may see it."""

    CREATE_ROLES = GOVERNMENT_ROLES
    # ``unit`` decides whose figure this is: a scope field (core.scope), set only to a unit in the
    # filer's scope; left empty (the city's figure) only by a city administrator.
    SCOPE_UNIT_FIELDS = ("unit",)

    indicator = models.CharField(_("indicator"), max_length=60, choices=ReportedIndicator.choices)
    unit = models.ForeignKey(AssessmentUnit, verbose_name=_("assessment unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="reported_values",
                             help_text=_("Empty: the figure of the whole city."))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    source = models.CharField(_("source"), max_length=200, help_text=_("Who reported it, e.g. 区统计局."))
    document = models.CharField(_("document reference"), max_length=300, blank=True,
                                help_text=_("The report or document the figure is taken from."))

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["indicator", "-period_end"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.period_start}–{self.period_end}: {self.value}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        same = ReportedValue.objects.filter(indicator=self.indicator, unit=self.unit_id,
                                            period_start=self.period_start, period_end=self.period_end)
        if self.indicator and self.period_start and self.period_end and same.exclude(pk=self.pk).exists():
            raise ValidationError({"period_end": _("A value for this indicator, unit and period is already filed; "
                                                   "correct that one instead.")})


class AuditLog(models.Model):
    """Who did what to which record, when. Never holds personal values (field names only).
    Read by the audit administrator only (三员分立); nobody edits it."""

    READ_ROLES = (Role.AUDIT_ADMIN,)
    EDIT_ROLES: tuple[str, ...] = ()

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCESS)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # Append-only: an entry is written once; only the retention command removes old ones.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only; `manage.py prune_audit_log` applies retention.")


class GrantPurpose(models.TextChoices):
    ACCESS = "access", _("Read access")
    BROKER = "broker", _("Broker assignment")


class Grant(models.Model):
    """Read access to one restricted record for a named user: someone the owner or a government role
    in scope explicitly lets in, or a technology broker assigned to a demand. Never opens a classified
    (不宜公开) record. Changes are audited."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="grants")
    purpose = models.CharField(_("purpose"), max_length=10, choices=GrantPurpose.choices, default=GrantPurpose.ACCESS)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "user"], name="uniq_grant")]
        indexes = [models.Index(fields=["user", "content_type"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_purpose_display()}"


class ExportRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    USED = "used", _("Downloaded")


class ExportRequest(models.Model):
    """Exports mask personal data unless a request like this one was approved: the requester names
    the list (type and filters) and the reason; a city administrator other than the requester
    approves; the unmasked file can then be downloaded once. Every step is audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE,
                             related_name="export_requests")
    record_type = models.CharField(_("record type"), max_length=50)
    query = models.TextField(_("filters"), blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ExportRequestStatus.choices,
                              default=ExportRequestStatus.PENDING)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    used_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")

    def __str__(self) -> str:
        return f"{self.record_type} · {self.user}"
