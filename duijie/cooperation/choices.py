from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectSource(models.TextChoices):
    """Where a cooperation project came from (issue 6). ``demand`` and ``event`` carry an explicit
    link (``source_demand``; ``source_event`` and/or ``source_intention``); the others carry none."""

    DEMAND = "demand", _("Enterprise demand")
    EVENT = "event", _("Event")
    CHALLENGE = "challenge", _("Open challenge (揭榜挂帅)")
    VISIT = "visit", _("Enterprise visit (走访)")
    OTHER = "other", _("Other")


class ProjectStage(models.TextChoices):
    """意向 → 签约 → 实施 → 验收/完成, or 终止 (with a reason)."""

    INTENTION = "intention", _("Intention (意向)")
    SIGNED = "signed", _("Signed (签约)")
    IMPLEMENTING = "implementing", _("Implementing (实施)")
    COMPLETED = "completed", _("Accepted / completed (验收/完成)")
    TERMINATED = "terminated", _("Terminated (终止)")


# Stages that count as "implemented" in the effectiveness funnel.
IMPLEMENTED_STAGES = (ProjectStage.IMPLEMENTING, ProjectStage.COMPLETED)
# The normal order of stages; a move to an earlier one needs a reason.
STAGE_ORDER = (ProjectStage.INTENTION, ProjectStage.SIGNED, ProjectStage.IMPLEMENTING, ProjectStage.COMPLETED)


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    CERTIFICATE = "certificate", _("Certificate")
    SIGN_IN = "sign_in", _("Sign-in sheet")
    OTHER = "other", _("Other")


class ContractType(models.TextChoices):
    """技术合同 types for 认定登记.

    The new 技术合同认定登记管理办法 (issued by MIIT, in force from 2026-01-23, with the annexed
    技术合同认定登记规则) follows the Civil Code, which made 技术许可 a type of its own beside
    技术开发, 技术转让, 技术咨询 and 技术服务. We could not read the annexed rules' own list of
    sub-types, so the sub-types below are those of the Civil Code (arts. 851, 862) and the former
    rules (技术培训 and 技术中介 as kinds of 技术服务). UNCERTAIN: check them against the annex
    of the 2026 办法 before relying on sub-type statistics; the five top-level types are safe.
    """

    DEV_COMMISSIONED = "dev_commissioned", _("Technology development — commissioned (技术开发·委托)")
    DEV_COOPERATIVE = "dev_cooperative", _("Technology development — cooperative (技术开发·合作)")
    TRANSFER_PATENT = "transfer_patent", _("Technology transfer — patent (技术转让·专利权)")
    TRANSFER_APPLICATION = "transfer_application", _("Technology transfer — patent application (技术转让·专利申请权)")
    TRANSFER_SECRET = "transfer_secret", _("Technology transfer — technical secret (技术转让·技术秘密)")
    TRANSFER_OTHER = "transfer_other", _("Technology transfer — other (技术转让·其他)")
    LICENCE = "licence", _("Technology licensing (技术许可)")
    CONSULTING = "consulting", _("Technology consulting (技术咨询)")
    SERVICE = "service", _("Technology service (技术服务)")
    SERVICE_TRAINING = "service_training", _("Technology service — training (技术服务·技术培训)")
    SERVICE_INTERMEDIARY = "service_intermediary", _("Technology service — intermediary (技术服务·技术中介)")


class ContractCategory(models.TextChoices):
    DEVELOPMENT = "development", _("Technology development (技术开发)")
    TRANSFER = "transfer", _("Technology transfer (技术转让)")
    LICENCE = "licence", _("Technology licensing (技术许可)")
    CONSULTING = "consulting", _("Technology consulting (技术咨询)")
    SERVICE = "service", _("Technology service (技术服务)")


def contract_category(contract_type: str) -> str:
    head = contract_type.split("_", 1)[0]
    return {"dev": ContractCategory.DEVELOPMENT, "transfer": ContractCategory.TRANSFER,
            "licence": ContractCategory.LICENCE, "consulting": ContractCategory.CONSULTING,
            "service": ContractCategory.SERVICE}[head]
