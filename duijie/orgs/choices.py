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
