"""What cooperation contributes (core/plugins.py): projects, outcomes and contracts, the project
links on an intention's page (events' record type: cooperation asks, events is not edited), and
its indicators."""

from duijie.cooperation.indicators import INDICATORS
from duijie.cooperation.records import RECORD_TYPES, intention_project_links
from duijie.core.plugins import Contributions, DetailLink

CONTRIBUTES = Contributions(
    record_types=RECORD_TYPES,
    detail_links=(DetailLink(record_type="intentions", links=intention_project_links),),
    indicators=INDICATORS,
)
