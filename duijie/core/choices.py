from django.db import models
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PLATFORM = "platform", _("Platform users")
    RESTRICTED = "restricted", _("Restricted")
    CLASSIFIED = "classified", _("Classified (不宜公开)")


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    DISTRICT = 3, _("District / county")
    TOWN = 4, _("Town / street")


class UnitKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    ZONE = "zone", _("Development zone (经开区/高新区)")
    TOWN = "town", _("Town")
    PARK = "park", _("Park")
    DEPARTMENT = "department", _("Department")


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Institution")
    GOVERNMENT = "government", _("Government unit")
    OTHER = "other", _("Other")


class IndustryLevel(models.IntegerChoices):
    SECTION = 1, _("Section (门类)")
    DIVISION = 2, _("Division (大类)")
    GROUP = 3, _("Group (中类)")
    CLASS = 4, _("Class (小类)")


class ParkLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    DISTRICT = "district", _("District")


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Status changed")
    EXPORT = "export", _("Exported")
    REVEAL = "reveal", _("Viewed full personal data")
    DENIED = "denied", _("Access denied")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Login failed")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    OTP_ENROL = "otp_enrol", _("Second factor enrolled")
    OTP_FAILED = "otp_failed", _("Second factor failed")
    TOKEN_CREATE = "token_create", _("API token created")
    TOKEN_REVOKE = "token_revoke", _("API token revoked")
