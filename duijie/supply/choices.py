from django.db import models
from django.utils.translation import gettext_lazy as _


class AchievementField(models.TextChoices):
    """科技成果所属领域 — the 8 options of Annex 1 (seed 001), in its order."""

    ELECTRONICS = "电子信息", _("Electronic information (电子信息)")
    ENERGY_ENV = "能源环保", _("Energy & environment (能源环保)")
    EQUIPMENT = "装备制造", _("Equipment manufacturing (装备制造)")
    BIO_MEDICINE = "生物技术与新医药", _("Biotech & new medicine (生物技术与新医药)")
    NEW_MATERIALS = "新材料", _("New materials (新材料)")
    AGRICULTURE = "现代农业", _("Modern agriculture (现代农业)")
    CONSUMER = "民生用品", _("Consumer goods (民生用品)")
    OTHER = "其他", _("Other (其他)")


class AchievementStage(models.TextChoices):
    """科技成果所处阶段 — the 5 options of Annex 1 (seed 001)."""

    DEVELOPMENT = "研制阶段", _("Development (研制阶段)")
    TRIAL = "试生产阶段", _("Trial production (试生产阶段)")
    SMALL_BATCH = "小批量生产阶段", _("Small-batch production (小批量生产阶段)")
    MASS = "批量生产阶段", _("Mass production (批量生产阶段)")
    OTHER = "其他", _("Other (其他)")


class AchievementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published")
    RETURNED = "returned", _("Returned for rework")
    TRANSFERRED = "transferred", _("Transferred")


class IPForm(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("Invention patent")
    UTILITY_PATENT = "utility_patent", _("Utility-model patent")
    DESIGN_PATENT = "design_patent", _("Design patent")
    SOFTWARE = "software", _("Software copyright")
    TRADE_SECRET = "trade_secret", _("Technical secret (know-how)")
    IC_LAYOUT = "ic_layout", _("IC layout design")
    PLANT_VARIETY = "plant_variety", _("New plant variety")
    NONE = "none", _("None / not yet protected")


class TransferMode(models.TextChoices):
    ASSIGNMENT = "转让", _("Assignment (转让)")
    LICENCE = "许可", _("Licence (许可)")
    EQUITY = "作价入股", _("Equity contribution (作价入股)")
    USE_FIRST = "先使用后付费", _("Use first, pay later (先使用后付费)")
    CO_DEVELOPMENT = "合作开发", _("Joint development (合作开发)")


class PatentType(models.TextChoices):
    INVENTION = "invention", _("Invention (发明)")
    UTILITY = "utility", _("Utility model (实用新型)")
    DESIGN = "design", _("Design (外观设计)")


class PatentLegalStatus(models.TextChoices):
    PENDING = "pending", _("Pending (审中)")
    GRANTED = "granted", _("Granted, in force (有效)")
    LAPSED = "lapsed", _("Lapsed (失效)")
    REJECTED = "rejected", _("Rejected (驳回)")
    WITHDRAWN = "withdrawn", _("Withdrawn (撤回)")


class CarrierKind(models.TextChoices):
    KEY_LAB = "key_lab", _("Key laboratory (重点实验室)")
    ENG_CENTER = "eng_center", _("Engineering technology research centre (工程技术研究中心)")
    ENTERPRISE_TECH_CENTER = "enterprise_tech_center", _("Enterprise technology centre (企业技术中心)")
    ENG_RESEARCH_CENTER = "eng_research_center", _("Engineering research centre (工程研究中心)")
    NEW_RND = "new_rnd", _("New R&D institution (新型研发机构)")
    INDUSTRY_INSTITUTE = "industry_institute", _("Industrial technology institute (产业技术研究院)")
    ENTERPRISE_INSTITUTE = "enterprise_institute", _("Enterprise research institute (企业研究院)")
    INCUBATOR = "incubator", _("Incubator (孵化器)")
    MAKERSPACE = "makerspace", _("Maker space (众创空间)")
    ACCELERATOR = "accelerator", _("Accelerator (加速器)")
    CONCEPT_VERIFICATION = "concept_verification", _("Concept-verification centre (概念验证中心)")
    PILOT_BASE = "pilot_base", _("Pilot-scale base (中试基地)")
    ACADEMICIAN_WS = "academician_ws", _("Academician workstation (院士工作站)")
    POSTDOC_WS = "postdoc_ws", _("Postdoctoral workstation (博士后工作站)")
    GRADUATE_WS = "graduate_ws", _("Graduate workstation (研究生工作站)")
    TECH_TRANSFER = "tech_transfer", _("Technology transfer institution (技术转移机构)")
    # Named by seeds 003 (三、（一）3, 三、（三）1) and 004 (二、6, 三、10).
    JOINT_INNOVATION_CENTER = "joint_innovation_center", _("Enterprise joint innovation centre (企业联合创新中心)")
    COLLAB_INNOVATION_CENTER = "collab_innovation_center", _("Collaborative innovation centre (协同创新中心)")
    POSTDOC_PRACTICE_BASE = "postdoc_practice_base", _("Postdoctoral innovation practice base (博士后创新实践基地)")
    PUBLIC_TECH_SERVICE = "public_tech_service", _("Public technology service platform (公共技术服务平台)")
    INNOVATION_CONSORTIUM = "innovation_consortium", _("Innovation consortium (创新联合体)")
    INDUSTRIALISATION_CENTER = "industrialisation_center", _(
        "Industrial technology engineering centre (产业技术工程化中心)")
    JOINT_LAB = "joint_lab", _("Joint laboratory (联合实验室)")
    FUTURE_INDUSTRY_INSTITUTE = "future_industry_institute", _("Future industry technology institute (未来产业技术研究院)")
    OTHER = "other", _("Other")


class ScenarioStage(models.TextChoices):
    COLLECTING = "collecting", _("Collecting proposals (征集中)")
    MATCHING = "matching", _("Matching (对接中)")
    PILOTING = "piloting", _("Piloting (试点中)")
    LANDED = "landed", _("Landed (已落地)")
    CLOSED = "closed", _("Closed (已结束)")


class ScenarioOpenness(models.TextChoices):
    OPEN = "open", _("Open call (公开征集)")
    INVITED = "invited", _("By invitation (定向邀请)")
    INTERNAL = "internal", _("Internal (内部)")


class ScenarioDomain(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Smart manufacturing (智能制造)")
    CITY = "city", _("Smart city (智慧城市)")
    ENERGY = "energy", _("Energy & carbon (能源双碳)")
    HEALTH = "health", _("Health care (医疗健康)")
    TRANSPORT = "transport", _("Transport (交通出行)")
    AGRICULTURE = "agriculture", _("Agriculture (现代农业)")
    EDUCATION = "education", _("Education (教育)")
    GOVERNMENT = "government", _("Government services (政务服务)")
    OTHER = "other", _("Other")
