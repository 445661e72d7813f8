from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "duijie.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        # Mark the registry types that have an import, so the generic list page can link to it
        # (core knows nothing about imports; imports sits above the domain apps).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.core.registry import REGISTRY
        from duijie.imports.kinds import BY_SLUG, KINDS
        from duijie.imports.layouts import LAYOUTS
        from duijie.imports.views import form_links

        for slug, record_type in REGISTRY.items():
            if slug in BY_SLUG:
                record_type.extra["import_kind"] = BY_SLUG[slug].name
                record_type.extra["import_city_admin_only"] = BY_SLUG[slug].city_admin_only
        # Official forms (Annex 1 …): download buttons on the detail page of their record type.
        for layout in LAYOUTS.values():
            links = REGISTRY[KINDS[layout.kind].slug].extra.setdefault("detail_links", [])
            if form_links not in links:
                links.append(form_links)
