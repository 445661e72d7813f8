from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core import changes
from duijie.core.choices import OrgKind
from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.formatting import office_date
from duijie.core.models import Organisation, ScopedRecord, TimeStamped, Versioned
from duijie.core.validators import normalise_uscc, validate_phone, validate_uscc
from duijie.orgs.choices import InstitutionKind, QualificationKind, QualificationLevel, UnitKind
from duijie.orgs.ladder import condition_errors
from duijie.orgs.validators import uscc_region_warning

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class OrganisationBacked(models.Model):
    """A registry record that is also an organisation users belong to and records are owned by."""

    organisation = models.OneToOneField(Organisation, verbose_name=_("organisation"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="%(class)s", editable=False)
    org_kind: str = OrgKind.OTHER

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Single-record invariant: the record and its organisation share name and location.
        # Saved through the model (a new version, a history row) and announced, never a bare update.
        if self.organisation_id is None:
            self.organisation = Organisation.objects.create(kind=self.org_kind, name=self.name,
                                                            region_id=self.region_id)
            changes.announce(changes.Kind.CREATED, Organisation, [self.organisation_id])
        elif (self.organisation.name, self.organisation.region_id) != (self.name, self.region_id):
            org = self.organisation
            moved = org.region_id != self.region_id
            org.name, org.region_id = self.name, self.region_id
            org.save(update_fields=["name", "region", "updated_at"])
            changes.announce(changes.Kind.UPDATED, Organisation, [org.pk], fields=["name", "region"])
            if moved:
                changes.announce(changes.Kind.VISIBILITY_CHANGED, Organisation, [org.pk], fields=["region"])
        if self.owner_org_id is None:
            self.owner_org_id = self.organisation_id
        super().save(*args, **kwargs)


class Institution(OrganisationBacked, ScopedRecord):
    """名院: a university, research institute or new R&D institution."""

    org_kind = OrgKind.INSTITUTION
    REGION_BEYOND_PROVINCE = True  # universities from all over China (core.scope.regions_in_scope)
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("Other names, one per line."))
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    is_local = models.BooleanField(_("local (在常)"), default=False,
                                   help_text=_("Has a campus or branch in the city."))
    country = models.CharField(_("country"), max_length=50, default="中国")
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    tto_name = models.CharField(_("tech-transfer office"), max_length=200, blank=True)
    tto_contact = models.CharField(_("tech-transfer office contact"), max_length=50, blank=True)
    tto_phone = EncryptedTextField(_("tech-transfer office phone"), kind="phone", hash_field="tto_phone_hash",
                                   validators=[validate_phone])
    tto_phone_hash = BlindIndexField()
    tto_email = models.EmailField(_("tech-transfer office email"), blank=True)
    is_provisional = models.BooleanField(
        _("provisional (to be reviewed)"), default=False,
        help_text=_("Created by an import that named an institution not yet in the registry; review and confirm it."))

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-is_local", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class InstitutionUnit(Versioned, TimeStamped):
    """院、系、实验室 under an institution."""
    SCOPE_VIA = "institution"  # read/edit scope follows the institution


    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.CASCADE,
                                    related_name="units")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.COLLEGE)
    parent = models.ForeignKey("self", verbose_name=_("parent unit"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="children")
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["institution__name", "name"]
        verbose_name = _("institution unit")
        verbose_name_plural = _("institution units")
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="uniq_unit_name")]

    def __str__(self) -> str:
        return f"{self.institution.name} · {self.name}"

    def clean(self) -> None:
        if self.parent_id and self.parent and self.parent.institution_id != self.institution_id:
            raise ValidationError({"parent": _("The parent unit belongs to another institution.")})


class Enterprise(OrganisationBacked, ScopedRecord):
    """名企 and SMEs. The unified social credit code (统一社会信用代码) is the natural key."""

    org_kind = OrgKind.ENTERPRISE
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True,
                            validators=[validate_uscc],
                            help_text=_("统一社会信用代码: 18 characters, checked against its check character. "
                                        "Leave empty only for an enterprise on record from before the code "
                                        "(2015); such records are offered for merging when a coded one matches."))
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    registered_capital = models.DecimalField(_("registered capital (yuan)"), null=True, blank=True, **MONEY)
    industry = models.ForeignKey("core.Industry", verbose_name=_("industry (GB/T 4754)"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="enterprises")
    address = models.CharField(_("address"), max_length=300, blank=True)
    main_products = models.TextField(_("main products"), blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), kind="phone", hash_field="contact_phone_hash",
                                       validators=[validate_phone])
    contact_phone_hash = BlindIndexField()

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.uscc:
            self.uscc = None  # several enterprises without a code: NULLs never collide in the unique index
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.uscc = normalise_uscc(self.uscc) if self.uscc else None

    def uscc_warnings(self) -> list[str]:
        """Soft checks: a registration-region prefix that is not in the region table only warns."""
        warning = uscc_region_warning(self.uscc)
        return [warning] if warning else []


VALIDITY_LABELS = {"valid": _("Valid"), "expiring": _("Expiring soon"), "expired": _("Expired"),
                   "pending": _("Not yet valid")}


class EnterpriseQualification(Versioned, TimeStamped):
    SCOPE_VIA = "enterprise"  # read/edit scope follows the enterprise

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="qualifications")
    kind = models.CharField(_("qualification"), max_length=30, choices=QualificationKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=QualificationLevel.choices, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise__name", "-valid_from"]
        verbose_name = _("enterprise qualification")
        verbose_name_plural = _("enterprise qualifications")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "kind", "valid_from"], name="uniq_qualification"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()}"

    def validity(self, today=None) -> str:
        """``valid``, ``expiring`` (ends within DUIJIE_QUALIFICATION_EXPIRING_DAYS), ``expired`` or
        ``pending`` (not valid yet) on ``today`` (default: the local date). No end: valid."""
        today = today or timezone.localdate()
        if self.valid_from and self.valid_from > today:
            return "pending"
        if self.valid_to is None:
            return "valid"
        if self.valid_to < today:
            return "expired"
        if self.valid_to <= today + timedelta(days=settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS):
            return "expiring"
        return "valid"

    @property
    def validity_display(self) -> str:
        return str(VALIDITY_LABELS[self.validity()])

    validity_display.fget.short_description = _("validity")  # type: ignore[attr-defined]

    def record_warnings(self) -> list[str]:
        state = self.validity()
        if state == "expired":
            return [_("This qualification expired on %(day)s.") % {"day": office_date(self.valid_to)}]
        if state == "expiring":
            return [_("This qualification expires on %(day)s: prepare its renewal.") % {
                "day": office_date(self.valid_to)}]
        return []

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})


class EnterpriseMetric(Versioned, TimeStamped):
    """Yearly metrics (money in yuan, to the fen). Business-confidential, every field: read by the
    enterprise and government roles whose scope covers it, never by other enterprises, experts or
    brokers (aggregates are published through programme figures, not these rows)."""
    SCOPE_VIA = "enterprise"  # edit scope follows the enterprise
    CONFIDENTIAL = True


    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="metrics")
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = models.DecimalField(_("revenue (yuan)"), null=True, blank=True, **MONEY)
    rd_spend = models.DecimalField(_("R&D spend (yuan)"), null=True, blank=True, **MONEY)
    tax = models.DecimalField(_("tax paid (yuan)"), null=True, blank=True, **MONEY)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("R&D staff"), null=True, blank=True)
    invention_patents = models.PositiveIntegerField(_("invention patents held"), null=True, blank=True)
    # 规上 is a year's statistics designation (an enterprise enters and leaves it), so it is kept per
    # year here, never as one flag on the enterprise; empty: not known for that year.
    above_scale = models.BooleanField(
        _("above designated size (规上)"), null=True, blank=True,
        help_text=_("Whether the statistics bureau counted the enterprise as above designated size (规模以上) that year."))

    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise__name", "-year"]
        verbose_name = _("enterprise yearly metrics")
        verbose_name_plural = _("enterprise yearly metrics")
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="uniq_metric_year")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year}"

    def clean(self) -> None:
        if self.year and not 1949 <= self.year <= 2100:
            raise ValidationError({"year": _("Year %(year)s is out of range.") % {"year": self.year}})
        if self.rd_staff is not None and self.employees is not None and self.rd_staff > self.employees:
            raise ValidationError({"rd_staff": _("R&D staff cannot exceed employees.")})


class TierLadder(Versioned, TimeStamped):
    """A dated version of the enterprise tier ladder (梯度培育梯队): which qualifications place an
    enterprise on which rung, in force from ``valid_from`` to ``valid_to`` (empty: open), with where
    it comes from. A tier on a day is read with the ladder in force that day (``orgs.tiers``)."""

    code = models.SlugField(_("code"), max_length=60, help_text=_("The same code across the versions of one ladder."))
    number = models.PositiveIntegerField(_("version number"))
    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(_("source and provenance"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-number"]
        verbose_name = _("tier ladder")
        verbose_name_plural = _("tier ladders")
        constraints = [models.UniqueConstraint(fields=["code", "number"], name="orgs_ladder_code_number")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def clean(self) -> None:
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end of validity is before its start.")})


class TierRung(Versioned, TimeStamped):
    """One rung of a ladder: its rank (1 the lowest), its name and the qualification kinds that place an
    enterprise on it, with the clause that says so."""

    ladder = models.ForeignKey(TierLadder, verbose_name=_("ladder"), on_delete=models.CASCADE, related_name="rungs")
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=100)
    short = models.CharField(_("short name"), max_length=20, help_text=_("e.g. 科小, 高企: names a move (小升高)."))
    kinds = models.JSONField(_("qualification kinds"), default=list)
    basis = models.CharField(_("basis"), max_length=400)

    history = HistoricalRecords()

    class Meta:
        ordering = ["ladder", "rank"]
        verbose_name = _("tier rung")
        verbose_name_plural = _("tier rungs")
        constraints = [models.UniqueConstraint(fields=["ladder", "rank"], name="orgs_rung_rank")]

    def __str__(self) -> str:
        return f"{self.rank} {self.name}"

    def clean(self) -> None:
        if not isinstance(self.kinds, list) or not self.kinds:
            raise ValidationError({"kinds": _("A rung names at least one qualification kind.")})
        unknown = [k for k in self.kinds if k not in QualificationKind.values]
        if unknown:
            raise ValidationError({"kinds": _("Unknown qualification kinds: %(k)s.") % {"k": ", ".join(map(str, unknown))}})
        if self.ladder_id:
            taken = {k for r in TierRung.objects.filter(ladder_id=self.ladder_id).exclude(pk=self.pk)
                     for k in r.kinds}
            twice = sorted(set(self.kinds) & taken)
            if twice:
                raise ValidationError({"kinds": _("Already on another rung of this ladder: %(k)s.") % {"k": ", ".join(twice)}})


class CultivationRule(Versioned, TimeStamped):
    """培育库: which enterprises on rung ``from_rank`` are close to rung ``to_rank`` — every condition
    (``orgs.ladder``) with its basis and whether its threshold is a public criterion or local
    configuration."""

    ladder = models.ForeignKey(TierLadder, verbose_name=_("ladder"), on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    from_rank = models.PositiveSmallIntegerField(_("from rung"), validators=[MinValueValidator(1)])
    to_rank = models.PositiveSmallIntegerField(_("to rung"), validators=[MinValueValidator(1)])
    conditions = models.JSONField(_("conditions"), default=list)
    source = models.TextField(_("source and provenance"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["ladder", "from_rank", "code"]
        verbose_name = _("cultivation rule")
        verbose_name_plural = _("cultivation rules")
        constraints = [models.UniqueConstraint(fields=["ladder", "code"], name="orgs_rule_code")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.from_rank and self.to_rank and self.to_rank <= self.from_rank:
            errors["to_rank"] = [_("A cultivation rule leads to a higher rung than it starts from.")]
        problems = condition_errors(self.conditions)
        if problems:
            errors["conditions"] = problems
        if errors:
            raise ValidationError(errors)
