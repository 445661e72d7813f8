from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpertTitle(models.TextChoices):
    PROFESSOR = "professor", _("Professor (教授)")
    RESEARCHER = "researcher", _("Research fellow (研究员)")
    ASSOC_PROFESSOR = "assoc_professor", _("Associate professor (副教授)")
    ASSOC_RESEARCHER = "assoc_researcher", _("Associate research fellow (副研究员)")
    SENIOR_ENGINEER = "senior_engineer", _("Senior engineer (高级工程师)")
    PROF_SENIOR_ENGINEER = "prof_senior_engineer", _("Professor-level senior engineer (正高级工程师)")
    LECTURER = "lecturer", _("Lecturer (讲师)")
    ENGINEER = "engineer", _("Engineer (工程师)")
    OTHER = "other", _("Other")


class ExpertRoleKind(models.TextChoices):
    """Roles an expert holds by certificate or title. 科技副总 / 产业教授 / 双岗互聘 are not roles: they
    are placements (``pairings.Placement``: scheme, term, home and host), stored there only; an
    expert's placements are ``expert.placements`` (pairings migration 0003 moved the old roles)."""

    BROKER = "broker", _("Technology broker (技术经纪人)")
    TECH_MANAGER = "tech_manager", _("Technology manager (技术经理人)")
    ACADEMICIAN = "academician", _("Academician (院士)")
