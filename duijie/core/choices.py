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


class ReportedIndicator(models.TextChoices):
    """Official statistics figures filed as reported (上报), not computed from records: the slug of
    each is the slug of its indicator (``core/reported.py``). Seed 002, 一、主要指标完成情况 items 1–3."""

    RD_GDP = "rd-gdp-ratio", _("R&D expenditure as a share of GDP (R&D经费支出占GDP比重)")
    HIGH_TECH_OUTPUT = "high-tech-output", _("High-tech industry output (高新技术产业产值)")
    HIGH_TECH_OUTPUT_SHARE = "high-tech-output-share", _(
        "High-tech output as a share of above-scale industrial output (高新技术产业产值占规上工业总产值比重)")
    HIGH_TECH_INVESTMENT = "high-tech-investment", _("High-tech industry investment (高新技术产业投资)")
    PATENT_APPLICATIONS = "patent-applications", _("Patent applications (专利申请量)")
    PATENT_GRANTS = "patent-grants", _("Patents granted (专利授权量)")
    INVENTION_PATENTS_PER_10K = "invention-patents-per-10k", _(
        "Valid invention patents per 10,000 people (万人有效发明专利拥有量)")
