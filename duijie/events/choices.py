from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """Event types named by the seeds (000–004) and the events issue."""

    UNI_TO_PARK = "uni_to_park", _("Universities into parks (高校走进园区)")
    ENTERPRISE_TO_UNI = "enterprise_to_uni", _("Enterprises visit universities (企业高校行)")
    FACE_TO_FACE = "face_to_face", _("Teacher–boss face to face (老师—老板面对面)")
    ROADSHOW = "roadshow", _("Project roadshow (项目路演)")
    CHAIN_MATCHING = "chain_matching", _("Hundred events, thousand enterprises (百场千企)")
    ACHIEVEMENT_LAUNCH = "achievement_launch", _("Achievement launch (成果发布会)")
    CHAIN_SALON = "chain_salon", _("Industry-chain salon (产业链沙龙)")
    JOINT_MEETING = "joint_meeting", _("Joint meeting (联席会议)")
    LIAISON_MEETING = "liaison_meeting", _("Liaison officers' meeting (联络员会议)")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open for registration")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class InvitationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    INVITED = "invited", _("Invited")
    REGISTERED = "registered", _("Registered")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
