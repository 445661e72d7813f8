"""Indicators counted over pairings, visits, placements and student teams (contributed through
plugin.py; the library, which builds each figure from its declaration, is core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import DISTINCT, LOCATION, STOCK, SUM, party_location
from duijie.core.plugins import Indicator
from duijie.orgs.choices import InstitutionKind
from duijie.pairings.choices import PairingKind, PlacementScheme, VisitProgramme

# Reach, per record type (the seed clause each serves):
# - a 科技副总 counts where the enterprise hosting them is: seed 003 "担任企业科技副总", seed 004 "到我市
#   名园…企业担任科技副总" — the enterprise gains the talent;
# - an 产业教授 where their own enterprise is: seed 003 "在常高校聘请企业科技骨干为高校产业教授" (the
#   enterprise's staff; none on file: where the placement is filed);
# - a pairing or a visit where its enterprise is: seed 000 item 6 "挂钩联系百家企业", seed 002 "走访调研企业";
# - a student team where it is filed (its incubator's place): seed 001 大学生创新创业 in the 区镇's carriers.
HOST = party_location("host_enterprise")
ENTERPRISE = party_location("enterprise")
HOME = party_location("home_enterprise", fallback="")
PEOPLE = pgettext_lazy("unit of measure", "people")
ENTERPRISES = pgettext_lazy("unit of measure", "enterprises")
PAIRINGS = {"record_type": "pairings", "kind": STOCK, "stock_from": "start_on", "stock_to": "end_on",
            "filters": {"kind__in": [PairingKind.EXPERT, PairingKind.ADVISER]}, "reach": ENTERPRISE,
            "institution": "expert__institution"}  # an institution's pairings: those of its experts
TEAMS = {"record_type": "student-teams", "date_field": "entered_on", "reach": LOCATION,
         "institution": "institution"}  # the team's university

INDICATORS = (
    Indicator(
        slug="tech-vp-placements", label=_("Tech vice-presidents placed (科技副总)"),
        documentation=_("Placements under the provincial or the city tech vice-president scheme whose term "
                        "starts in the period; one per placement; counted where the host enterprise is "
                        "(its region, park or assessment units)."),
        unit=PEOPLE, record_type="placements", date_field="start_on", reach=HOST,
        institution="home_institution",  # the university or institute that sends the 科技副总
        filters={"scheme__in": [PlacementScheme.TECH_VP_PROVINCIAL, PlacementScheme.TECH_VP_CITY]},
        source="seed 003 (新增江苏省“双创人才”科技副总超100名); seed 001 (科技副总)",
    ),
    Indicator(
        slug="industry-professor-placements", label=_("Industry professors appointed (产业教授)"),
        documentation=_("Placements under the provincial industry professor scheme whose term starts in the "
                        "period; one per placement; counted where the professor's own enterprise is (none "
                        "on file: where the placement record is located)."),
        unit=PEOPLE, record_type="placements", date_field="start_on", reach=HOME,
        institution="host_institution",  # the university that appoints the 产业教授
        filters={"scheme": PlacementScheme.INDUSTRY_PROFESSOR}, source="seed 003 (新增江苏省产业教授200名)",
    ),
    Indicator(
        slug="paired-enterprises", label=_("Enterprises paired with experts"),
        documentation=_("Distinct enterprises with an expert or technology-adviser pairing in force on the "
                        "period's last day (started on or before it, not ended before it); once per "
                        "enterprise; counted where the enterprise is."),
        unit=ENTERPRISES, field_name="enterprise",
        source="seed 000 item 6 (百名专家教授挂钩联系百家企业); seed 002 (科技顾问进高企)", **PAIRINGS,
    ),
    Indicator(
        slug="paired-experts", label=_("Experts paired with enterprises"),
        documentation=_("Distinct experts in an expert or technology-adviser pairing in force on the period's "
                        "last day; once per expert; counted where the paired enterprise is."),
        unit=PEOPLE, field_name="expert", source="seed 000 item 6 (百名专家教授挂钩联系百家企业)", **PAIRINGS,
    ),
    Indicator(
        slug="visited-enterprises", label=_("Enterprises visited"),
        documentation=_("Distinct enterprises with a visit logged in the period, whatever the programme; once "
                        "per enterprise however often visited; counted where the enterprise is."),
        unit=ENTERPRISES, record_type="visits", date_field="visited_on", kind=DISTINCT, field_name="enterprise",
        reach=ENTERPRISE, institution="visiting_institution",
        source="seed 002 (走访调研企业278家); seed 001 (十校十院千企行)",
    ),
    Indicator(
        slug="student-teams", label=_("Student start-up teams"),
        documentation=_("Student or teacher start-up teams that entered an incubator in the period; one per "
                        "team; counted where the team record is located."),
        unit=pgettext_lazy("unit of measure", "teams"), source="seed 001 (大学生创新创业团队)", **TEAMS,
    ),
    Indicator(
        slug="students", label=_("Students in start-up teams"),
        documentation=_("Sum of the team sizes of the start-up teams that entered an incubator in the period; "
                        "counted where the team record is located."),
        unit=PEOPLE, kind=SUM, field_name="members", source="seed 001 (大学生创新创业)", **TEAMS,
    ),
)


INSTITUTIONS = pgettext_lazy("unit of measure", "institutions")
# 十校十所进千企 visits (seed 003 三、（三）4), counted where the visited enterprise is.
TEN_TEN = {"record_type": "visits", "date_field": "visited_on", "reach": ENTERPRISE, "institution": "visiting_institution"}
TEN_TEN_VISITS = {"programme": VisitProgramme.TEN_TEN_THOUSAND}
NOT_UNIVERSITY = [k for k in InstitutionKind.values if k != InstitutionKind.UNIVERSITY]
INDICATORS += (
    Indicator(
        slug="ten-ten-universities", label=_("Universities visiting enterprises (十校)"),
        documentation=_("Distinct universities that visited an enterprise under 十校十所进千企 in the period; once per "
                        "university; the visits are the drill-down; counted where the visited enterprise is."),
        unit=INSTITUTIONS, kind=DISTINCT, field_name="visiting_institution", source="seed 003 三、（三）4 (十所在常高校)",
        filters={**TEN_TEN_VISITS, "visiting_institution__kind": InstitutionKind.UNIVERSITY}, **TEN_TEN,
    ),
    Indicator(
        slug="ten-ten-institutes", label=_("Institutes visiting enterprises (十所)"),
        documentation=_("Distinct research institutes (any visiting institution that is not a university) that "
                        "visited an enterprise under 十校十所进千企 in the period; once per institute; counted where "
                        "the visited enterprise is."),
        unit=INSTITUTIONS, kind=DISTINCT, field_name="visiting_institution", source="seed 003 三、（三）4 (十家在常科研院所)",
        filters={**TEN_TEN_VISITS, "visiting_institution__kind__in": NOT_UNIVERSITY}, **TEN_TEN,
    ),
    Indicator(
        slug="ten-ten-enterprises", label=_("Enterprises visited by universities and institutes (千企)"),
        documentation=_("Distinct enterprises visited under 十校十所进千企 in the period; once per enterprise however "
                        "often visited; counted where the enterprise is."),
        unit=ENTERPRISES, kind=DISTINCT, field_name="enterprise", source="seed 003 三、（三）4 (十校十所进千企)",
        filters=TEN_TEN_VISITS, **TEN_TEN,
    ),
)
