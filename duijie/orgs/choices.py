from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "institute", _("Research institute")
    NEW_RND = "new_rnd", _("New R&D institution")
    OTHER = "other", _("Other")


class UnitKind(models.TextChoices):
    COLLEGE = "college", _("College / school (学院)")
    DEPARTMENT = "department", _("Department (系)")
    LAB = "lab", _("Laboratory (实验室)")
    CENTER = "center", _("Centre (中心)")
    OTHER = "other", _("Other")


class QualificationKind(models.TextChoices):
    TECH_SME = "tech_sme", _("Tech-based SME (科技型中小企业)")
    HIGH_TECH = "high_tech", _("High-tech enterprise (高新技术企业)")
    SRDI = "srdi", _("Specialised & innovative (专精特新)")
    LITTLE_GIANT = "little_giant", _("SRDI little giant (专精特新小巨人)")
    GAZELLE = "gazelle", _("Gazelle (瞪羚)")
    UNICORN = "unicorn", _("Unicorn (独角兽)")
    POTENTIAL_UNICORN = "potential_unicorn", _("Potential unicorn (潜在独角兽)")
    INNOVATION_LEADER = "innovation_leader", _("Innovative leading enterprise (创新型领军企业)")
    LISTING_CULTIVATION = "listing_cultivation", _("Tech listing cultivation (科技型上市培育)")


class QualificationLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class Measure(models.TextChoices):
    """What a cultivation rule's condition reads from an enterprise's yearly figures (the code holds the
    kinds; every threshold is stored with the rule, with its basis)."""

    RD_INTENSITY = "rd_intensity", _("R&D spend / revenue (%)")
    RD_STAFF_SHARE = "rd_staff_share", _("R&D staff / employees (%)")
    INVENTION_PATENTS = "invention_patents", _("Invention patents held")
    REVENUE = "revenue", _("Revenue (yuan)")
    RD_SPEND = "rd_spend", _("R&D spend (yuan)")
    YEARS_FOUNDED = "years_founded", _("Full years since founding")
    MANUAL = "manual", _("Not recorded on the platform: checked on the application")
