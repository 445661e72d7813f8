"""What each import kind reads: its model, columns (in template order), required columns and
natural key. A later layout (Annex 2/3 target tables, the Annex-1 form) adds a ``Kind`` here or a
reader in front of the same engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

SCOPE_COLUMNS = ("region", "park", "visibility")


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI kind ("enterprise")
    model_label: str  # "orgs.Enterprise"
    slug: str  # the registry slug ("enterprises")
    columns: tuple[str, ...]  # model field names, template order
    required: tuple[str, ...]
    key: tuple[str, ...]  # natural-key fields (after parsing)
    parent: str = ""  # FK whose organisation owns new records (demand → enterprise)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # extra header spellings
    list_fields: dict[str, str] = field(default_factory=dict)  # JSON list fields: "int" or a choices label
    city_admin_only: bool = False  # reference/scope data only city administrators import (regions, units)
    prepare: Callable[[dict], None] | None = None  # fills derived values of a parsed row; ValueError = row error
    # An official target table (Annex 2 / Annex 3 of seed 001, ``imports/tables``): read, planned and
    # written by its own planner for one programme (``--programme CODE``), not by the column engine.
    table: str = ""
    title: str = ""

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)


KINDS: dict[str, Kind] = {}

# Header spellings offices use for the columns many kinds share.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("区域", "所在地区", "所属地区", "所在区县", "行政区划代码"),
    "park": ("所在园区", "所属园区"),
    "industry": ("所属行业", "行业代码", "国民经济行业分类", "行业"),
    "enterprise": ("企业名称", "企业统一社会信用代码", "统一社会信用代码"),
    "institution": ("所在单位", "工作单位", "高校院所名称", "机构名称"),
    "visibility": ("公开范围",),
    "assessment_units": ("所属考核板块", "考核单位", "所属板块"),
    "industries": ("所属行业", "行业代码"),
}


def _kind(**kw) -> Kind:
    aliases = {name: (*kw.get("aliases", {}).get(name, ()), *COMMON_ALIASES.get(name, ()))
               for name in kw["columns"]}
    kw["aliases"] = {k: v for k, v in aliases.items() if v}
    kind = Kind(**kw)
    KINDS[kind.name] = kind
    return kind


_kind(name="enterprise", model_label="orgs.Enterprise", slug="enterprises",
      columns=("uscc", "name", "legal_representative", "founded_on", "registered_capital", "industry",
               "address", "main_products", "description", "website", "contact_name", "contact_phone",
               *SCOPE_COLUMNS, "assessment_units"),
      required=("uscc", "name"), key=("uscc",),
      aliases={"uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "USCC"), "name": ("企业名称", "单位名称"),
               "industry": ("所属行业", "行业代码", "国民经济行业分类")})
_kind(name="institution", model_label="orgs.Institution", slug="institutions",
      columns=("name", "short_name", "aliases", "kind", "is_local", "country", "website", "description",
               "tto_name", "tto_contact", "tto_phone", "tto_email", *SCOPE_COLUMNS),
      required=("name", "kind"), key=("name",),
      aliases={"name": ("机构名称", "高校院所名称", "大院大所名称")})
_kind(name="expert", model_label="experts.Expert", slug="experts",
      columns=("name", "institution", "employer", "title", "position", "research_directions", "keywords", "bio",
               "phone", "email", "do_not_recommend", *SCOPE_COLUMNS),
      required=("name",), key=("name", "institution"),
      aliases={"name": ("专家姓名",), "institution": ("所在单位", "工作单位")})
_kind(name="achievement", model_label="supply.Achievement", slug="achievements",
      columns=("name", "institution", "unit_name", "lead_name", "lead_title", "lead_phone", "field", "field_other",
               "stage", "stage_other", "introduction", "district_fit", "promotion_plan", "filing_unit", "filer_name",
               "filer_phone", "filing_date", "ip_form", "transfer_modes", "asking_price", *SCOPE_COLUMNS,
               "assessment_units"),
      required=("name", "institution", "lead_name", "field", "stage", "introduction"), key=("institution", "name"),
      parent="institution", list_fields={"transfer_modes": "supply.TransferMode"},
      aliases={"introduction": ("科技成果及研发团队简介",), "district_fit": ("科技成果与区镇的契合情况说明",),
               "promotion_plan": ("科技成果在区镇推介计划",)})
_kind(name="patent", model_label="supply.Patent", slug="patents",
      columns=("application_no", "title", "patent_type", "legal_status", "publication_no", "abstract", "ipc_codes",
               "applicants", "inventors", "application_date", "publication_date", "grant_date", "is_high_value",
               "value_score", *SCOPE_COLUMNS),
      required=("application_no", "title"), key=("application_no",),
      aliases={"application_no": ("申请号", "专利号", "专利申请号"), "title": ("专利名称", "发明名称")})
_kind(name="demand", model_label="demands.Demand", slug="demands",
      columns=("enterprise", "demand_type", "title", "description", "industry", "tech_field", "keywords",
               "cooperation_mode", "budget_min", "budget_max", "budget_negotiable", "deadline", "contact_name",
               "contact_phone", "source_ref", *SCOPE_COLUMNS),
      required=("enterprise", "demand_type", "title", "description"), key=("enterprise", "title"),
      parent="enterprise", aliases={"title": ("需求名称", "需求标题"), "demand_type": ("需求类型",),
                                    "description": ("需求描述",)})
_kind(name="park", model_label="core.Park", slug="parks",
      columns=("name", "short_name", "level", "industry_tracks", "industries", "directory_years", "address",
               "description", "region", "visibility", "assessment_units"),
      required=("name",), key=("name",), list_fields={"directory_years": "int"},
      aliases={"name": ("园区名称",)})
_kind(name="carrier", model_label="supply.Carrier", slug="carriers",
      columns=("name", "kind", "level", "host", "co_builders_text", "approval_date", "approved_by", "description",
               *SCOPE_COLUMNS),
      required=("name", "kind", "level"), key=("name", "kind"),
      aliases={"name": ("载体名称", "平台名称")})
_kind(name="scenario", model_label="supply.Scenario", slug="scenarios",
      columns=("title", "domain", "provider", "stage", "period_start", "period_end", "openness", "description",
               "requirements", "investment", *SCOPE_COLUMNS),
      required=("title", "domain", "description"), key=("title", "provider"),
      aliases={"title": ("场景名称",)})
_kind(name="qualification", model_label="orgs.EnterpriseQualification", slug="qualifications",
      columns=("enterprise", "kind", "level", "certificate_no", "valid_from", "valid_to", "note"),
      required=("enterprise", "kind", "valid_from"), key=("enterprise", "kind", "valid_from"),
      aliases={"kind": ("资质类型", "资质")})
_kind(name="metric", model_label="orgs.EnterpriseMetric", slug="metrics",
      columns=("enterprise", "year", "above_scale", "revenue", "rd_spend", "tax", "employees", "rd_staff",
               "invention_patents"),
      required=("enterprise", "year"), key=("enterprise", "year"),
      aliases={"year": ("年度", "年份"), "above_scale": ("规上", "是否规上", "规模以上")})



REGION_LEVELS = {2: 1, 4: 2, 6: 3, 9: 4, 12: 4}  # code length → RegionLevel (GB/T 2260, 统计用区划代码)


def _region_level(vals: dict) -> None:
    """A region's level follows from its code: 32 province, 3204 city, 320412 district, 320412001 town."""
    code = vals.get("code")
    if code is None:
        return
    if not code.isdigit() or len(code) not in REGION_LEVELS:
        raise ValueError(_("“%(code)s” is not a region code: 2, 4, 6, 9 or 12 digits (32, 3204, 320412, "
                           "320412001).") % {"code": code})
    vals.setdefault("level", REGION_LEVELS[len(code)])


_kind(name="region", model_label="core.Region", slug="regions",
      columns=("code", "name", "parent"), required=("code", "name"), key=("code",), city_admin_only=True,
      prepare=_region_level,
      aliases={"code": ("区划代码", "行政区划代码", "统计用区划代码"), "name": ("区划名称", "地区名称"),
               "parent": ("上级区划", "上级代码", "上级")})
_kind(name="assessment_unit", model_label="core.AssessmentUnit", slug="assessment-units",
      columns=("code", "name", "kind", "city", "parent", "regions", "parks", "valid_from", "valid_to", "note"),
      required=("code", "name", "kind", "city"), key=("code",), city_admin_only=True,
      aliases={"name": ("板块名称", "考核板块"), "code": ("板块代码",), "kind": ("板块类型",),
               "city": ("所属城市",), "parent": ("上级板块",), "regions": ("对应区划", "包含区划"),
               "parks": ("对应园区", "包含园区")})

# The official target tables: one row per owner, one column per indicator of the chosen programme.
_kind(name="annex2", model_label="programmes.Target", slug="targets", columns=(), required=(), key=(),
      table="annex2", title="附件2 部门、区镇对接清单和目标任务表")
_kind(name="annex3", model_label="programmes.Target", slug="targets", columns=(), required=(), key=(),
      table="annex3", title="附件3 年度主要任务指标")
TABLES = {k.name: k for k in KINDS.values() if k.table}

BY_SLUG = {k.slug: k for k in KINDS.values() if not k.table}


def is_money(f: models.Field) -> bool:
    return isinstance(f, models.DecimalField) and f.max_digits == 16 and f.decimal_places == 2
