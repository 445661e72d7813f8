"""What matching contributes (core/plugins.py): the 推荐匹配 panel on the detail pages of the
records it recommends for. Matching comes after the domain apps in INSTALLED_APPS, so the sources
they contributed are collected when this module is read."""

from duijie.core import plugins
from duijie.core.plugins import Contributions, DetailPanel

PANEL_KINDS = ("demand", "achievement", "patent", "expert")  # detail pages with a 推荐匹配 panel

CONTRIBUTES = Contributions(
    detail_panels=tuple(DetailPanel(model=source.model, url_name="matching:panel")
                        for source in plugins.matching_sources() if source.kind in PANEL_KINDS),
)
