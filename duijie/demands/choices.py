from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandType(models.TextChoices):
    TECH_CHALLENGE = "tech_challenge", _("Technical problem (技术难题攻关)")
    TALENT = "talent", _("Talent recruitment & training (人才引进与培养)")
    PROCESS = "process", _("Process improvement (工艺改进)")
    PURCHASE = "purchase", _("Achievement purchase (成果购买)")
    TESTING = "testing", _("Testing & inspection (检验检测)")
    OTHER = "other", _("Other (其他)")


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned for rework (整改)")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


class CooperationMode(models.TextChoices):
    JOINT_DEVELOPMENT = "joint_development", _("Joint development (合作开发)")
    COMMISSIONED = "commissioned", _("Commissioned development (委托开发)")
    TRANSFER = "transfer", _("Technology transfer (技术转让)")
    LICENCE = "licence", _("Licensing (技术许可)")
    CONSULTING = "consulting", _("Consulting / service (技术咨询服务)")
    JOINT_LAB = "joint_lab", _("Joint lab / platform (共建平台)")
    OTHER = "other", _("Other")
