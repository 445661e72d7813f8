from django.db import models
from django.utils.translation import gettext_lazy as _


class PairingKind(models.TextChoices):
    """Seed 000 §6 (百名专家教授挂钩联系百家企业), seed 002 (科技顾问进高企; 高企科技辅导员挂钩联系制度)."""

    EXPERT = "expert", _("Expert linked to an enterprise (专家挂钩联系)")
    ADVISER = "adviser", _("Technology adviser in a high-tech enterprise (科技顾问进高企)")
    LIAISON = "liaison", _("Bureau liaison for a high-tech enterprise (高企科技辅导员)")


class VisitProgramme(models.TextChoices):
    """Seed 003: 十校十所进千企 — ten universities and ten institutes visit a thousand enterprises."""

    TEN_TEN_THOUSAND = "ten_ten", _("Ten universities & ten institutes into a thousand enterprises (十校十所进千企)")
    LIAISON = "liaison", _("Liaison visit (科技辅导员走访)")
    PAIRING = "pairing", _("Linked expert's visit (挂钩专家走访)")
    SURVEY = "survey", _("Survey visit (调研走访)")


class PlacementScheme(models.TextChoices):
    """Seeds 001, 003, 004: 科技副总 (provincial 双创人才 and the city's 双岗互聘), 产业教授, 兼职教授."""

    TECH_VP_PROVINCIAL = "tech_vp_provincial", _("Provincial tech vice-president (江苏省“双创人才”科技副总)")
    TECH_VP_CITY = "tech_vp_city", _("City tech vice-president, dual-post scheme (双岗互聘·科技副总)")
    INDUSTRY_PROFESSOR = "industry_professor", _("Industry professor (江苏省产业教授)")
    ADJUNCT_PROFESSOR = "adjunct_professor", _("Adjunct professor (兼职教授)")


# Schemes that place a researcher in an enterprise; the others place an enterprise person in a university.
HOSTED_BY_ENTERPRISE = {PlacementScheme.TECH_VP_PROVINCIAL, PlacementScheme.TECH_VP_CITY}


class TeamStatus(models.TextChoices):
    INCUBATING = "incubating", _("Incubating")
    REGISTERED = "registered", _("Company registered")
    GRADUATED = "graduated", _("Graduated")
    CLOSED = "closed", _("Closed")
